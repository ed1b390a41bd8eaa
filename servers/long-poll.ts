/**
 * long-poll — `GET /long-poll?since=N&client=ID&wait=MS`: like /poll, but with
 * nothing after N the request is held until a message for this client is
 * published (answered in the same tick: a synchronous burst goes out as one
 * answer) or `wait` elapses (empty answer). Held requests are answered at once
 * on shutdown, with `Connection: close`.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Envelope } from '../core/types.ts';
import type { ServerContext } from './context.ts';
import { acceptsGzip } from './poll-answer.ts';
import { parseQuery } from './validate.ts';

interface Held {
  since: number;
  client: string;
  reply: FastifyReply;
  timer: NodeJS.Timeout;
}

/** gzip this answer: the server compresses and the request accepts it. */
function gzipWanted(ctx: ServerContext, reply: FastifyReply): boolean {
  return ctx.options.httpCompression && acceptsGzip(reply.request.headers['accept-encoding']);
}

/** Register GET /long-poll. */
export function longPoll(app: FastifyInstance, ctx: ServerContext): void {
  const counters = ctx.count('long-poll');
  const gzipFor = (reply: FastifyReply) => gzipWanted(ctx, reply);
  const held = new Set<Held>();
  const byClient = new Map<string, Set<Held>>();
  let touchedAll = false;
  const touched = new Set<string>();
  let flushQueued = false;

  function answer(h: Held | null, reply: FastifyReply, since: number | undefined, client: string): void {
    if (h) release(h);
    const socket = reply.raw.socket as Socket | null;
    if (socket && socket.writableLength > ctx.options.sendBufferLimitBytes) {
      // The client has not taken the previous answer: drop it rather than queue more.
      counters.slowConsumers++;
      socket.destroy();
      return;
    }
    const a = ctx.polls.answer(since, client);
    counters.messagesSent += a.count;
    if (ctx.shuttingDown) reply.header('connection', 'close');
    ctx.polls.send(reply, a, gzipFor(reply));
  }

  function hold(since: number, client: string, waitMs: number, reply: FastifyReply): void {
    const h: Held = {
      since,
      client,
      reply,
      timer: setTimeout(() => answer(h, reply, since, client), waitMs),
    };
    held.add(h);
    let set = byClient.get(client);
    if (!set) {
      set = new Set();
      byClient.set(client, set);
    }
    set.add(h);
    reply.raw.once('close', () => release(h));
  }

  function release(h: Held): void {
    if (!held.delete(h)) return;
    clearTimeout(h.timer);
    const set = byClient.get(h.client);
    set?.delete(h);
    if (set?.size === 0) byClient.delete(h.client);
  }

  function flush(): void {
    flushQueued = false;
    const candidates: Iterable<Held> = touchedAll
      ? [...held]
      : [...touched].flatMap((c) => [...(byClient.get(c) ?? [])]);
    touchedAll = false;
    touched.clear();
    for (const h of candidates) {
      if (held.has(h) && ctx.polls.hasMessages(h.since, h.client)) answer(h, h.reply, h.since, h.client);
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
    for (const h of [...held]) answer(h, h.reply, h.since, h.client);
  });

  app.get('/long-poll', { config: { protocol: 'long-poll' } }, async (req, reply) => {
    const q = parseQuery(req.query, {
      wait: { defaultMs: ctx.options.longPollWaitMs, maxMs: ctx.options.longPollMaxWaitMs },
    });
    const waitMs = q.waitMs ?? 0;
    if (
      q.since === undefined ||
      ctx.shuttingDown ||
      waitMs === 0 ||
      ctx.polls.hasMessages(q.since, q.client)
    ) {
      answer(null, reply, q.since, q.client);
    } else {
      hold(q.since, q.client, waitMs, reply);
    }
    return reply;
  });
}
