/**
 * The soak's bad inputs (docs/reliability.md "Bad inputs"): each one sent to the server while
 * the protocols carry load, with the answer docs/wire.md (and docs/servers.md) promise for it.
 * A probe returns whether the answer was the documented one and what really came back, so a
 * failure reads "expected 415 {error}, got 400 PB_BAD_BODY". Every probe is bounded in time and
 * closes what it opened.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { rawHttp } from './raw-http.ts';

export interface Target {
  host: string;
  port: number;
}

export interface ProbeOutcome {
  ok: boolean;
  got: string;
}

export interface Probe {
  name: string;
  /** What is sent. */
  input: string;
  /** What the docs promise. */
  expected: string;
  /** Where the promise is written. */
  rule: string;
  /** How long one try may take (default 5 s): the soak starts no try that would outlast the run. */
  limitMs?: number;
  run(t: Target, seq: number): Promise<ProbeOutcome>;
}

/** A slow body (one byte every second) must be cut by the server's request timeout (30 s) within this. */
export const SLOW_BODY_LIMIT_MS = 40_000;
const ANSWER_MS = 5_000;

function head(method: string, path: string, t: Target, extra: string[] = []): string {
  return [
    `${method} ${path} HTTP/1.1`,
    `Host: ${t.host}:${t.port}`,
    ...extra,
    'Connection: close',
    '',
    '',
  ].join('\r\n');
}

/** "400 PB_BAD_QUERY", "no answer within 5 s", "closed after 12 ms without an answer". */
function describe(a: Awaited<ReturnType<typeof rawHttp>>, limitMs: number): string {
  if (a === null) return `no answer within ${limitMs / 1000} s`;
  if ('closed' in a) return `connection closed after ${a.afterMs} ms without an answer`;
  const code = errorCode(a.body);
  return `${a.status} ${code ?? `(body not {error:{code,message}}: ${JSON.stringify(a.body.slice(0, 60))})`}`;
}

/** The error code of a documented error body `{"error":{"code","message"}}`, else undefined. */
function errorCode(body: string): string | undefined {
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    return typeof e?.code === 'string' && typeof e.message === 'string' ? e.code : undefined;
  } catch {
    return undefined;
  }
}

/** An HTTP probe: the answer must have `status` and an error body (with `code` when given). */
function httpProbe(
  name: string,
  input: string,
  rule: string,
  status: number,
  code: string | undefined,
  request: (t: Target) => { data: string | Buffer | Array<string | Buffer>; pieceEveryMs?: number },
  opts: { limitMs?: number; maxBodyBytes?: number } = {},
): Probe {
  const limitMs = opts.limitMs ?? ANSWER_MS;
  return {
    name,
    input,
    rule,
    limitMs,
    expected: `${status} ${code ?? '{error:{code,message}}'}${opts.maxBodyBytes ? `, body ≤ ${opts.maxBodyBytes} B` : ''}`,
    async run(t) {
      const a = await rawHttp({ host: t.host, port: t.port, timeoutMs: limitMs, ...request(t) });
      let got = describe(a, limitMs);
      let ok = a !== null && 'status' in a && a.status === status;
      if (ok && a && 'status' in a) {
        const c = errorCode(a.body);
        ok = c !== undefined && (code === undefined || c === code);
        if (opts.maxBodyBytes && Buffer.byteLength(a.body) > opts.maxBodyBytes) {
          ok = false;
          got += `, body ${Buffer.byteLength(a.body)} B`;
        }
      }
      return { ok, got };
    },
  };
}

function publish(t: Target, body: string | Buffer, type = 'application/json'): { data: Buffer } {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return {
    data: Buffer.concat([
      Buffer.from(head('POST', '/publish', t, [`Content-Type: ${type}`, `Content-Length: ${b.length}`])),
      b,
    ]),
  };
}

// ---------------------------------------------------------------- WebSocket

type WsEvent = { kind: 'message'; text: string; binary: boolean } | { kind: 'close'; code: number };

