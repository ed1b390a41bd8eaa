/**
 * `pushbench report <results.json> [--baseline other.json] [--out file.html] [--title text]`:
 * render a results file into a self-contained HTML report and print its path.
 */
import type { Command } from 'commander';
import { PushbenchError } from '../../core/errors.ts';
import { assertReportOut, writeReport } from '../../reports/write.ts';

interface ReportFlags {
  baseline?: string;
  out?: string;
  title?: string;
  regressionPct?: string;
}

function regressionPct(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new PushbenchError('PB_BAD_OPTION', `--regression-pct: expected a number ≥ 0, got "${value}"`);
  }
  return n;
}

/** Register the `report` command. */
export function register(program: Command): void {
  program
    .command('report')
    .description('render a results.json into one self-contained HTML file (works offline, from file://)')
    .argument('<results>', 'results.json, or the run folder holding it')
    .option('--baseline <file>', 'another results.json to compare against (deltas, regressions highlighted)')
    .option('--out <file>', 'output HTML file or folder (default: index.html beside results.json)')
    .option('--title <text>', 'page title (default: scenario name and date)')
    .option('--regression-pct <n>', 'a baseline change counts as a regression from this share (default 10)')
    .action(async (results: string, flags: ReportFlags) => {
      for (const [name, value] of [
        ['--baseline', flags.baseline],
        ['--out', flags.out],
      ] as const) {
        if (value !== undefined && value.trim() === '')
          throw new PushbenchError('PB_BAD_OPTION', `${name}: expected a path`);
      }
      if (flags.out !== undefined) await assertReportOut(flags.out);
      const file = await writeReport(results, {
        baseline: flags.baseline,
        out: flags.out,
        title: flags.title,
        regressionPct: regressionPct(flags.regressionPct),
      });
      console.log(file);
    });
}
