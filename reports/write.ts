/**
 * Render a results file to disk: index.html next to results.json (or opts.out), written
 * atomically (temp file + rename) so a reader never sees half a report.
 */
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPORT_DEFAULTS } from '../core/defaults.ts';
import type { Results } from '../core/types.ts';
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

/** Render `resultsPath` (and an optional baseline) and write the HTML; returns the absolute path written. */
export async function writeReport(resultsPath: string, opts: WriteReportOptions = {}): Promise<string> {
  const results = await readResultsFile(resultsPath);
  const baseline = typeof opts.baseline === 'string' ? await readResultsFile(opts.baseline) : opts.baseline;
  const html = renderReport(results, { baseline, title: opts.title, regressionPct: opts.regressionPct });
  const file = await reportPath(resultsPath, opts.out);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, html);
  await rename(tmp, file);
  return file;
}
