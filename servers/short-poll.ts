/**
 * short-poll — `GET /poll?since=N&client=ID`: answers at once with the messages
 * after N (possibly none) plus the resume info (docs/wire.md).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.ts';
import { acceptsGzip } from './poll-answer.ts';
import { parseQuery } from './validate.ts';

/** Register GET /poll. */
export function shortPoll(app: FastifyInstance, ctx: ServerContext): void {
  const counters = ctx.count('short-poll');
  app.get('/poll', { config: { protocol: 'short-poll' } }, async (req, reply) => {
    const q = parseQuery(req.query);
    const answer = ctx.polls.answer(q.since, q.client);
    counters.messagesSent += answer.count;
    return ctx.polls.send(
      reply,
      answer,
      ctx.options.httpCompression && acceptsGzip(req.headers['accept-encoding']),
    );
  });
}
