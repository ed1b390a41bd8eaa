/**
 * Server-Sent Events over node:http, parsed here (clients/sse-parser.ts) so the bytes come
 * from the socket. One request per connection (agent: false — a stream never returns its
 * socket to a pool). Reconnects send `Last-Event-ID: <highWaterSeq>` as EventSource does
 * (our backoff replaces the server's `retry:`). EventSource has no heartbeat of its own,
 * so silence — not a single byte, keep-alive comments included — for sseIdleFactor ×
 * sseKeepAliveMs means dead ('idle-timeout'); the same budget bounds the connect.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import { nowMs } from '../core/clock.ts';
import type { Envelope, ResumeInfo } from '../core/types.ts';
import { BaseClient, type ClientConfig } from './client.ts';
import { requestHeaders } from './headers.ts';
import { errorKind, parseJson, type Target, targetOf } from './http.ts';
import type { Recorder } from './metrics.ts';
import { type SseEvent, SseParser, SseTooLongError } from './sse-parser.ts';

export class SseClient extends BaseClient {
  private readonly target: Target;
  private readonly headers: Record<string, string>;
  private readonly idleMs: number;
  private req: http.ClientRequest | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastByteAtMs = 0;
  /** Receive time of the chunk being parsed (events dispatch synchronously from push()). */
  protected receivedAtMs = 0;

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    this.target = targetOf(config.baseUrl);
    this.headers = requestHeaders(config.headers, 'sse', config.baseUrl);
    if (config.httpCompression) this.headers['Accept-Encoding'] ??= 'gzip';
    this.idleMs = config.sseIdleFactor * config.sseKeepAliveMs;
  }

  protected connect(): void {
    const req = http.get({
      agent: false,
      host: this.target.host,
      port: this.target.port,
      path: this.path(),
      headers: this.requestHeaders(this.headers),
    });
    this.req = req;
    const current = (): boolean => this.req === req;
    req.on('socket', (s) => this.stats.meter.track(s));
    req.on('response', (res) => this.safely(() => current() && this.onResponse(req, res)));
    req.on('error', (err) => current() && this.failed(errorKind(err), nowMs()));
    req.on('close', () => current() && this.failed('closed', nowMs()));
    this.lastByteAtMs = nowMs();
    this.armIdle(this.idleMs);
  }

  /** The stream's path and query. */
  protected path(): string {
    return `/sse?client=${encodeURIComponent(this.id)}`;
  }

  /** The request's headers: `base` plus Last-Event-ID when resuming. */
  protected requestHeaders(base: Record<string, string>): Record<string, string> {
    const since = this.resumeSeq();
    return since === undefined ? base : { ...base, 'Last-Event-ID': String(since) };
  }

  /** The stream's 200 arrived (pushbench's server then sends its hello event). */
  protected onStreamOpen(_atMs: number): void {}

  protected teardown(): void {
    clearTimeout(this.idleTimer);
    const req = this.req;
    this.req = undefined;
    req?.destroy();
  }

  private onResponse(req: http.ClientRequest, res: http.IncomingMessage): void {
    const type = res.headers['content-type'] ?? '';
    if (res.statusCode !== 200 || !type.startsWith('text/event-stream')) {
      res.resume();
      this.failed(res.statusCode !== 200 ? `http-${res.statusCode}` : 'not-event-stream', nowMs());
      return;
    }
    this.onStreamOpen(nowMs());
    const parser = new SseParser((event) => this.onEvent(event));
    // A gzip stream (the server flushes after every event) is decoded on the way in.
    const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(zlib.createGunzip()) : res;
    if (body !== res) body.on('error', () => this.req === req && this.failed('http-encoding', nowMs()));
    body.setEncoding('utf8');
    body.on('data', (chunk: string) => {
      if (this.req !== req) return;
      const atMs = nowMs();
      this.lastByteAtMs = atMs;
      this.receivedAtMs = atMs;
      this.alive(atMs);
      try {
        parser.push(chunk);
      } catch (err) {
        // A line or event over the parser's bound: close the stream (and reconnect) with a clear reason.
        if (err instanceof SseTooLongError)
          this.req === req && this.failed(`sse-${err.what}-too-long`, nowMs());
        else this.crashed();
      }
    });
    res.on('end', () => this.req === req && this.failed('closed', nowMs()));
  }

  protected onEvent(event: SseEvent): void {
    if (event.type !== 'message' && event.type !== 'hello') {
      this.recorder.countError(`sse-event:${event.type}`);
      return;
    }
    const body = parseJson<Envelope & ResumeInfo>(event.data);
    if (body === undefined) this.recorder.countError('bad-json');
    else if (event.type === 'message') this.deliver(body, this.receivedAtMs);
    else this.opened(body, this.receivedAtMs);
  }

  /** One timer per client, re-armed lazily: no clearTimeout/setTimeout per chunk. */
  private armIdle(delayMs: number): void {
    this.idleTimer = setTimeout(() => {
      const silentMs = nowMs() - this.lastByteAtMs;
      if (silentMs >= this.idleMs) this.failed('idle-timeout', nowMs());
      else this.armIdle(this.idleMs - silentMs);
    }, delayMs);
  }
}
