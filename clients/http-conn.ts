/**
 * One keep-alive HTTP/1.1 connection over node:net for the polling clients: sequential GETs
 * (at most one in flight), an incremental response parser (content-length, chunked with
 * extensions and trailers, read-until-close), one absolute timeout per request (get() →
 * body end), and every socket handed to the client's ByteMeter. node:http cost ~134 µs CPU
 * per answer + re-arm in the generator; this does the same work in a fraction of that.
 *
 * Error kinds (`err.kind`, else the socket error's `code` such as ECONNREFUSED):
 * - 'timeout': no complete answer within timeoutMs;
 * - 'aborted': the connection closed before the answer was complete;
 * - 'bad-response': malformed status line / header / chunk, head over 16 KiB, body over 64 MiB;
 * - 'http-NNN' (status ≠ 200), 'http-encoding' (a content-encoding we do not decode): the
 *   answer is well framed, so its body is read (and dropped) and the connection stays usable;
 *   a transfer-encoding other than chunked cannot be framed: 'http-encoding' at once.
 * After any other error the socket is destroyed; the next get() opens a fresh one. So does a
 * `connection: close` answer, an idle socket the server closed, and bytes nobody asked for.
 */
import net, { type Socket } from 'node:net';
import type { ByteMeter } from './bytes.ts';
import { kindError, type Target } from './http.ts';

export type HttpError = Error & { kind?: string; code?: string };
/** Called once per get(): (null, utf8 body) for a 200, else (error). Never after abort / destroy. */
export type HttpDone = (err: HttpError | null, body?: string) => void;

/** Status line + headers; also the cap of a chunk-size line and of the trailers. */
const MAX_HEAD_BYTES = 16 * 1024;
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: |$)/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DIGITS = /^\d{1,15}$/;
const HEX = /^[0-9a-fA-F]{1,8}$/;

// Parser states.
const HEAD = 0;
const BODY = 1; // content-length: `remaining` bytes
const UNTIL_CLOSE = 2;
const CHUNK_SIZE = 3;
const CHUNK_DATA = 4;
const CHUNK_END = 5; // the CRLF after a chunk's data
const TRAILERS = 6; // after the last chunk: optional trailer lines, then CRLF

export class HttpConnection {
  private readonly hostHeader: string;
  private socket: Socket | undefined;
  private done: HttpDone | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timeoutMs = 0;
  /** Id of the latest get() (an abort function only acts on its own request). */
  private requestId = 0;
  /** The request header block is built once per headers object. */
  private lastHeaders: Record<string, string> | undefined;
  private headerBlock = '';
  // The answer being parsed.
  private state = HEAD;
  /** Bytes received but not parsed yet: a partial head or line. */
  private pending: Buffer | undefined;
  /** Set for a well-framed answer that is still an error (non-200, content-encoding). */
  private failKind: string | undefined;
  private keepAlive = true;
  private remaining = 0;
  private parts: Buffer[] = [];
  private bodyBytes = 0;
  private readonly onTimeout = (): void =>
    this.fail(kindError('timeout', `no answer within ${this.timeoutMs} ms`));

  constructor(
    private readonly target: Target,
    private readonly meter: ByteMeter,
  ) {
    const host = target.host.includes(':') ? `[${target.host}]` : target.host;
    this.hostHeader = `Host: ${host}:${target.port}\r\n`;
  }

  /**
   * GET `path` (connecting if there is no live socket); `done` gets the body or an error.
   * `headers` must not change after the first call with that object (its block is cached).
   * Returns an abort function: destroys the socket, `done` is not called. Throws a TypeError
   * if a request is in flight or the path / a header would break the request.
   */
  get(path: string, headers: Record<string, string>, timeoutMs: number, done: HttpDone): () => void {
    if (this.done) throw new TypeError('HttpConnection.get: a request is already in flight');
    if (/\s/.test(path))
      throw new TypeError(`HttpConnection.get: whitespace in path ${JSON.stringify(path)}`);
    const block = headers === this.lastHeaders ? this.headerBlock : this.buildHeaderBlock(headers);
    const socket = this.socket && !this.socket.destroyed ? this.socket : this.connect();
    this.state = HEAD;
    this.failKind = undefined;
    this.keepAlive = true;
    this.bodyBytes = 0;
    this.done = done;
    this.timeoutMs = timeoutMs;
    this.timer = setTimeout(this.onTimeout, timeoutMs);
    socket.write(`GET ${path} HTTP/1.1\r\n${this.hostHeader}${block}\r\n`);
    const id = ++this.requestId;
    return () => {
      if (this.requestId === id && this.done) this.destroy();
    };
  }

