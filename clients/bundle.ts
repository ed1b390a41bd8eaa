/**
 * esbuild bundles of the client core for the consumers that cannot import TypeScript: the
 * browser page (clients/browser/page/core.js, built when a server that hosts the page is
 * started) and the Artillery processor (built into the export folder). Generated, git-ignored,
 * never edited: clients/core/ is the one source (docs/clients.md, "One delivery core").
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { buildSync } from 'esbuild';

export interface BundleOptions {
  /** Entry file (absolute). */
  entry: string;
  format: 'esm' | 'cjs';
  platform: 'browser' | 'node';
}

/** The bundle's text: one file, no import left but Node's own (`node:*`, for platform node). */
export function bundleText(o: BundleOptions): string {
  const out = buildSync({
    entryPoints: [o.entry],
    bundle: true,
    write: false,
    format: o.format,
    platform: o.platform,
    target: o.platform === 'node' ? 'node20' : 'es2022',
    legalComments: 'inline',
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

/** Write `text` to `file` atomically (a temp file renamed), so a concurrent reader never sees half. */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
