/**
 * Incremental HTTP/1.1 response parser for the polling transport (clients/http-conn.ts):
 * bytes may arrive split at any point, one response at a time. Status line and headers
 * (head capped at 16 KiB), then the body by content-length, chunked (extensions ignored,
 * trailers skipped; beside a content-length it wins and the connection is not reused)
 * or until the connection closes; 1xx interim answers are skipped,
 * 204 / 304 have no body. A well-framed answer that is still an error (status ≠ 200, a
 * content-encoding other than gzip, which is decoded) is read to its end and its body dropped, so the
 * connection stays usable. The parser reports each response once to its sink and then
 * stops: the sink may start the next request (and reset() the parser) from that call.
 */
import { gunzipSync } from 'node:zlib';

/** What the parser tells its connection. */
export interface ResponseSink {
  /**
   * The response is complete. `body`: its parts (empty for an error answer); `failKind`:
   * 'http-NNN' / 'http-encoding' for a well-framed error answer; `reuse`: the connection
   * may carry the next request (keep-alive, nothing left over after this response).
   */
  complete(body: Buffer[], failKind: string | undefined, reuse: boolean): void;
  /** The bytes cannot be parsed (`kind` 'bad-response' or 'http-encoding'): drop the connection. */
  malformed(kind: string, why: string): void;
}

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
const DONE = 7; // reported (or failed): nothing more is parsed until reset()

/** True for a name that may appear in a request header (RFC 9110 token). */
export function isHeaderToken(name: string): boolean {
  return TOKEN.test(name);
}

export class ResponseParser {
  private state = DONE;
  /** Bytes received but not parsed yet: a partial head or line. */
  private pending: Buffer | undefined;
  /** Set for a well-framed answer that is still an error (non-200, content-encoding). */
  private failKind: string | undefined;
  private keepAlive = true;
  private remaining = 0;
  private parts: Buffer[] = [];
  private bodyBytes = 0;
  /** The body is gzip (content-encoding), decoded once complete. */
  private gzip = false;

  constructor(private readonly sink: ResponseSink) {}

  /** Expect a new response (a request was just sent). */
  reset(): void {
    this.state = HEAD;
    this.pending = undefined;
    this.failKind = undefined;
    this.gzip = false;
    this.keepAlive = true;
    this.remaining = 0;
    this.parts = [];
    this.bodyBytes = 0;
  }

  /** True while a response is expected or being read. */
  get active(): boolean {
    return this.state !== DONE;
  }

  /** Feed received bytes. */
  execute(data: Buffer): void {
    let buf = data;
    if (this.pending) {
      buf = Buffer.concat([this.pending, data]);
      this.pending = undefined;
    }
    let at = 0;
    while (at >= 0 && this.state !== DONE) {
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
          if (this.state === BODY) {
            this.complete(at < buf.length);
            return; // the sink may have started the next response: never parse on
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

  /** The connection ended: a read-until-close body is complete (true); anything else is cut short (false). */
  end(): boolean {
    if (this.state !== UNTIL_CLOSE) return false;
    this.complete(true);
    return true;
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
    else if (encoding === 'gzip') this.gzip = true;
    else if (encoding !== '' && encoding !== 'identity') this.failKind = 'http-encoding';
    if (status === 204 || status === 304) {
      this.state = BODY;
      this.remaining = 0;
    } else if (transfer !== '') {
      if (transfer !== 'chunked') return this.bad('transfer-encoding', 'http-encoding');
      this.state = CHUNK_SIZE;
      // Both framings: chunked wins, and the connection is not trusted again (RFC 9112 6.3).
      if (length >= 0) this.keepAlive = false;
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
    this.complete(end < buf.length);
    return -1; // the sink may have started the next response: never parse on
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

  /** Malformed (kind 'bad-response' unless given); -1 stops parsing. */
  private bad(why: string, kind = 'bad-response'): number {
    this.state = DONE;
    this.pending = undefined;
    this.parts = [];
    this.sink.malformed(kind, `${kind}: ${why}`);
    return -1;
  }

  /** Report the response; `leftover`: bytes after it (the connection is out of step). */
  private complete(leftover: boolean): void {
    let parts = this.parts;
    let failKind = this.failKind;
    if (this.gzip && failKind === undefined && parts.length > 0) {
      try {
        parts = [gunzipSync(parts.length === 1 ? parts[0] : Buffer.concat(parts))];
      } catch {
        parts = [];
        failKind = 'http-encoding';
      }
    }
    const reuse = this.keepAlive && !leftover;
    this.state = DONE;
    this.pending = undefined;
    this.parts = [];
    this.sink.complete(parts, failKind, reuse);
  }
}
