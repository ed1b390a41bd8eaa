/**
 * What short and long polling share: one keep-alive HttpConnection per client (a fresh one
 * after a death, never reusing a dead connection's socket), GET of a PollResponse with a
 * timeout, and applying an answer (open or resume, deliveries, empty answers, failures).
 */
import { nowMs } from '../core/clock.ts';
import type { PollResponse } from '../core/types.ts';
import { BaseClient, type ClientConfig } from './client.ts';
import { requestHeaders } from './headers.ts';
import { errorKind, type Target, targetOf } from './http.ts';
import { HttpConnection, type HttpError } from './http-conn.ts';
import type { Recorder } from './metrics.ts';

export abstract class PollingClient extends BaseClient {
  private readonly target: Target;
  private readonly headers: Record<string, string>;
  private conn: HttpConnection;
  /** One callback for every request (no closure per answer). */
  private readonly onAnswer = (err: HttpError | null, text?: string): void => {
    try {
      this.answered(err, text);
    } catch {
      this.crashed();
    }
  };

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    this.target = targetOf(config.baseUrl);
    this.headers = requestHeaders(config.headers, 'poll', config.baseUrl);
    if (config.httpCompression) this.headers['Accept-Encoding'] ??= 'gzip';
    this.conn = new HttpConnection(this.target, this.stats.meter);
  }

  /** An answer was applied (not called after a failure): schedule the next request. */
  protected abstract next(): void;

  protected teardown(mode: 'dead' | 'stop'): void {
    // destroy() drops a request in flight without calling back.
    this.conn.destroy();
    if (mode === 'dead') this.conn = new HttpConnection(this.target, this.stats.meter);
  }

  /** GET `path` (its query already has client, since, …) with `timeoutMs`; counts the request. */
  protected get(path: string, timeoutMs: number): void {
    this.recorder.countRequests(this.stats);
    this.conn.get(path, this.headers, timeoutMs, this.onAnswer);
  }

  /** `&since=N` when the client has a resume point. */
  protected sinceParam(): string {
    const since = this.resumeSeq();
    return since === undefined ? '' : `&since=${since}`;
  }

  private answered(err: HttpError | null, text: string | undefined): void {
    const atMs = nowMs();
    if (err) {
      this.failed(errorKind(err), atMs);
      return;
    }
    let body: PollResponse | undefined;
    try {
      body = JSON.parse(text!) as PollResponse | undefined;
    } catch {
      this.failed('bad-json', atMs);
      return;
    }
    if (!body || !Array.isArray(body.messages)) {
      this.failed('bad-body', atMs);
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
