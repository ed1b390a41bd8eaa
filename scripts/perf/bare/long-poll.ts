/**
 * The bare long-poll baseline (docs/perf.md, comparison 7): a `node:http` server whose
 * `GET /long-poll?since=N` is held until the next publish, then every held response is
 * answered with `res.writeHead` + `res.end` of one body built once per message — the same
 * answer body pushbench gives (docs/wire.md PollResponse: the new envelope, lastSeq,
 * oldestSeq) — or, after `wait` (default 25 s), with an empty answer. It keeps only the
 * latest message: no retention, no index, no validation beyond `since`, no accounting.
 */
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { nowMs } from '../../../core/clock.ts';
import { BareSource } from './source.ts';
import type { BareOptions, BareServer } from './types.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
const WAIT_MS = 25_000;

interface Held {
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

/** Start the bare long-poll server on 127.0.0.1, any free port. */
export async function startBareLongPoll(opts: BareOptions): Promise<BareServer> {
  const held = new Set<Held>();
  const sockets = new Set<import('node:net').Socket>();
  let seq = 0;
  let last = '';
  const releases: number[] = [];
  const body = (messages: string) => `{"messages":[${messages}],"lastSeq":${seq},"oldestSeq":1}`;
  const send = (res: ServerResponse, text: string) => {
    res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const since = q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('since');
    if (since === null || Number(since) < seq) {
      send(res, body(since === null || seq === 0 ? '' : last));
      return;
    }
    const h: Held = {
      res,
      timer: setTimeout(() => {
        held.delete(h);
        send(res, body(''));
      }, WAIT_MS),
    };
    held.add(h);
    res.once('close', () => {
      clearTimeout(h.timer);
      held.delete(h);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const source = new BareSource(opts.ratePerS, opts.sizeBytes, (json) => {
    const at = nowMs();
    seq++;
    last = json;
    const text = body(json);
    for (const h of held) {
      clearTimeout(h.timer);
      send(h.res, text);
    }
    held.clear();
    releases.push(nowMs() - at);
  });
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => sockets.size,
    startSource: () => source.start(),
    stopSource: () => source.stop(),
    takeReleaseMs: () => releases.splice(0),
    close: () => {
      source.stop();
      for (const h of held) clearTimeout(h.timer);
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
