/**
 * `npm run report [-- --port N] [-- --dir D]`: serve the latest report on 127.0.0.1 and print
 * its URL; Ctrl-C stops it. The folder (default reports/out/latest, a symlink or a real folder
 * the runner updates) is resolved on every request, so a new run shows up on reload. When the
 * folder has results.json but no index.html yet, the report is rendered on the fly.
 */
import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REPORT_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import { isLoopbackHostHeader } from '../core/loopback.ts';
import { readResultsFile } from './read.ts';
import { renderReport } from './render.ts';

export interface ReportServer {
  url: string;
  close: () => Promise<void>;
}

/** What the folder holds right now: an index.html, a results.json to render, or nothing. */
export function findReport(dir: string): { kind: 'html' | 'results'; file: string } | null {
  const html = path.join(dir, REPORT_DEFAULTS.fileName);
  if (existsSync(html)) return { kind: 'html', file: html };
  const results = path.join(dir, 'results.json');
  return existsSync(results) ? { kind: 'results', file: results } : null;
}

/** Explain how to get a report when there is none. */
export function noReportMessage(dir: string): string {
  return `no report yet: ${dir} has neither ${REPORT_DEFAULTS.fileName} nor results.json. Run \`npm run bench\` first, or render one with \`npx pushbench report <results.json>\`.`;
}

async function page(dir: string): Promise<{ status: number; body: string; type: string }> {
  const found = findReport(dir);
  if (!found) return { status: 404, type: 'text/plain; charset=utf-8', body: `${noReportMessage(dir)}\n` };
  const body =
    found.kind === 'html'
      ? await readFile(found.file, 'utf8')
      : renderReport(await readResultsFile(found.file));
  return { status: 200, type: 'text/html; charset=utf-8', body };
}

/** RFC 3986 origin-form: "/" path (pchars, %XX) and an optional query; nothing else. */
const ORIGIN_FORM =
  /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*(?:\?(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?$/;

/** The path of a request target, or null when it is not a valid URL path (`//[`). */
function routeOf(target: string | undefined): string | null {
  if (target === undefined || !ORIGIN_FORM.test(target)) return null;
  try {
    return new URL(`http://localhost${target}`).pathname;
  } catch {
    return null;
  }
}

/** An error answer in the shape of docs/wire.md: `{"error":{"code","message"}}`, then close. */
function sendError(res: http.ServerResponse, pe: PushbenchError): void {
  const body = JSON.stringify(pe.toJSON());
  res
    .writeHead(pe.status || 500, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
    })
    .end(body);
}

/** Start serving `dir`'s report on 127.0.0.1:`port` (0 = any free port). */
export async function startReportServer(opts: { dir?: string; port?: number } = {}): Promise<ReportServer> {
  const dir = path.resolve(opts.dir ?? REPORT_DEFAULTS.latestDir);
  const server = http.createServer((req, res) => {
    // Against DNS rebinding: another site whose name re-resolves to 127.0.0.1 still sends its name.
    if (!isLoopbackHostHeader(req.headers.host)) {
      sendError(
        res,
        new PushbenchError('PB_BAD_HOST', `got ${JSON.stringify((req.headers.host ?? '').slice(0, 100))}`),
      );
      return;
    }
    const route = routeOf(req.url);
    if (route === null) {
      sendError(res, new PushbenchError('PB_BAD_REQUEST', 'the request target is not a valid URL path'));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendError(
        res,
        new PushbenchError('PB_METHOD_NOT_ALLOWED', `${req.method} (the report answers GET and HEAD)`),
      );
      return;
    }
    if (route !== '/' && route !== `/${REPORT_DEFAULTS.fileName}`) {
      sendError(res, new PushbenchError('PB_NOT_FOUND', `${route.slice(0, 200)} (the report is at /)`));
      return;
    }
    page(dir).then(
      (p) =>
        res
          .writeHead(p.status, { 'Content-Type': p.type, 'Cache-Control': 'no-store' })
          .end(req.method === 'HEAD' ? undefined : p.body),
      (err: unknown) =>
        sendError(
          res,
          err instanceof PushbenchError ? err : new PushbenchError('PB_INTERNAL', (err as Error).message),
        ),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? REPORT_DEFAULTS.servePort, REPORT_DEFAULTS.serveHost, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${REPORT_DEFAULTS.serveHost}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Parse `--port N --dir D`; throws PB_BAD_OPTION with the rule. */
export function parseServeArgs(argv: string[]): { port: number; dir: string } {
  let values: { port?: string; dir?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, dir: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    throw new PushbenchError('PB_BAD_OPTION', (err as Error).message);
  }
  const port = values.port === undefined ? REPORT_DEFAULTS.servePort : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PushbenchError('PB_BAD_OPTION', `--port: expected an integer 0–65535, got "${values.port}"`);
  }
  return { port, dir: values.dir ?? REPORT_DEFAULTS.latestDir };
}

async function main(): Promise<void> {
  const { port, dir } = parseServeArgs(process.argv.slice(2));
  if (!findReport(path.resolve(dir))) {
    console.error(`pushbench report: ${noReportMessage(dir)}`);
    process.exitCode = 1;
    return;
  }
  const server = await startReportServer({ dir, port });
  console.log(`pushbench report: ${server.url}  (serving ${dir}; Ctrl-C to stop)`);
  const stop = () => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** True when this file is the entry point (`tsx reports/serve.ts`), not imported by a test. */
function invokedDirectly(): boolean {
  try {
    return pathToFileURL(realpathSync(process.argv[1] ?? '')).href === import.meta.url;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main().catch((err: unknown) => {
    if (err instanceof PushbenchError) {
      console.error(`pushbench report: ${err.code}: ${err.message}`);
      process.exitCode = 2;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  });
}