  /** Close the socket and clear the timer; a request in flight gets no callback. */
  destroy(): void {
    this.clear();
    this.drop();
  }

  private buildHeaderBlock(headers: Record<string, string>): string {
    let block = '';
    for (const [name, value] of Object.entries(headers)) {
      if (!TOKEN.test(name) || value.includes('\r') || value.includes('\n')) {
        throw new TypeError(`HttpConnection.get: invalid header ${JSON.stringify(name)}`);
      }
      block += `${name}: ${value}\r\n`;
    }
    this.lastHeaders = headers;
    this.headerBlock = block;
    return block;
  }

  private connect(): Socket {
    const socket = net.connect(this.target.port, this.target.host);
    this.meter.track(socket);
    socket.setNoDelay(true);
    // One set of listeners per socket; a stale socket's late events are ignored.
    socket.on('data', (data: Buffer) => (this.socket === socket ? this.onData(data) : socket.destroy()));
    socket.on('error', (err: HttpError) => {
      if (this.socket === socket) this.fail(err);
    });
    const gone = (): void => {
      if (this.socket === socket) this.onGone();
    };
    socket.on('end', gone);
    socket.on('close', gone);
    this.socket = socket;
    return socket;
  }

  /** The server closed the socket (or it closed for any reason we did not see as an error). */
  private onGone(): void {
    if (this.done && this.state === UNTIL_CLOSE) this.finish(false);
    else this.fail(kindError('aborted', 'connection closed mid-answer'));
  }

  private onData(data: Buffer): void {
    if (!this.done) {
      this.drop(); // nobody asked: the connection is out of step
      return;
    }
    let buf = data;
    if (this.pending) {
      buf = Buffer.concat([this.pending, data]);
      this.pending = undefined;
    }
    let at = 0;
    while (at >= 0 && this.done) {
      const left = buf.length - at;
      if (left === 0 && this.state !== BODY) return; // BODY: a zero length ends here
      switch (this.state) {
        case HEAD:
          at = this.parseHead(buf, at);
          break;
        case BODY:
        case CHUNK_DATA: {
          const n = Math.min(this.remaining, left);
          if (!this.take(buf, at, n)) return;
          at += n;
          this.remaining -= n;
          if (this.remaining > 0) return;
          // done() may start the next request at once: never parse on after finish().
          if (this.state === BODY) {
            this.finish(at < buf.length);
            return;
          }
          this.state = CHUNK_END;
          break;
        }
        case UNTIL_CLOSE:
          this.take(buf, at, left);
          return;
        case CHUNK_SIZE:
          at = this.parseChunkSize(buf, at);
          break;
        case CHUNK_END:
          if (left < 2) at = this.wait(buf, at);
          else if (buf[at] !== 0x0d || buf[at + 1] !== 0x0a) at = this.bad('no CRLF after chunk data');
          else {
            at += 2;
            this.state = CHUNK_SIZE;
          }
          break;
        default:
          at = this.parseTrailers(buf, at);
      }
    }
  }

