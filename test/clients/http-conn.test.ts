import assert from 'node:assert/strict';
import net from 'node:net';
import { after, afterEach, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ByteMeter } from '../../clients/bytes.ts';
import { requestHeaders } from '../../clients/headers.ts';
import type { Target } from '../../clients/http.ts';
import { HttpConnection, type HttpError } from '../../clients/http-conn.ts';
import { until } from './helpers.ts';

/** A ByteMeter that also lists the sockets it was given (the connection's sockets, in order). */
class SpyMeter extends ByteMeter {
  readonly sockets: net.Socket[] = [];
  override track(socket: net.Socket): void {
    this.sockets.push(socket);
    super.track(socket);
  }
}

interface ServerConn {
  socket: net.Socket;
  /** Every byte received, latin1. */
  raw: string;
  requests: number;
}

/** A raw TCP "HTTP server": `answer` is called once per request head and writes whatever it likes. */
class RawServer {
  readonly conns: ServerConn[] = [];
  private readonly server: net.Server;
  private buffered = new Map<ServerConn, string>();

  constructor(private readonly answer: (conn: ServerConn, request: string) => void) {
    this.server = net.createServer((socket) => {
      socket.setNoDelay(true);
      const conn: ServerConn = { socket, raw: '', requests: 0 };
      this.conns.push(conn);
      socket.on('error', () => {});
      socket.on('data', (data) => this.onData(conn, data.toString('latin1')));
    });
  }

  async listen(): Promise<Target> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return { host: '127.0.0.1', port: (this.server.address() as net.AddressInfo).port };
  }

  /** Bytes over every connection so far, from the server's side. */
  bytes(): { read: number; written: number } {
    let read = 0;
    let written = 0;
    for (const c of this.conns) {
      read += c.socket.bytesRead;
      written += c.socket.bytesWritten;
    }
    return { read, written };
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private onData(conn: ServerConn, text: string): void {
    conn.raw += text;
    let pending = (this.buffered.get(conn) ?? '') + text;
    for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
      const request = pending.slice(0, end + 4);
      pending = pending.slice(end + 4);
      conn.requests++;
      this.answer(conn, request);
    }
    this.buffered.set(conn, pending);
  }
}

interface Result {
  err: HttpError | null;
  body?: string;
}

function get(conn: HttpConnection, path = '/poll', timeoutMs = 2_000, headers = {}): Promise<Result> {
  return new Promise((resolve) => conn.get(path, headers, timeoutMs, (err, body) => resolve({ err, body })));
}

