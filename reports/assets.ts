/**
 * The two scripts the page inlines: chart.js's UMD build, read from node_modules, and the
 * page runtime (assets/runtime.js). Read once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
let chartJs: string | undefined;
let runtime: string | undefined;

/** chart.js's UMD bundle (defines window.Chart with every controller registered). */
export function chartJsSource(): string {
  if (chartJs === undefined) {
    // The package's exports map hides dist/chart.umd.js; resolve the main entry and look beside it.
    const dist = path.dirname(createRequire(import.meta.url).resolve('chart.js'));
    const candidates = ['chart.umd.js', 'chart.umd.min.js'].map((f) => path.join(dist, f));
    const file = candidates.find((f) => existsSync(f));
    if (!file) throw new Error(`chart.js UMD bundle not found in ${dist} (is chart.js installed?)`);
    chartJs = readFileSync(file, 'utf8');
  }
  return chartJs;
}

/** The page runtime that turns chart specs into charts. */
export function runtimeSource(): string {
  runtime ??= readFileSync(path.join(here, 'assets', 'runtime.js'), 'utf8');
  return runtime;
}