/** Open /ws, wait for the hello, send `frame`, collect what follows for up to `forMs`. */
async function wsExchange(
  t: Target,
  client: string,
  send: (ws: WebSocket) => void,
  until: (events: WsEvent[]) => boolean,
  forMs = ANSWER_MS,
): Promise<WsEvent[] | string> {
  const ws = new WebSocket(`ws://${t.host}:${t.port}/ws?client=${client}`);
  const events: WsEvent[] = [];
  try {
    return await new Promise<WsEvent[] | string>((resolve) => {
      const timer = setTimeout(() => resolve(events), forMs);
      let hello = false;
      const check = () => {
        if (until(events)) {
          clearTimeout(timer);
          resolve(events);
        }
      };
      ws.on('error', (err) => {
        clearTimeout(timer);
        resolve(`socket error: ${err.message}`);
      });
      ws.on('message', (data, binary) => {
        const text = data.toString();
        if (!hello) {
          hello = true;
          send(ws);
          return;
        }
        // The live broadcast flows on this connection too: only the answers count.
        if (isEnvelope(text)) return;
        events.push({ kind: 'message', text, binary });
        check();
      });
      ws.on('close', (code) => {
        events.push({ kind: 'close', code });
        clearTimeout(timer);
        resolve(events);
      });
    });
  } finally {
    ws.terminate();
  }
}

/** An envelope (docs/wire.md: a seq, no type), not an answer to the probe. */
function isEnvelope(text: string): boolean {
  try {
    const m = JSON.parse(text) as { seq?: unknown; type?: unknown };
    return typeof m.seq === 'number' && m.type === undefined;
  } catch {
    return false;
  }
}

function wsErrorCode(e: WsEvent): string | undefined {
  if (e.kind !== 'message') return undefined;
  try {
    const m = JSON.parse(e.text) as { type?: unknown; code?: unknown };
    return m.type === 'error' && typeof m.code === 'string' ? m.code : undefined;
  } catch {
    return undefined;
  }
}

function isPong(e: WsEvent): boolean {
  if (e.kind !== 'message') return false;
  try {
    return (JSON.parse(e.text) as { type?: unknown }).type === 'pong';
  } catch {
    return false;
  }
}

function describeWs(r: WsEvent[] | string): string {
  if (typeof r === 'string') return r;
  if (r.length === 0) return 'nothing within 5 s';
  return r
    .map((e) =>
      e.kind === 'close' ? `close ${e.code}` : (wsErrorCode(e) ?? (isPong(e) ? 'pong' : 'message')),
    )
    .join(', ');
}

/** A bad frame answered by an error message and the connection still open (a ping after it is answered). */
function wsErrorProbe(name: string, input: string, frame: string | Buffer, code: string): Probe {
  return {
    name,
    input,
    rule: 'docs/wire.md WebSocket: error frame, the connection stays open',
    expected: `error ${code}, then a pong to the next ping`,
    async run(t, seq) {
      const r = await wsExchange(
        t,
        `soak-probe-${seq}`,
        (ws) => {
          ws.send(frame, { binary: Buffer.isBuffer(frame) });
          ws.send(JSON.stringify({ type: 'ping', t: 1 }));
        },
        (ev) => ev.some(isPong) || ev.some((e) => e.kind === 'close'),
      );
      const ok =
        typeof r !== 'string' &&
        r.length >= 2 &&
        wsErrorCode(r[0]) === code &&
        r.slice(1).some(isPong) &&
        !r.some((e) => e.kind === 'close');
      return { ok, got: describeWs(r) };
    },
  };
}

/** An unmasked client frame over a raw socket: RFC 6455 §5.1 says the server must close (1002). */
function unmaskedFrame(t: Target, seq: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: t.host, port: t.port });
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const done = (o: ProbeOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done({ ok: false, got: 'no close within 5 s' }), ANSWER_MS);
    socket.on('error', () => done({ ok: false, got: 'socket error before a close frame' }));
    socket.on('close', () => done({ ok: false, got: 'TCP close without a close frame' }));
    socket.on('connect', () => {
      socket.write(
        head('GET', `/ws?client=soak-probe-${seq}`, t, [
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
        ]).replace('Connection: close\r\n', ''),
      );
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, 12).toString().includes('101'))
          return done({ ok: false, got: `upgrade refused: ${buf.subarray(0, 12).toString()}` });
        upgraded = true;
        buf = buf.subarray(end + 4);
        // FIN + text, no MASK bit, 2 bytes: "hi".
        socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
      }
      // Server frames are unmasked: walk them looking for a close (opcode 8).
      let at = 0;
      while (buf.length - at >= 2) {
        const op = buf[at] & 0x0f;
        let len = buf[at + 1] & 0x7f;
        let off = at + 2;
        if (len === 126) {
          if (buf.length - at < 4) return;
          len = buf.readUInt16BE(at + 2);
          off = at + 4;
        } else if (len === 127) {
          if (buf.length - at < 10) return;
          len = Number(buf.readBigUInt64BE(at + 2));
          off = at + 10;
        }
        if (buf.length < off + len) return;
        if (op === 8) {
          const code = len >= 2 ? buf.readUInt16BE(off) : 1005;
          return done({ ok: code === 1002, got: `close ${code}` });
        }
        at = off + len;
      }
    });
  });
}

