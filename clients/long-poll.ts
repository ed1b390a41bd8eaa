/**
 * Long polling: GET /long-poll, re-requested as soon as an answer arrives; each request
 * times out after longPollWaitMs + longPollMarginMs. Opening (subscribe, and every resume
 * after a death) uses wait=0 so the server answers at once with the resume info and the
 * backlog: that answer is the reopen, and a held request is never mistaken for one.
 */
import type { PollResponse } from '../core/types.ts';
import { BaseClient, type ClientConfig } from './client.ts';
import { requestHeaders } from './headers.ts';
import { createAgent, errorKind, getJson, type Target, targetOf } from './http.ts';
import { nowMs, type Recorder } from './metrics.ts';

export class LongPollClient extends BaseClient {
  private agent = createAgent();
  private readonly target: Target;
  private readonly headers: Record<string, string>;
  private abort: (() => void) | undefined;

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    this.target = targetOf(config.baseUrl);
    this.headers = requestHeaders(config.headers, 'poll', config.baseUrl);
  }

  protected connect(): void {
    this.request(0);
  }

  protected teardown(mode: 'dead' | 'stop'): void {
    this.abort?.();
    this.abort = undefined;
    this.agent.destroy();
    if (mode === 'dead') this.agent = createAgent();
  }

  private request(waitMs: number): void {
    const since = this.resumeSeq();
    const path =
      `/long-poll?client=${encodeURIComponent(this.id)}&wait=${waitMs}` +
      (since === undefined ? '' : `&since=${since}`);
    this.stats.requests++;
    this.abort = getJson<PollResponse>(
      {
        agent: this.agent,
        target: this.target,
        path,
        headers: this.headers,
        meter: this.stats.meter,
        timeoutMs: waitMs + this.config.longPollMarginMs,
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
    if (!this.stopped) this.request(this.config.longPollWaitMs);
  }
}
