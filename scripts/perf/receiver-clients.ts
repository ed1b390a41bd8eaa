/**
 * The minimal receivers both sides of a fan-out comparison are measured with: a `ws`
 * client, a raw `node:http` SSE stream, or a long-poll loop on one keep-alive connection
 * (the generator's small HTTP/1.1 client, clients/http-conn.ts) that parses each message's
 * JSON and hands its `t` to `onEnvelope` — no heartbeat, no dedupe, no byte metering beyond
 * what the connection does. Messages with a `type` (hello, pong) are control messages and skipped.
 */
import { request } from 'node:http';
import WebSocket from 'ws';
import { ByteMeter } from '../../clients/bytes.ts';
import { targetOf } from '../../clients/http.ts';
import { HttpConnection } from '../../clients/http-conn.ts';

export type ReceiverProtocol = 'ws' | 'sse' | 'long-poll';

/** An open receiver. */
export interface Receiver {
  close(): Promise<void>;
}

type OnEnvelope = (publishedAtMs: number) => void;

function handle(json: string, onEnvelope: OnEnvelope): void {
  const msg = JSON.parse(json) as { type?: string; t?: number };
  if (msg.type === undefined && typeof msg.t === 'number') onEnvelope(msg.t);
}

/** Connect one ws receiver; resolves once open. */
export function openWs(url: string, onEnvelope: OnEnvelope): Promise<Receiver> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('message', (data: Buffer) => handle(data.toString(), onEnvelope));
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => {});
      resolve({
        close: () =>
          new Promise<void>((done) => {
            if (ws.readyState === WebSocket.CLOSED) return done();
            ws.once('close', () => done());
            ws.terminate();
          }),
      });
    });
  });
}

/** Split a text/event-stream into events and hand each `data:` line on. */
function sseParser(onEnvelope: OnEnvelope): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const at = event.indexOf('data: ');
      if (at >= 0) {
        const eol = event.indexOf('\n', at);
        handle(event.slice(at + 6, eol < 0 ? undefined : eol), onEnvelope);
      }
      end = buffer.indexOf('\n\n');
    }
  };
}

/** Open one SSE receiver; resolves once the response head arrived. */
export function openSse(url: string, onEnvelope: OnEnvelope): Promise<Receiver> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`SSE answered ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', sseParser(onEnvelope));
      res.on('error', () => {});
      const socket = res.socket;
      resolve({
        close: () =>
          new Promise<void>((done) => {
            if (socket.destroyed) return done();
            socket.once('close', () => done());
            socket.destroy();
          }),
      });
    });
    req.once('error', reject);
    req.end();
  });
}

const LONG_POLL_TIMEOUT_MS = 60_000;

/**
 * Open one long-poll receiver at `url` (`…/long-poll?client=ID`): subscribe (no `since`), then
 * poll after the answer's lastSeq again and again. Resolves once the subscribe answer came (the
 * next request is on its way to be held). Stops at the first error.
 */
export function openLongPoll(url: string, onEnvelope: OnEnvelope): Promise<Receiver> {
  const u = new URL(url);
  const path = `${u.pathname}${u.search}`;
  const conn = new HttpConnection(targetOf(u.origin), new ByteMeter());
  const headers = {};
  let abort: (() => void) | undefined;
  let closed = false;
  return new Promise((resolve, reject) => {
    let first = true;
    const poll = (since: number | undefined) => {
      const at = since === undefined ? path : `${path}&since=${since}`;
      abort = conn.get(at, headers, LONG_POLL_TIMEOUT_MS, (err, body) => {
        if (closed) return;
        if (err || body === undefined) {
          if (first) reject(err ?? new Error('long-poll: no body'));
          return;
        }
        const answer = JSON.parse(body) as { messages: Array<{ t: number }>; lastSeq: number };
        for (const m of answer.messages) onEnvelope(m.t);
        poll(answer.lastSeq);
        if (first) {
          first = false;
          resolve({
            close: async () => {
              closed = true;
              abort?.();
              conn.destroy();
            },
          });
        }
      });
    };
    poll(undefined);
  });
}
