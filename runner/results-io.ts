/**
 * results.json on disk: environment block, run-id folders, the `latest` link.
 */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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

/** Write results.json under outDir/<id>/ and point outDir/latest at it. Returns the file path. */
export async function writeResults(results: Results, outDir: string, id: string): Promise<string> {
  const dir = path.resolve(outDir, id);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'results.json');
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  const latest = path.resolve(outDir, 'latest');
  await rm(latest, { recursive: true, force: true });
  await symlink(id, latest, 'dir').catch(() => undefined);
  return file;
}

/** p50 / p99 / max of raw values (nearest-rank); zeros when empty. */
export function summarizeTimings(values: number[]): TimingSummary {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: round3(rank(0.5)), p99: round3(rank(0.99)), max: round3(sorted[sorted.length - 1]) };
}

/** Round to 3 decimals (µs precision for ms figures). */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
