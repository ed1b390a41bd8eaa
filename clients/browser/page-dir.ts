/**
 * Where the benchmark page's files live: clients/browser/page/. The page is a client, so its
 * source stays with the clients and a server only hosts it. servers/ may not import clients/
 * (nothing imports a folder to its right), so the folder reaches the server as data, the
 * `benchPageDir` server option, set by whoever starts a server that browsers will load:
 * the runner's server children (runner/server-child.ts) and `pushbench serve`.
 */
import { fileURLToPath } from 'node:url';

/** Absolute path of the page's folder (index.html and its module scripts). */
export const BENCH_PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));
