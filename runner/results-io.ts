/**
 * results.json on disk: environment block, run-id folders, the `latest` link.
 */
import { constants } from 'node:fs';
import { access, lstat, mkdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PushbenchError } from '../core/errors.ts';
import type { Results, TimingSummary } from '../core/types.ts';

/** The machine a run was measured on. */
export function environment(startedAt = new Date()): Results['environment'] {
  return {
    node: process.version,
    cpus: os.cpus().length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    startedAt: startedAt.toISOString(),
  };
}

/** A sortable, filesystem-safe run id: 2026-11-26T20-41-07-baseline. */
export function runId(name: string, at = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/:/g, '-');
  return `${stamp}-${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}`;
}

/**
 * Check that `target` is a folder we can write into, or can be created as one (its nearest
 * existing ancestor is a writable folder). Throws PB_BAD_OPTION naming `flag`; creates nothing.
 * Runs before any child starts, so a bad --out never costs a measured run.
 */
export async function assertWritableDir(target: string, flag = '--out'): Promise<void> {
  if (target.trim() === '') throw new PushbenchError('PB_BAD_OPTION', `${flag}: expected a folder`);
  let p = path.resolve(target);
  for (;;) {
    const s = await stat(p).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      if (err.code === 'ENOTDIR') return undefined; // a file further up: found as the walk goes on
      throw new PushbenchError('PB_BAD_OPTION', `${flag}: cannot use ${p} (${err.code})`);
    });
    if (s) {
      if (!s.isDirectory()) {
        const what = p === path.resolve(target) ? 'is a file' : `is inside ${p}, a file`;
        throw new PushbenchError('PB_BAD_OPTION', `${flag}: ${target} ${what}, not a folder`);
      }
      await access(p, constants.W_OK | constants.X_OK).catch(() => {
        throw new PushbenchError('PB_BAD_OPTION', `${flag}: ${p} is not writable`);
      });
      return;
    }
    const parent = path.dirname(p);
    if (parent === p) return;
    p = parent;
  }
}

/** Write `text` to `file` atomically: a temp file beside it, then rename (a reader never sees half). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Write results.json under outDir/<id>/ (atomically) and point outDir/latest at it. Returns the
 * file path. Only a symbolic link is ever replaced: a real `latest` file or folder is left alone
 * (the link is skipped, with a warning).
 */
export async function writeResults(results: Results, outDir: string, id: string): Promise<string> {
  const dir = path.resolve(outDir, id);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'results.json');
  await writeFileAtomic(file, `${JSON.stringify(results, null, 2)}\n`);
  await linkLatest(path.resolve(outDir, 'latest'), id);
  return file;
}

/** Point `latest` at `id`, replacing only a symbolic link (never a real file or folder). */
async function linkLatest(latest: string, id: string): Promise<void> {
  const existing = await lstat(latest).catch(() => undefined);
  if (existing && !existing.isSymbolicLink()) {
    console.error(`pushbench: ${latest} is not a link pushbench made; left alone (no "latest" link)`);
    return;
  }
  // A new link under a temp name, renamed over the old one: `latest` always resolves.
  const tmp = `${latest}.${process.pid}.tmp`;
  try {
    await rm(tmp, { force: true });
    await symlink(id, tmp, 'dir');
    await rename(tmp, latest);
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
    if (existing && (await readlink(latest).catch(() => '')) !== id) {
      console.error(`pushbench: could not update ${latest}`);
    }
  }
}

/** p50 / p99 / max of raw values (nearest-rank); zeros when empty. */
export function summarizeTimings(values: number[]): TimingSummary {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: round3(rank(0.5)), p99: round3(rank(0.99)), max: round3(sorted[sorted.length - 1]) };
}

/** p50 / p99 / max of raw values (nearest-rank); null when there is no sample (never 0s). */
export function summarizeSamples(values: number[]): TimingSummary | null {
  return values.length === 0 ? null : summarizeTimings(values);
}

/** Round to 3 decimals (µs precision for ms figures). */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