  /** Status line and headers; picks the body framing. Returns the next offset, or -1. */
  private parseHead(buf: Buffer, at: number): number {
    const end = buf.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0 ? buf.length - at > MAX_HEAD_BYTES : end - at > MAX_HEAD_BYTES) {
      return this.bad('head over 16 KiB');
    }
    if (end < 0) return this.wait(buf, at);
    const lines = buf.toString('latin1', at, end).split('\r\n');
    const m = STATUS_LINE.exec(lines[0]);
    if (!m) return this.bad(`status line ${JSON.stringify(lines[0].slice(0, 40))}`);
    const status = Number(m[2]);
    let length = -1;
    let transfer = '';
    let encoding = '';
    let close = false;
    let keepAlive = m[1] === '1';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      const name = line.slice(0, colon);
      if (colon <= 0 || !TOKEN.test(name))
        return this.bad(`header line ${JSON.stringify(line.slice(0, 40))}`);
      const value = line.slice(colon + 1).trim();
      switch (name.toLowerCase()) {
        case 'content-length':
          if (!DIGITS.test(value) || (length >= 0 && length !== Number(value)))
            return this.bad('content-length');
          length = Number(value);
          break;
        case 'transfer-encoding':
          transfer = transfer ? `${transfer}, ${value.toLowerCase()}` : value.toLowerCase();
          break;
        case 'content-encoding':
          encoding = value.toLowerCase();
          break;
        case 'connection':
          for (const token of value.toLowerCase().split(',')) {
            if (token.trim() === 'close') close = true;
            else if (token.trim() === 'keep-alive') keepAlive = true;
          }
      }
    }
    const next = end + 4;
    if (status < 200 && status !== 101) return next; // interim answer: the real one follows
    if (status === 101) return this.bad('101 switching protocols');
    this.keepAlive = keepAlive && !close;
    if (status !== 200) this.failKind = `http-${status}`;
    else if (encoding !== '' && encoding !== 'identity') this.failKind = 'http-encoding';
    if (status === 204 || status === 304) {
      this.state = BODY;
      this.remaining = 0;
    } else if (transfer !== '') {
      if (transfer !== 'chunked') return this.bad('transfer-encoding', 'http-encoding');
      this.state = CHUNK_SIZE;
    } else if (length >= 0) {
      if (length > MAX_BODY_BYTES) return this.bad('body over 64 MiB');
      this.state = BODY;
      this.remaining = length;
    } else {
      this.state = UNTIL_CLOSE;
      this.keepAlive = false;
    }
    return next;
  }

  private parseChunkSize(buf: Buffer, at: number): number {
    const eol = buf.indexOf('\r\n', at, 'latin1');
    if ((eol < 0 ? buf.length : eol) - at > MAX_HEAD_BYTES) return this.bad('chunk-size line over 16 KiB');
    if (eol < 0) return this.wait(buf, at);
    const line = buf.toString('latin1', at, eol);
    const semi = line.indexOf(';'); // chunk extensions: ignored
    const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
    if (!HEX.test(hex)) return this.bad(`chunk size ${JSON.stringify(hex.slice(0, 20))}`);
    const size = Number.parseInt(hex, 16);
    if (this.bodyBytes + size > MAX_BODY_BYTES) return this.bad('body over 64 MiB');
    this.state = size === 0 ? TRAILERS : CHUNK_DATA;
    this.remaining = size;
    return eol + 2;
  }

  /** Trailers (skipped) up to the blank line that ends the answer; always -1 (stop parsing). */
  private parseTrailers(buf: Buffer, at: number): number {
    if (buf.length - at < 2) return this.wait(buf, at);
    let end = at + 2; // no trailers: just the CRLF
    if (buf[at] !== 0x0d || buf[at + 1] !== 0x0a) {
      const blank = buf.indexOf('\r\n\r\n', at, 'latin1');
      end = blank < 0 ? -1 : blank + 4;
    }
    if ((end < 0 ? buf.length : end) - at > MAX_HEAD_BYTES) return this.bad('trailers over 16 KiB');
    if (end < 0) return this.wait(buf, at);
    // done() may start the next request at once: never parse on after finish().
    this.finish(end < buf.length);
    return -1;
  }

  /** Keep body bytes (not those of an error answer); false when over the cap (failed). */
  private take(buf: Buffer, at: number, n: number): boolean {
    this.bodyBytes += n;
    if (this.bodyBytes > MAX_BODY_BYTES) {
      this.bad('body over 64 MiB');
      return false;
    }
    if (n > 0 && this.failKind === undefined) this.parts.push(buf.subarray(at, at + n));
    return true;
  }

  /** Keep the unparsed rest for the next read; -1 stops parsing. */
  private wait(buf: Buffer, at: number): number {
    this.pending = buf.subarray(at);
    return -1;
  }

  /** Fail the request (kind 'bad-response' unless given); -1 stops parsing. */
  private bad(why: string, kind = 'bad-response'): number {
    this.fail(kindError(kind, `${kind}: ${why}`));
    return -1;
  }

  /** The answer is complete; `leftover`: bytes after it (out of step: the socket goes). */
  private finish(leftover: boolean): void {
    const done = this.done!;
    const failKind = this.failKind;
    const parts = this.parts;
    this.clear();
    if (leftover || !this.keepAlive) this.drop();
    if (failKind !== undefined) done(kindError(failKind));
    else done(null, parts.length === 1 ? parts[0].toString('utf8') : Buffer.concat(parts).toString('utf8'));
  }

  private fail(err: HttpError): void {
    const done = this.done;
    this.clear();
    this.drop();
    done?.(err);
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.done = undefined;
    this.parts = [];
    this.pending = undefined;
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.pending = undefined;
    socket?.destroy();
  }
}
