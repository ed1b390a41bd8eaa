/**
 * What short and long polling share: one keep-alive agent per client (a fresh one after a
 * death, never reusing a dead connection's socket), GET of a PollResponse with a timeout,
 * and applying an answer (open or resume, deliveries, empty answers, failures).
 */
import type { PollResponse } from '../core/types.ts';
import { BaseClient, type ClientConfig } from './client.ts';
import { requestHeaders } from './headers.ts';
import { createAgent, errorKind, getJson, type Target, targetOf } from './http.ts';
import { nowMs, type Recorder } from './metrics.ts';

export abstract class PollingClient extends BaseClient {
  private agent = createAgent();
  private readonly target: Target;
  private readonly headers: Record<string, string>;
  private abort: (() => void) | undefined;

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    this.target = targetOf(config.baseUrl);
    this.headers = requestHeaders(config.headers, 'poll', config.baseUrl);
  }

  /** An answer was applied (not called after a failure): schedule the next request. */
  protected abstract next(): void;

  protected teardown(mode: 'dead' | 'stop'): void {
    this.abort?.();
    this.abort = undefined;
    this.agent.destroy();
    if (mode === 'dead') this.agent = createAgent();
  }

  /** GET `path` (its query already has client, since, …) with `timeoutMs`; counts the request. */
  protected get(path: string, timeoutMs: number): void {
    this.stats.requests++;
    this.abort = getJson<PollResponse>(
      {
        agent: this.agent,
        target: this.target,
        path,
        headers: this.headers,
        meter: this.stats.meter,
        timeoutMs,
      },
      (err, body) => this.safely(() => this.answered(err, body)),
    );
  }

  /** `&since=N` when the client has a resume point. */
  protected sinceParam(): string {
    const since = this.resumeSeq();
    return since === undefined ? '' : `&since=${since}`;
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
    this.next();
  }
}