function ok(body: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const BODY = '{"messages":[{"seq":1,"data":"héllo ✓ 😀"}],"lastSeq":1}';
/** Chunked, with multi-byte characters cut across chunks, a chunk extension and a trailer. */
const CHUNKED_BYTES = Buffer.concat([
  Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
  Buffer.from('7;name="v"\r\n'),
  Buffer.from(BODY).subarray(0, 7),
  Buffer.from('\r\n'),
  Buffer.from(`${(Buffer.byteLength(BODY) - 7).toString(16)}\r\n`),
  Buffer.from(BODY).subarray(7),
  Buffer.from('\r\n0\r\nX-Checksum: abc\r\n\r\n'),
]);

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** A server answering with `answer`, and a connection to it (both cleaned up after the test). */
async function setup(
  answer: (conn: ServerConn, request: string) => void,
): Promise<{ server: RawServer; conn: HttpConnection; meter: SpyMeter; target: Target }> {
  const server = new RawServer(answer);
  const target = await server.listen();
  const meter = new SpyMeter();
  const conn = new HttpConnection(target, meter);
  cleanups.push(() => server.close());
  cleanups.push(() => conn.destroy());
  return { server, conn, meter, target };
}

describe('HttpConnection: bodies and framing', () => {
  it('reads a content-length body (utf8)', async () => {
    const { conn } = await setup((c) => c.socket.write(ok(BODY)));
    assert.deepEqual(await get(conn), { err: null, body: BODY });
  });

  it('decodes a chunked body with a chunk extension and a trailer', async () => {
    const { conn } = await setup((c) => c.socket.write(CHUNKED_BYTES));
    assert.deepEqual(await get(conn), { err: null, body: BODY });
  });

  it('reads a body without length until the server closes', async () => {
    const { conn } = await setup((c) => c.socket.end(`HTTP/1.1 200 OK\r\n\r\n${BODY}`));
    assert.deepEqual(await get(conn), { err: null, body: BODY });
  });

  it('skips an interim 100 answer', async () => {
    const { conn } = await setup((c) => c.socket.write(`HTTP/1.1 100 Continue\r\n\r\n${ok(BODY)}`));
    assert.deepEqual(await get(conn), { err: null, body: BODY });
  });

  it('gets the same body whatever the read boundaries (2 pieces at every offset, byte by byte)', async () => {
    // The kernel may coalesce writes, so the reads are fed to the connection's own socket:
    // deterministic split points through the real parser. The server swallows the requests.
    const { conn, meter } = await setup(() => {});
    for (const whole of [Buffer.from(ok(BODY)), CHUNKED_BYTES]) {
      const splits = [...Array(whole.length - 1).keys()].map((i) => [
        whole.subarray(0, i + 1),
        whole.subarray(i + 1),
      ]);
      splits.push([...whole].map((b) => Buffer.from([b])));
      for (const pieces of splits) {
        let result: Result | undefined;
        conn.get('/poll', {}, 2_000, (err, body) => {
          result = { err, body };
        });
        for (const piece of pieces) meter.sockets[0].emit('data', piece);
        assert.deepEqual(result, { err: null, body: BODY }, `split at ${pieces[0].length}/${whole.length}`);
      }
    }
    assert.equal(meter.sockets.length, 1, 'one socket for every answer');
  });

  it('gets the body when the server really writes it byte by byte', async () => {
    const { conn } = await setup((c) => {
      const bytes = CHUNKED_BYTES;
      let i = 0;
      const next = (): void => {
        c.socket.write(bytes.subarray(i, i + 1));
        if (++i < bytes.length) setTimeout(next, 0);
      };
      next();
    });
    assert.deepEqual(await get(conn), { err: null, body: BODY });
  });
});

describe('HttpConnection: keep-alive and request bytes', () => {
  it('sends exact request bytes and reuses one socket for sequential requests', async () => {
    const { conn, server, target, meter } = await setup((c) => c.socket.write(ok(BODY)));
    const headers = requestHeaders('browser', 'poll', `http://127.0.0.1:${target.port}`);
    assert.deepEqual(await get(conn, '/long-poll?client=a&wait=0', 2_000, headers), {
      err: null,
      body: BODY,
    });
    assert.deepEqual(await get(conn, '/long-poll?client=a&wait=30000&since=1', 2_000, headers), {
      err: null,
      body: BODY,
    });
    assert.equal(server.conns.length, 1, 'the server saw one connection');
    assert.equal(meter.sockets.length, 1);
    const block = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    const host = `Host: 127.0.0.1:${target.port}\r\n`;
    assert.equal(
      server.conns[0].raw,
      `GET /long-poll?client=a&wait=0 HTTP/1.1\r\n${host}${block}\r\n` +
        `GET /long-poll?client=a&wait=30000&since=1 HTTP/1.1\r\n${host}${block}\r\n`,
    );
    assert.match(server.conns[0].raw, /\r\nsec-ch-ua: "Google Chrome";v="131"/);
  });

  it('done() may start the next request at once (the long-poll re-arm), junk after an answer included', async () => {
    const { conn, server } = await setup((c) =>
      // The first answer is followed by bytes nobody asked for: they must not feed the re-armed request.
      c.socket.write(server.conns.length === 1 ? `${ok(BODY)}HTTP/1.1 500 Oops\r\n\r\n` : CHUNKED_BYTES),
    );
    const second = await new Promise<Result>((resolve) =>
      conn.get('/a', {}, 2_000, (err, body) => {
        assert.deepEqual({ err, body }, { err: null, body: BODY });
        conn.get('/b', {}, 2_000, (err2, body2) => resolve({ err: err2, body: body2 }));
      }),
    );
    assert.deepEqual(second, { err: null, body: BODY });
    assert.equal(server.conns.length, 2, 'the out-of-step socket was not reused');
  });

  it('a second get while one is in flight is a TypeError', async () => {
    const { conn } = await setup(() => {});
    conn.get('/a', {}, 2_000, () => {});
    assert.throws(() => conn.get('/b', {}, 2_000, () => {}), TypeError);
  });

  it('opens a new connection after the server closed the idle one', async () => {
    const { conn, server, meter } = await setup((c) => {
      c.socket.write(ok(BODY));
      if (server.conns.length === 1) c.socket.end();
    });
    assert.equal((await get(conn)).body, BODY);
    await until('the client saw the close', () => meter.sockets[0].destroyed);
    assert.deepEqual(await get(conn), { err: null, body: BODY });
    assert.equal(server.conns.length, 2);
  });

  it('does not reuse a socket after `connection: close`', async () => {
    const { conn, server } = await setup((c) => c.socket.write(ok(BODY, 'Connection: close\r\n')));
    assert.equal((await get(conn)).body, BODY);
    assert.equal((await get(conn)).body, BODY);
    assert.equal(server.conns.length, 2);
  });

  it('chunked beside a content-length: the chunked body is read, then the socket is not reused (RFC 9112 6.3)', async () => {
    const { conn, server } = await setup((c) => {
      const head = CHUNKED_BYTES.indexOf('\r\n\r\n');
      c.socket.write(
        Buffer.concat([
          CHUNKED_BYTES.subarray(0, head),
          Buffer.from('\r\nContent-Length: 3'),
          CHUNKED_BYTES.subarray(head),
        ]),
      );
    });
    assert.deepEqual(await get(conn), { err: null, body: BODY });
    assert.deepEqual(await get(conn), { err: null, body: BODY });
    assert.equal(server.conns.length, 2, 'a smuggling-shaped answer is never followed on the same socket');
  });

  it('unsolicited bytes while idle: the socket goes, the next get works on a fresh one', async () => {
    const { conn, server, meter } = await setup((c) => {
      c.socket.write(ok(BODY));
      if (server.conns.length === 1) setTimeout(() => c.socket.write('HTTP/1.1 200 OK\r\n'), 5);
    });
    assert.equal((await get(conn)).body, BODY);
    await until('the out-of-step socket is destroyed', () => meter.sockets[0].destroyed);
    assert.deepEqual(await get(conn), { err: null, body: BODY });
    assert.equal(server.conns.length, 2);
  });
});

describe('HttpConnection: errors', () => {
  it('non-200 is http-503, its body is read and the connection stays usable', async () => {
    const { conn, server } = await setup((c) =>
      c.socket.write(
        c.requests === 1 ? 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy' : ok(BODY),
      ),
    );
    const { err } = await get(conn);
    assert.equal(err?.kind, 'http-503');
    assert.deepEqual(await get(conn), { err: null, body: BODY });
    assert.equal(server.conns.length, 1);
  });

  it("a gzip body is decoded (chunked too); a corrupt one or another encoding is 'http-encoding'", async () => {
    const gz = gzipSync(BODY);
    const { conn } = await setup((c) => {
      if (c.requests === 1) {
        c.socket.write(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`);
        c.socket.write(gz);
      } else if (c.requests === 2) {
        const half = gz.length >> 1;
        c.socket.write('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n');
        for (const part of [gz.subarray(0, half), gz.subarray(half)]) {
          c.socket.write(`${part.length.toString(16)}\r\n`);
          c.socket.write(part);
          c.socket.write('\r\n');
        }
        c.socket.write('0\r\n\r\n');
      } else if (c.requests === 3) c.socket.write(ok('\x1f\x8b', 'Content-Encoding: gzip\r\n'));
      else c.socket.write(ok(BODY, 'Content-Encoding: br\r\n'));
    });
    assert.deepEqual(await get(conn), { err: null, body: BODY });
    assert.deepEqual(await get(conn), { err: null, body: BODY });
    assert.equal((await get(conn)).err?.kind, 'http-encoding');
    assert.equal((await get(conn)).err?.kind, 'http-encoding');
  });

  it("a server that destroys the socket mid-body: 'aborted'", async () => {
    const { conn } = await setup((c) => {
      c.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"messa');
      setTimeout(() => c.socket.destroy(), 5);
    });
    const { err } = await get(conn);
    assert.equal(err?.kind, 'aborted');
    assert.equal(err?.message, 'connection closed mid-answer');
  });

  it("a server that never answers: 'timeout' within timeoutMs, socket destroyed", async () => {
    const { conn, meter } = await setup(() => {});
    const startedMs = performance.now();
    const { err } = await get(conn, '/poll', 200);
    const elapsedMs = performance.now() - startedMs;
    assert.equal(err?.kind, 'timeout');
    assert.equal(err?.message, 'no answer within 200 ms');
    assert.ok(elapsedMs >= 150 && elapsedMs <= 1_500, `${elapsedMs} ms, expected 200 ± tolerance`);
    assert.equal(meter.sockets[0].destroyed, true);
  });

  it('nothing listening: ECONNREFUSED', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const conn = new HttpConnection({ host: '127.0.0.1', port }, new ByteMeter());
    cleanups.push(() => conn.destroy());
    const { err } = await get(conn);
    assert.equal(err?.code, 'ECONNREFUSED');
  });

  it("headers over 16 KiB: 'bad-response'", async () => {
    const { conn, meter } = await setup((c) =>
      c.socket.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\nContent-Length: 2\r\n\r\n{}`),
    );
    assert.equal((await get(conn)).err?.kind, 'bad-response');
    assert.equal(meter.sockets[0].destroyed, true);
  });

  it("a garbage status line: 'bad-response', and the next get works on a fresh socket", async () => {
    const { conn, server } = await setup((c) =>
      c.socket.write(server.conns.length === 1 ? 'SMTP ready\r\n\r\n' : ok(BODY)),
    );
    assert.equal((await get(conn)).err?.kind, 'bad-response');
    assert.deepEqual(await get(conn), { err: null, body: BODY });
    assert.equal(server.conns.length, 2);
  });

  it('abort(): done is never called and the socket is destroyed', async () => {
    let requests = 0;
    const { conn, meter } = await setup((c) => {
      // The first request is answered only after the abort.
      if (++requests === 1) setTimeout(() => c.socket.write(ok(BODY)), 20);
      else c.socket.write(ok(BODY));
    });
    let called = false;
    const abort = conn.get('/poll', {}, 2_000, () => {
      called = true;
    });
    await until('the request reached the server', () => requests === 1);
    abort();
    assert.equal(meter.sockets[0].destroyed, true);
    // A later request on the same connection completes; the aborted one still has no callback.
    assert.deepEqual(await get(conn), { err: null, body: BODY });
    abort(); // stale: must not touch the (finished) second request's socket
    assert.equal(meter.sockets[1].destroyed, false);
    assert.equal(called, false);
  });
});

describe('HttpConnection: byte accounting', () => {
  let server: RawServer | undefined;
  after(() => server?.close());

  it('ByteMeter totals equal the bytes the server wrote and read', async () => {
    server = new RawServer((c) =>
      c.socket.write(c.requests === 2 ? ok(BODY, 'Connection: close\r\n') : CHUNKED_BYTES),
    );
    const target = await server.listen();
    const meter = new ByteMeter();
    const conn = new HttpConnection(target, meter);
    for (let i = 0; i < 4; i++) assert.equal((await get(conn, `/poll?i=${i}`)).body, BODY);
    assert.equal(server.conns.length, 2, 'connection: close forced a second connection');
    conn.destroy();
    await until('the client sockets closed', () => meter.openSockets === 0);
    await until('the server sockets closed', () => server!.conns.every((c) => c.socket.closed));
    const { read, written } = server.bytes();
    assert.deepEqual(meter.totals(), { inBytes: written, outBytes: read });
  });
});
