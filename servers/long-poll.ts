/**
 * long-poll — `GET /long-poll?since=N&client=ID&wait=MS`: like /poll, but with
 * nothing after N the request is held until a message for this client is
 * published (answered in the same tick: a synchronous burst goes out as one
 * answer) or `wait` elapses (empty answer). Held requests are answered at once
 * on shutdown, with `Connection: close`.
 *
 * Releasing: at 5,000 held requests a publish answers all of them in one tick, so each answer
 * is written as one prebuilt response (status line, headers and body; poll-answer.ts
 * `PollAnswers.wire`, built once per answer and second) with a single socket write, outside
 * fastify's per-reply machinery (docs/perf.md "Long polling at its floor"). Such requests
 * are taken over (`reply.hijack()`) when they are held; only plain keep-alive HTTP/1.1 GETs
 * without gzip qualify, the rest are answered through fastify as before. The bytes are the
 * ones fastify and node:http would write (tested). Such a request that will be held is also
 * taken before fastify routes it (ServerContext.directRequest): what fastify's hooks do for
 * it — host check, connection limit, shutdown, metering — is checked or done here, and any
 * request this path does not take (a bad query, an answer due at once) goes to fastify.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isLoopbackHostHeader } from '../core/loopback.ts';
import type { Envelope } from '../core/types.ts';
import { ClientIndex } from './client-index.ts';
import type { ServerContext } from './context.ts';
import { acceptsGzip, type WireAnswer } from './poll-answer.ts';
import { parseQuery } from './validate.ts';

interface Held {
  since: number;
  client: string;
  res: ServerResponse;
  /** Absent when the request never went through fastify (the direct path). */
  reply?: FastifyReply;
  timer: NodeJS.Timeout;
  /** Answered by a prebuilt write (see above), not by fastify. */
  raw: boolean;
}

/** node:http's response state a prebuilt write has to set (present in Node 20 to 24). */
type RawResponse = ServerResponse & { _header: string | null; _headerSent: boolean };

/** Whether a held request may be answered by a prebuilt write. */
function rawEligible(
  req: IncomingMessage,
  res: ServerResponse,
  gzip: boolean,
  app: FastifyInstance,
): boolean {
  const r = res as RawResponse;
  return (
    !gzip &&
    req.method === 'GET' &&
    req.httpVersion === '1.1' &&
    r.shouldKeepAlive &&
    !app.server.maxRequestsPerSocket &&
    typeof r._headerSent === 'boolean' &&
    r._header === null &&
    r.socket !== null
  );
}

/**
 * Write one prebuilt 200 answer to a taken-over response and finish it as node:http would
 * have: the head counts as sent, end() then only schedules 'finish' (keep-alive goes on).
 */
function writeRaw(res: RawResponse, socket: Socket, wire: WireAnswer): void {
  socket.write(wire.bytes);
  res._header = wire.head;
  res._headerSent = true;
  res.end();
}

const PATH_PREFIX = '/long-poll?';

