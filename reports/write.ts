/**
 * Render a results file to disk: index.html next to results.json (or opts.out), written
 * atomically (temp file + rename) so a reader never sees half a report.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { REPORT_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import type { Results } from '../core/types.ts';
import { assertWritableDir, writeFileAtomic } from '../runner/results-io.ts';
import { readResultsFile } from './read.ts';
import { renderReport } from './render.ts';

export interface WriteReportOptions {
  /** Output file (a folder means <folder>/index.html). Default: index.html beside the results file. */
  out?: string;
  /** A baseline results file path, or already loaded results. */
  baseline?: string | Results;
  title?: string;
  regressionPct?: number;
}

async function isDirectory(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Where the report goes for `resultsPath` and `out`. */
export async function reportPath(resultsPath: string, out?: string): Promise<string> {
  if (out) return path.resolve((await isDirectory(out)) ? path.join(out, REPORT_DEFAULTS.fileName) : out);
  const dir = (await isDirectory(resultsPath)) ? resultsPath : path.dirname(resultsPath);
  return path.resolve(dir, REPORT_DEFAULTS.fileName);
}

/** Check a report `--out` (a file, or a folder for index.html) before anything runs: PB_BAD_OPTION. */
export async function assertReportOut(out: string, flag = '--out'): Promise<void> {
  if (out.trim() === '') throw new PushbenchError('PB_BAD_OPTION', `${flag}: expected a path`);
  if (await isDirectory(out)) return assertWritableDir(out, flag);
  if (/[\\/]$/.test(out)) return assertWritableDir(out, flag);
  return assertWritableDir(path.dirname(path.resolve(out)), flag);
}

/** Render `resultsPath` (and an optional baseline) and write the HTML; returns the absolute path written. */
export async function writeReport(resultsPath: string, opts: WriteReportOptions = {}): Promise<string> {
  const results = await readResultsFile(resultsPath);
  const baseline = typeof opts.baseline === 'string' ? await readResultsFile(opts.baseline) : opts.baseline;
  const html = renderReport(results, { baseline, title: opts.title, regressionPct: opts.regressionPct });
  const file = await reportPath(resultsPath, opts.out);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, html);
  return file;
}
