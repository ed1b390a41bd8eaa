/** Raw-socket helpers for test/perf: the exact bytes a server sends, after its response head. */
import { once } from 'node:events';
import net from 'node:net';

/** A raw TCP client that sends one HTTP request and collects every byte after the head. */
export class RawStream {
  readonly socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private headEnd = -1;

  constructor(port: number, request: string) {
    this.socket = net.connect({ port, host: '127.0.0.1' });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      if (this.headEnd < 0) {
        const at = this.buffer.indexOf('\r\n\r\n');
        if (at >= 0) this.headEnd = at + 4;
      }
    });
    this.socket.on('error', () => {});
    this.socket.write(request);
  }

  /** The response head (status line and headers), once it arrived. */
  get head(): string {
    return this.headEnd < 0 ? '' : this.buffer.subarray(0, this.headEnd).toString('latin1');
  }

  /** Bytes after the head so far. */
  get body(): Buffer {
    return this.headEnd < 0 ? Buffer.alloc(0) : this.buffer.subarray(this.headEnd);
  }

  /** Resolve once the body holds at least `bytes` bytes (reject after timeoutMs). */
  async bodyAtLeast(bytes: number, timeoutMs = 5_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.body.length < bytes) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${bytes} body bytes (${this.body.length})`);
      await Promise.race([once(this.socket, 'data'), new Promise((r) => setTimeout(r, 50))]);
    }
    return this.body;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A WebSocket upgrade request for `path` (a fixed key: the test does not check the accept). */
export function upgradeRequest(path: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
  );
}

/** A plain GET with keep-alive. */
export function getRequest(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`;
}

/** Length of the first unmasked WebSocket frame at the start of `buf` (header + payload). */
export function frameLength(buf: Buffer): number {
  const len7 = buf[1] & 0x7f;
  if (len7 < 126) return 2 + len7;
  if (len7 === 126) return 4 + buf.readUInt16BE(2);
  return 10 + Number(buf.readBigUInt64BE(2));
}
