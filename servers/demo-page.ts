/**
 * `GET /`: the demo page (servers/public/index.html), equivalent to the classic
 * article's test.html: open / send / close, a message log, the 3 s heartbeat with
 * reconnect, and resume from the last seq. Read once at startup; no external resources.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

const PAGE_URL = new URL('./public/index.html', import.meta.url);

/** Register GET / (and /index.html). */
export async function demoPageRoute(app: FastifyInstance): Promise<void> {
  const html = await readFile(PAGE_URL);
  const handler = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.type('text/html; charset=utf-8').send(html);
  app.get('/', handler);
  app.get('/index.html', handler);
}
