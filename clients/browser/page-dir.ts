/**
 * Where the benchmark page's files live: clients/browser/page/. The page is a client, so its
 * source stays with the clients and a server only hosts it. servers/ may not import clients/
 * (nothing imports a folder to its right), so the folder reaches the server as data, the
 * `benchPageDir` server option, set by whoever starts a server that browsers will load:
 * the runner's server children (runner/server-child.ts) and `pushbench serve`.
 *
 * The page's delivery rules are the client core's (clients/core/, docs/clients.md "One delivery
 * core"): benchPageDir() bundles it into page/core.js (git-ignored) before handing the folder out.
 */
import { fileURLToPath } from 'node:url';
import { bundleText, writeAtomically } from '../bundle.ts';

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));
const CORE_ENTRY = fileURLToPath(new URL('../core/index.ts', import.meta.url));
/** The generated module of the page that holds the client core. */
export const PAGE_CORE_FILE = 'core.js';

const HEADER =
  '// Generated from clients/core/ by clients/browser/page-dir.ts (esbuild) when a server hosting\n' +
  '// the page starts. Do not edit: git-ignored, rebuilt every time.\n';

/** The page's client core as an ES module (what page/core.js holds). */
export function pageCoreSource(): string {
  return HEADER + bundleText({ entry: CORE_ENTRY, format: 'esm', platform: 'browser' });
}

let built = false;

/** Absolute path of the page's folder (index.html and its module scripts), core.js built (once per process). */
export function benchPageDir(): string {
  if (!built) {
    writeAtomically(`${PAGE_DIR}${PAGE_CORE_FILE}`, pageCoreSource());
    built = true;
  }
  return PAGE_DIR;
}
