/**
 * `GET /bench/`: the page real browsers run as benchmark clients (docs/browser.md), and its module
 * scripts `GET /bench/<name>.js`. The page is a client, so its source lives with the clients
 * (clients/browser/page/) and the server only hosts it, as it hosts the demo page. servers/ may
 * not import clients/, so this file does not know where the page is: the caller passes the
 * folder in (ServerOptions.benchPageDir, from clients/browser/page-dir.ts), and a server
 * started without it has no /bench/ route. Read once at startup; the page loads nothing else
 * (no favicon, no external resource).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** Register GET /bench/ (and /bench, redirected) and GET /bench/<file> for the files of `pageDir`. */
export async function browserPageRoute(app: FastifyInstance, pageDir: string): Promise<void> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of await readdir(pageDir)) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type) files.set(name, { type, body: await readFile(join(pageDir, name)) });
  }
  app.get('/bench', async (_req, reply) => reply.redirect('/bench/'));
  app.get<{ Params: { file?: string } }>('/bench/:file', async (req, reply) => {
    const file = files.get(req.params.file || 'index.html');
    if (!file) return reply.code(404).type('text/plain').send('not found');
    return reply.type(file.type).header('cache-control', 'no-store').send(file.body);
  });
}
