/**
 * One keep-alive HTTP/1.1 connection over node:net for the polling clients: sequential GETs
 * (at most one in flight), the response read by clients/http-response.ts, one absolute
 * timeout per request (get() → body end), and every socket handed to the client's
 * ByteMeter. node:http cost ~134 µs CPU per answer + re-arm in the generator; this does
 * the same work in a fraction of that.
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
import { isHeaderToken, ResponseParser, type ResponseSink } from './http-response.ts';

export type HttpError = Error & { kind?: string; code?: string };
/** Called once per get(): (null, utf8 body) for a 200, else (error). Never after abort / destroy. */
export type HttpDone = (err: HttpError | null, body?: string) => void;

export class HttpConnection implements ResponseSink {
  private readonly hostHeader: string;
  private readonly parser = new ResponseParser(this);
  private socket: Socket | undefined;
  private done: HttpDone | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timeoutMs = 0;
  /** Id of the latest get() (an abort function only acts on its own request). */
  private requestId = 0;
  /** The request header block is built once per headers object. */
  private lastHeaders: Record<string, string> | undefined;
  private headerBlock = '';
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
    this.parser.reset();
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

  /** ResponseSink: the answer is complete (the parser has stopped). */
  complete(body: Buffer[], failKind: string | undefined, reuse: boolean): void {
    const done = this.done;
    this.clear();
    if (!reuse) this.drop();
    if (!done) return;
    if (failKind !== undefined) done(kindError(failKind));
    else done(null, body.length === 1 ? body[0].toString('utf8') : Buffer.concat(body).toString('utf8'));
  }

  /** ResponseSink: the bytes could not be parsed. */
  malformed(kind: string, why: string): void {
    this.fail(kindError(kind, why));
  }

  private buildHeaderBlock(headers: Record<string, string>): string {
    let block = '';
    for (const [name, value] of Object.entries(headers)) {
      if (!isHeaderToken(name) || value.includes('\r') || value.includes('\n')) {
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

  private onData(data: Buffer): void {
    if (this.done && this.parser.active) this.parser.execute(data);
    else this.drop(); // nobody asked: the connection is out of step
  }

  /** The server closed the socket (or it closed for any reason we did not see as an error). */
  private onGone(): void {
    if (this.done && this.parser.end()) return;
    this.fail(kindError('aborted', 'connection closed mid-answer'));
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
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }
}
