/**
 * `GET /bench/`: the page real browsers run as benchmark clients (issue 8), and its module
 * scripts `GET /bench/<name>.js`. The page is a client, so its source lives with the clients
 * (clients/browser/page/); the server only hosts it, as it hosts the demo page. Read once at
 * startup; the page loads nothing else (no favicon, no external resource).
 */
import { readdir, readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

const PAGE_DIR = new URL('../clients/browser/page/', import.meta.url);
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** Register GET /bench/ (and /bench, redirected) and GET /bench/<file> for the page's files. */
export async function browserPageRoute(app: FastifyInstance): Promise<void> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of await readdir(PAGE_DIR)) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type) files.set(name, { type, body: await readFile(new URL(name, PAGE_DIR)) });
  }
  app.get('/bench', async (_req, reply) => reply.redirect('/bench/'));
  app.get<{ Params: { file?: string } }>('/bench/:file', async (req, reply) => {
    const file = files.get(req.params.file || 'index.html');
    if (!file) return reply.code(404).type('text/plain').send('not found');
    return reply.type(file.type).header('cache-control', 'no-store').send(file.body);
  });
}