/** Every bad input of the soak, in the order they are fired (round-robin over the run). */
export function probes(): Probe[] {
  const longId = 'x'.repeat(65);
  return [
    httpProbe(
      'query-bad-since',
      'GET /poll?since=abc',
      'docs/wire.md Common query parameters',
      400,
      'PB_BAD_QUERY',
      (t) => ({ data: head('GET', '/poll?since=abc&client=soak', t) }),
    ),
    httpProbe(
      'query-bad-encoding',
      'GET /long-poll?since=%zz&wait=-1',
      'docs/wire.md Common query parameters',
      400,
      'PB_BAD_QUERY',
      (t) => ({ data: head('GET', '/long-poll?since=%zz&wait=-1', t) }),
    ),
    httpProbe(
      'query-long-client',
      'GET /sse?client=<65 chars>',
      'docs/wire.md Common query parameters',
      400,
      'PB_BAD_QUERY',
      (t) => ({ data: head('GET', `/sse?client=${longId}`, t) }),
    ),
    httpProbe(
      'sse-bad-last-event-id',
      'GET /sse with Last-Event-ID: -5',
      'docs/wire.md SSE',
      400,
      'PB_BAD_QUERY',
      (t) => ({ data: head('GET', '/sse?client=soak', t, ['Last-Event-ID: -5']) }),
    ),
    httpProbe(
      'ws-upgrade-bad-since',
      'GET /ws?since=-1 (upgrade)',
      'docs/wire.md Common query parameters (400 before the upgrade)',
      400,
      'PB_BAD_QUERY',
      (t) => ({
        data: head('GET', '/ws?client=soak&since=-1', t, [
          'Upgrade: websocket',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
        ]).replace('Connection: close', 'Connection: Upgrade'),
      }),
    ),
    httpProbe(
      'ws-without-upgrade',
      'GET /ws without Upgrade',
      'docs/wire.md Errors (426 with a body)',
      426,
      'PB_UPGRADE_REQUIRED',
      (t) => ({ data: head('GET', '/ws?client=soak', t) }),
    ),
    httpProbe(
      'publish-too-large',
      'POST /publish, 80 KiB body',
      'docs/wire.md Publish (≤ 64 KiB)',
      413,
      'PB_BODY_TOO_LARGE',
      (t) => publish(t, JSON.stringify({ data: 'x'.repeat(80 * 1024) })),
    ),
    httpProbe('publish-bad-json', 'POST /publish {"data":', 'docs/wire.md Publish', 400, 'PB_BAD_BODY', (t) =>
      publish(t, '{"data":'),
    ),
    httpProbe(
      'publish-bad-field',
      'POST /publish {"data":5,"x":1}',
      'docs/wire.md Publish',
      400,
      'PB_BAD_BODY',
      (t) => publish(t, '{"data":5,"x":1}'),
    ),
    httpProbe(
      'publish-wrong-type',
      'POST /publish as text/plain',
      'docs/wire.md Publish',
      415,
      'PB_UNSUPPORTED_MEDIA_TYPE',
      (t) => publish(t, '{"data":"x"}', 'text/plain'),
    ),
    httpProbe(
      'publish-slow-body',
      'POST /publish, 1 byte per second',
      'docs/wire.md Errors, docs/servers.md requestTimeoutMs (30 s)',
      408,
      'PB_REQUEST_TIMEOUT',
      (t) => {
        const body = JSON.stringify({ data: 'y'.repeat(100) });
        const pieces: Array<string | Buffer> = [
          head('POST', '/publish', t, ['Content-Type: application/json', `Content-Length: ${body.length}`]),
          ...body.split(''),
        ];
        return { data: pieces, pieceEveryMs: 1_000 };
      },
      { limitMs: SLOW_BODY_LIMIT_MS },
    ),
    httpProbe(
      'url-bad-encoding',
      'GET /%zz',
      'docs/wire.md Errors (a path that is not valid %-encoding)',
      400,
      'PB_BAD_REQUEST',
      (t) => ({ data: head('GET', '/%zz', t) }),
    ),
    httpProbe(
      'url-malformed',
      'GET //[',
      'docs/wire.md Errors (unknown route)',
      404,
      'PB_NOT_FOUND',
      (t) => ({
        data: head('GET', '//[', t),
      }),
    ),
    httpProbe('not-found', 'GET /nope', 'docs/wire.md Errors (unknown route)', 404, 'PB_NOT_FOUND', (t) => ({
      data: head('GET', '/nope', t),
    })),
    httpProbe(
      'path-too-long',
      'GET /websocket/<10 KB id>',
      'docs/wire.md Errors (a path segment over 1,000 characters; nothing echoed)',
      414,
      'PB_URI_TOO_LONG',
      (t) => ({ data: head('GET', `/websocket/${'a'.repeat(10_000)}`, t) }),
      { maxBodyBytes: 1_024 },
    ),
    httpProbe(
      'headers-too-large',
      'GET /stats with a 20 KB header',
      'docs/wire.md Errors (headers over 16 KiB)',
      431,
      'PB_HEADERS_TOO_LARGE',
      (t) => ({ data: head('GET', '/stats', t, [`X-Big: ${'b'.repeat(20_000)}`]) }),
    ),
    httpProbe(
      'host-not-loopback',
      'GET /stats with Host: evil.example',
      'docs/wire.md Host header',
      421,
      'PB_BAD_HOST',
      (t) => ({ data: head('GET', '/stats', t).replace(`Host: ${t.host}:${t.port}`, 'Host: evil.example') }),
    ),
    httpProbe(
      'ws-upgrade-bad-host',
      'WebSocket upgrade with Host: evil.example',
      'docs/wire.md Host header (WebSocket upgrades included)',
      421,
      'PB_BAD_HOST',
      (t) => ({
        data: head('GET', '/ws?client=soak', t, [
          'Upgrade: websocket',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
        ])
          .replace('Connection: close', 'Connection: Upgrade')
          .replace(`Host: ${t.host}:${t.port}`, 'Host: evil.example'),
      }),
    ),
    wsErrorProbe('ws-bad-json', 'WebSocket text frame "not json{"', 'not json{', 'PB_WS_BAD_JSON'),
    wsErrorProbe(
      'ws-unknown-type',
      'WebSocket frame {"type":"subscribe"}',
      '{"type":"subscribe"}',
      'PB_WS_UNKNOWN_TYPE',
    ),
    {
      name: 'ws-oversized-frame',
      input: 'WebSocket text frame of 8 KiB',
      expected: 'close 1009',
      rule: 'docs/wire.md WebSocket close codes (maxPayload 4 KiB)',
      async run(t, seq) {
        const r = await wsExchange(
          t,
          `soak-probe-${seq}`,
          (ws) => ws.send('z'.repeat(8 * 1024)),
          (ev) => ev.some((e) => e.kind === 'close'),
        );
        const ok = typeof r !== 'string' && r.some((e) => e.kind === 'close' && e.code === 1009);
        return { ok, got: describeWs(r) };
      },
    },
    wsErrorProbe(
      'ws-binary-frame',
      'WebSocket binary frame holding {"type":"ping"}',
      Buffer.from(JSON.stringify({ type: 'ping', t: 1 })),
      'PB_WS_BINARY',
    ),
    {
      name: 'ws-unmasked-frame',
      input: 'WebSocket client frame without the mask bit (raw socket)',
      expected: 'close 1002',
      rule: 'RFC 6455 §5.1 (docs/wire.md WebSocket)',
      run: unmaskedFrame,
    },
    {
      name: 'socketio-bad-auth',
      input: 'socket.io handshake auth {client: "bad id!"}',
      expected: 'connect_error naming PB_BAD_QUERY',
      rule: 'docs/wire.md socket.io (a bad value refuses the connection with PB_BAD_QUERY)',
      run: (t) =>
        new Promise((resolve) => {
          const socket = io(`http://${t.host}:${t.port}`, {
            auth: { client: 'bad id!' },
            transports: ['websocket'],
            reconnection: false,
            timeout: ANSWER_MS,
          });
          const done = (o: ProbeOutcome) => {
            clearTimeout(timer);
            socket.disconnect();
            socket.close();
            resolve(o);
          };
          const timer = setTimeout(() => done({ ok: false, got: 'no answer within 5 s' }), ANSWER_MS + 500);
          socket.on('connect', () => done({ ok: false, got: 'connected' }));
          socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
            const text = `${err.message}${err.data?.code ? ` (data.code ${err.data.code})` : ''}`;
            done({ ok: text.includes('PB_BAD_QUERY'), got: `connect_error: ${text.slice(0, 120)}` });
          });
        }),
    },
  ];
}
