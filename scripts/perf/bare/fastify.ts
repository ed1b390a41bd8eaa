/**
 * The bare polling baseline (docs/perf.md, comparison 3): a fastify route `GET /poll`
 * returning the same empty answer pushbench's /poll gives when nothing was published,
 * with the same content type — no hooks, no query validation, no cache, no accounting.
 */
import Fastify from 'fastify';
import type { BareServer } from './types.ts';

/** Exactly pushbench's empty answer before any message (docs/wire.md PollResponse). */
export const EMPTY_POLL_ANSWER = '{"messages":[],"lastSeq":0,"oldestSeq":1}';
const JSON_TYPE = 'application/json; charset=utf-8';

/** Start the bare fastify server on 127.0.0.1, any free port. */
export async function startBareFastify(): Promise<BareServer> {
  const app = Fastify({ logger: false });
  app.get('/poll', async (_req, reply) => reply.type(JSON_TYPE).send(EMPTY_POLL_ANSWER));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => 0,
    startSource: () => 0,
    stopSource: () => 0,
    takeReleaseMs: () => [],
    close: () => app.close(),
  };
}
