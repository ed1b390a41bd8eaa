/**
 * Short polling: GET /poll every pollIntervalMs on a fixed schedule (slots anchored at the
 * first poll; a slot that passes while a poll is still in flight is skipped, so requests
 * never overlap), each with an absolute pollTimeoutMs. A failed poll (error, timeout,
 * non-200) counts as an error, the connection is dead, and the next poll waits for the
 * backoff; the first answer after that is the reopen. Latency includes the wait for the
 * next poll, as DESIGN.md says it should.
 */
import type { PollResponse } from '../core/types.ts';
import { BaseClient, type ClientConfig } from './client.ts';
import { requestHeaders } from './headers.ts';
import { createAgent, errorKind, getJson, type Target, targetOf } from './http.ts';
import { nowMs, type Recorder } from './metrics.ts';

export class ShortPollClient extends BaseClient {
  private agent = createAgent();
  private readonly target: Target;
  private readonly headers: Record<string, string>;
  private abort: (() => void) | undefined;
  private nextTimer: NodeJS.Timeout | undefined;
  private anchorMs: number | undefined;

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    this.target = targetOf(config.baseUrl);
    this.headers = requestHeaders(config.headers, 'poll', config.baseUrl);
  }

  protected connect(): void {
    this.poll();
  }

  protected teardown(mode: 'dead' | 'stop'): void {
    clearTimeout(this.nextTimer);
    this.abort?.();
    this.abort = undefined;
    // A fresh agent after a death: never reuse a socket of the dead connection.
    this.agent.destroy();
    if (mode === 'dead') this.agent = createAgent();
  }

  private poll(): void {
    const since = this.resumeSeq();
    const path =
      `/poll?client=${encodeURIComponent(this.id)}` + (since === undefined ? '' : `&since=${since}`);
    this.anchorMs ??= nowMs();
    this.stats.requests++;
    this.abort = getJson<PollResponse>(
      {
        agent: this.agent,
        target: this.target,
        path,
        headers: this.headers,
        meter: this.stats.meter,
        timeoutMs: this.config.pollTimeoutMs,
      },
      (err, body) => this.safely(() => this.answered(err, body)),
    );
  }

  private answered(err: Error | null, body: PollResponse | undefined): void {
    this.abort = undefined;
    const atMs = nowMs();
    if (err || !body || !Array.isArray(body.messages)) {
      this.failed(err ? errorKind(err) : 'bad-body', atMs);
      return;
    }
    if (body.messages.length === 0) this.stats.emptyResponses++;
    if (this.state === 'connecting') this.opened(body, atMs);
    else this.answer(body, atMs);
    for (const env of body.messages) this.deliver(env, atMs);
    this.advanceTo(body.lastSeq, atMs);
    this.scheduleNext();
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const now = nowMs();
    const intervalMs = this.config.pollIntervalMs;
    const anchor = this.anchorMs ?? now;
    const slot = Math.floor((now - anchor) / intervalMs) + 1;
    this.nextTimer = setTimeout(() => this.safely(() => this.poll()), anchor + slot * intervalMs - now);
  }
}