/** Register GET /long-poll. */
export function longPoll(app: FastifyInstance, ctx: ServerContext): void {
  const counters = ctx.count('long-poll');
  const gzipWanted = (req: IncomingMessage) =>
    ctx.options.httpCompression && acceptsGzip(req.headers['accept-encoding']);
  const rules = { wait: { defaultMs: ctx.options.longPollWaitMs, maxMs: ctx.options.longPollMaxWaitMs } };
  const held = new Set<Held>();
  const byClient = new ClientIndex<Held>();
  let touchedAll = false;
  const touched = new Set<string>();
  let flushQueued = false;

  function answer(
    h: Held | null,
    res: ServerResponse,
    reply: FastifyReply | undefined,
    since: number | undefined,
    client: string,
  ): void {
    if (h) release(h);
    const socket = res.socket as Socket | null;
    if (socket && socket.writableLength > ctx.options.sendBufferLimitBytes) {
      // The client has not taken the previous answer: drop it rather than queue more.
      counters.slowConsumers++;
      socket.destroy();
      return;
    }
    const a = ctx.polls.answer(since, client);
    counters.messagesSent += a.count;
    if (h?.raw || !reply) {
      const r = res as RawResponse;
      if (r.writableEnded) return;
      if (ctx.shuttingDown || !socket) {
        // Rare paths of a taken-over response (shutdown, a queued pipelined one): node:http's own.
        r.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(a.body),
          ...(ctx.shuttingDown ? { connection: 'close' } : {}),
        });
        r.end(a.body);
      } else {
        writeRaw(r, socket, ctx.polls.wire(a, Math.floor(app.server.keepAliveTimeout / 1000)));
      }
      // fastify's onResponse hook does not run for a taken-over reply: settle its bytes here.
      if (socket) ctx.meter.settleSocket(socket);
      return;
    }
    if (ctx.shuttingDown) reply.header('connection', 'close');
    ctx.polls.send(reply, a, gzipWanted(reply.request.raw));
  }

  function onClose(this: ServerResponse): void {
    const h = heldOf.get(this);
    if (h) release(h);
  }
  const heldOf = new WeakMap<ServerResponse, Held>();

  function hold(
    since: number,
    client: string,
    waitMs: number,
    res: ServerResponse,
    reply: FastifyReply | undefined,
    raw: boolean,
  ): void {
    const h: Held = {
      since,
      client,
      res,
      reply,
      timer: setTimeout(() => answer(h, res, reply, since, client), waitMs),
      raw,
    };
    held.add(h);
    byClient.add(client, h);
    heldOf.set(res, h);
    // One shared listener ('close' fires once): no closure per held request.
    res.once('close', onClose);
  }

  function release(h: Held): void {
    if (!held.delete(h)) return;
    clearTimeout(h.timer);
    heldOf.delete(h.res);
    byClient.delete(h.client, h);
  }

  function flush(): void {
    flushQueued = false;
    const candidates: Iterable<Held> = touchedAll
      ? [...held]
      : [...touched].flatMap((c) => [...(byClient.get(c) ?? [])]);
    touchedAll = false;
    touched.clear();
    for (const h of candidates) {
      if (held.has(h) && ctx.polls.hasMessages(h.since, h.client))
        answer(h, h.res, h.reply, h.since, h.client);
    }
  }

  const onMessage = (env: Envelope) => {
    if (held.size === 0) return;
    if (env.to === undefined) touchedAll = true;
    else if (byClient.has(env.to)) touched.add(env.to);
    else return;
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flush);
    }
  };
  ctx.source.on('message', onMessage);
  ctx.onShutdown(() => {
    ctx.source.off('message', onMessage);
    for (const h of [...held]) answer(h, h.res, h.reply, h.since, h.client);
  });

  /**
   * The direct path: a valid `GET /long-poll?…` that will be held, taken before fastify routes
   * it. Returns false (fastify handles it) for anything else. Checks and does what the
   * onRequest hooks of servers/app.ts would: shutdown, connection limit, Host, metering.
   */
  ctx.directRequest = (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || !url.startsWith(PATH_PREFIX)) return false;
    if (ctx.shuttingDown || req.headers.upgrade !== undefined || ctx.overLimit.has(req.socket)) return false;
    if (ctx.checksHost && !isLoopbackHostHeader(req.headers.host)) return false;
    if (!rawEligible(req, res, gzipWanted(req), app)) return false;
    let q: ReturnType<typeof parseQuery>;
    try {
      q = parseQuery(parseQueryString(url.slice(PATH_PREFIX.length)), rules);
    } catch {
      return false; // fastify answers 400 with every problem
    }
    const waitMs = q.waitMs ?? 0;
    if (q.since === undefined || waitMs === 0 || ctx.polls.hasMessages(q.since, q.client)) return false;
    ctx.meter.claim(req.socket, 'long-poll');
    counters.requests++;
    hold(q.since, q.client, waitMs, res, undefined, true);
    return true;
  };

  app.get('/long-poll', { config: { protocol: 'long-poll' } }, async (req, reply) => {
    const q = parseQuery(req.query, rules);
    const waitMs = q.waitMs ?? 0;
    if (
      q.since === undefined ||
      ctx.shuttingDown ||
      waitMs === 0 ||
      ctx.polls.hasMessages(q.since, q.client)
    ) {
      answer(null, reply.raw, reply, q.since, q.client);
    } else {
      const raw = rawEligible(req.raw, reply.raw, gzipWanted(req.raw), app);
      if (raw) reply.hijack();
      hold(q.since, q.client, waitMs, reply.raw, reply, raw);
    }
    return reply;
  });
}
