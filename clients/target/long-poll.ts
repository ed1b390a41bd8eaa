/**
 * Long polling against a target (docs/targets.md): GET the scenario's path over one keep-alive
 * connection, re-requested as soon as an answer arrives; a request times out after
 * longPollWaitMs + longPollMarginMs. An answer is one message, or a JSON array of messages, read
 * through the JSON pointers; 304 and 408 are empty answers (nchan's "nothing new, ask again").
 * The connection counts as open at its first answer. Resume: `if-modified-since` sends the last
 * answer's Last-Modified and Etag back as If-Modified-Since and If-None-Match (nchan's
 * long-poll cursor), `query:NAME` the highest seq held.
 */
import http from 'node:http';
import { nowMs } from '../../core/clock.ts';
import { BaseClient, type ClientConfig, type TargetClientConfig } from '../client.ts';
import { requestHeaders } from '../headers.ts';
import { errorKind, type Target, targetOf } from '../http.ts';
import type { Recorder } from '../metrics.ts';
import { MessageReader } from './message.ts';
import { queryParam, withQuery } from './resume.ts';

export class TargetLongPollClient extends BaseClient {
  private readonly spec: TargetClientConfig;
  private readonly reader: MessageReader;
  private readonly target: Target;
  private readonly headers: Record<string, string>;
  private agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private req: http.ClientRequest | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastModified: string | undefined;
  private etag: string | undefined;

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    this.spec = config.target!;
    this.reader = new MessageReader(this.spec.message);
    this.target = targetOf(config.baseUrl);
    this.headers = requestHeaders(config.headers, 'poll', config.baseUrl);
  }

  protected connect(): void {
    this.request();
  }

  protected teardown(mode: 'dead' | 'stop'): void {
    clearTimeout(this.timer);
    const req = this.req;
    this.req = undefined;
    req?.destroy();
    // A dead connection's socket is never reused.
    this.agent.destroy();
    if (mode === 'dead') this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  private path(): string {
    const path = this.spec.path.replaceAll('{client}', encodeURIComponent(this.id));
    const param = queryParam(this.spec.resume);
    const since = this.resumeSeq();
    return param && since !== undefined ? withQuery(path, param, String(since)) : path;
  }

  private request(): void {
    const headers = { ...this.headers };
    if (this.spec.resume === 'if-modified-since') {
      if (this.lastModified) headers['If-Modified-Since'] = this.lastModified;
      if (this.etag) headers['If-None-Match'] = this.etag;
    }
    this.stats.requests++;
    const req = http.get({
      agent: this.agent,
      host: this.target.host,
      port: this.target.port,
      path: this.path(),
      headers,
    });
    this.req = req;
    const current = (): boolean => this.req === req;
    req.on('socket', (s) => this.stats.meter.track(s));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => current() && chunks.push(c));
      res.on(
        'end',
        () => current() && this.safely(() => this.answered(res, Buffer.concat(chunks).toString('utf8'))),
      );
      res.on('error', (err) => current() && this.failed(errorKind(err), nowMs()));
    });
    req.on('error', (err) => current() && this.failed(errorKind(err), nowMs()));
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => current() && this.failed('timeout', nowMs()),
      this.config.longPollWaitMs + this.config.longPollMarginMs,
    );
  }

  private answered(res: http.IncomingMessage, body: string): void {
    const atMs = nowMs();
    clearTimeout(this.timer);
    this.req = undefined;
    const status = res.statusCode ?? 0;
    if (status !== 200 && status !== 304 && status !== 408) {
      this.failed(`http-${status}`, atMs);
      return;
    }
    if (this.state === 'connecting') this.openedTarget(atMs);
    else this.alive(atMs);
    const lastModified = res.headers['last-modified'];
    const etag = res.headers.etag;
    if (typeof lastModified === 'string') this.lastModified = lastModified;
    if (typeof etag === 'string') this.etag = etag;
    if (status !== 200 || body === '') this.stats.emptyResponses++;
    else this.onBody(body, atMs);
    if (!this.stopped && this.state === 'open') this.request();
  }

  private onBody(body: string, atMs: number): void {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      this.recorder.countErrorWithSample('unparsed', body);
      return;
    }
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0) this.stats.emptyResponses++;
    for (const item of items) {
      const env = this.reader.readValue(item, Array.isArray(value) ? undefined : body);
      if (env === undefined) this.recorder.countErrorWithSample('unparsed', JSON.stringify(item));
      else this.deliver(env, atMs);
    }
  }
}
