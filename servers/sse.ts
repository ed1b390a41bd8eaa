/**
 * sse — `GET /sse?client=ID[&since=N]` (or `Last-Event-ID: N`): a
 * `text/event-stream` that starts with `retry:` and a hello event, then the
 * backlog after since, then one event per envelope (`id:` = seq, `data:` = the
 * envelope JSON; its bytes — chunk framing included — built once per message for
 * every stream, sse-event.ts) and a `: ka` comment every sseKeepAliveMs. A stream
 * holding more unsent bytes than sendBufferLimitBytes is destroyed (slow consumer).
 * httpCompression: a client that accepts gzip gets its own gzip stream, flushed after every
 * event (the shared prepared bytes cannot be used: each stream has its own compressor state).
 */

import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createGzip, type Gzip, constants as zlibConstants } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { Envelope } from '../core/types.ts';
import { ClientIndex } from './client-index.ts';
import type { ServerContext } from './context.ts';
import { acceptsGzip } from './poll-answer.ts';
import type { Entry } from './source.ts';
import { SpreadTimer } from './spread.ts';
import { directStreamSocket, type PreparedEvent, prepareEvent, writeEvent } from './sse-event.ts';
import { parseQuery } from './validate.ts';

interface Stream {
  res: ServerResponse;
  /** httpCompression: the stream's own gzip (flushed after every write), piped into res. */
  gzip: Gzip | null;
  /** Where prepared events are written directly (sse-event.ts), null: through res.write. */
  socket: Socket | null;
  client: string;
}

const KEEP_ALIVE = prepareEvent(': ka\n\n');

function eventText(e: Entry): string {
  return `id: ${e.env.seq}\ndata: ${e.json}\n\n`;
}

/** Register GET /sse. */
export function sse(app: FastifyInstance, ctx: ServerContext): void {
  const counters = ctx.count('sse');
  const limit = ctx.options.sendBufferLimitBytes;
  const streams = new Set<Stream>();
  const byClient = new ClientIndex<Stream>();

  /** Write unless the stream already holds more than the limit unsent (then destroy it). */
  function write(s: Stream, event: PreparedEvent): boolean {
    const socket = s.res.socket;
    if (!socket || socket.destroyed) return false;
    // res.writableLength = its own queue + the socket's (Node's OutgoingMessage).
    if (s.res.writableLength + (s.gzip?.writableLength ?? 0) > limit) {
      counters.slowConsumers++;
      socket.destroy();
      return false;
    }
    if (s.gzip) s.gzip.write(event.raw);
    else writeEvent(s.res, s.socket, event);
    return true;
  }

  /** The stream's first bytes: retry, hello, the backlog after since (may throw: built before the hijack). */
  function headOf(client: string, since: number | undefined): { head: string; count: number } {
    const slice = ctx.source.slice(since, client);
    let head = `retry: ${ctx.options.sseRetryMs}\n\nevent: hello\ndata: ${JSON.stringify({ type: 'hello', ...slice.info, ...ctx.source.helloExtra(client) })}\n\n`;
    for (const e of slice.entries) head += eventText(e);
    return { head, count: slice.entries.length };
  }

  function open(
    res: ServerResponse,
    client: string,
    first: { head: string; count: number },
    gzipped: boolean,
  ): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...(gzipped ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
    });
    // Every write is flushed (Z_SYNC_FLUSH): an event is never held back in the compressor.
    const gzip = gzipped ? createGzip({ flush: zlibConstants.Z_SYNC_FLUSH }) : null;
    if (gzip) {
      gzip.on('error', () => res.destroy());
      gzip.pipe(res);
    }
    if (gzip) gzip.write(first.head);
    else res.write(first.head);
    counters.messagesSent += first.count;
    const s: Stream = { res, gzip, socket: gzip ? null : directStreamSocket(res), client };
    streams.add(s);
    byClient.add(client, s);
    keepAlive.add(s);
    // One shared listener ('close' fires once), the stream found through a WeakMap: no closure per stream.
    streamOf.set(res, s);
    res.on('close', onClose);
  }

  const streamOf = new WeakMap<ServerResponse, Stream>();
  function onClose(this: ServerResponse): void {
    const s = streamOf.get(this);
    if (!s) return;
    s.gzip?.destroy();
    streams.delete(s);
    byClient.delete(s.client, s);
    keepAlive.delete(s);
  }

  const onMessage = (env: Envelope, json: string) => {
    const targets = env.to === undefined ? streams : byClient.get(env.to);
    if (!targets || targets.size === 0) return;
    const event = prepareEvent(eventText({ env, json }));
    let sent = 0;
    for (const s of targets) if (write(s, event)) sent++;
    counters.messagesSent += sent;
  };
  ctx.source.on('message', onMessage);

  // Each stream gets a keep-alive once per interval, a slice of the streams per tick (servers/spread.ts).
  const keepAlive = new SpreadTimer<Stream>(ctx.options.sseKeepAliveMs, (s) => write(s, KEEP_ALIVE));

  ctx.onShutdown(() => {
    keepAlive.stop();
    ctx.source.off('message', onMessage);
    for (const s of [...streams]) {
      // End the chunked stream (gzip: its trailer first), then the connection (FIN after the terminator).
      if (s.gzip) s.gzip.end(() => s.res.socket?.end());
      else {
        s.res.end();
        s.res.socket?.end();
      }
    }
  });

  app.get('/sse', { config: { protocol: 'sse' } }, async (req, reply) => {
    const q = parseQuery(req.query, { lastEventId: req.headers['last-event-id'] });
    if (ctx.shuttingDown) {
      reply.header('connection', 'close');
      return reply.code(204).send();
    }
    // Everything that can throw runs before the hijack: a failure is then fastify's 500 PB_INTERNAL.
    const first = headOf(q.client, q.since);
    const gzipped = ctx.options.httpCompression && acceptsGzip(req.headers['accept-encoding']);
    reply.hijack();
    try {
      open(reply.raw, q.client, first, gzipped);
    } catch {
      // After the hijack nobody answers for us: a stream that cannot start is closed, never left hanging.
      reply.raw.destroy();
    }
  });
}
