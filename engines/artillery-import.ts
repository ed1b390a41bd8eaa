/**
 * Bring an Artillery JSON report home: `pushbench artillery convert out.json` reads the output
 * of any `artillery run | run-fargate | run-lambda --output` of a pushbench-generated script and
 * writes results.json (engine "artillery") under a new run folder, ready for the report.
 */
import { readFile } from 'node:fs/promises';
import { RUN_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import type { Results } from '../core/types.ts';
import { RESULTS_SCHEMA_ID } from '../core/types.ts';
import { environment, runId, writeResults } from '../runner/results-io.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { checkSlo } from '../scenarios/slo.ts';
import { asArtilleryReport, convertArtillery } from './artillery-convert.ts';
import { exportCaveats } from './artillery-export.ts';

export interface ImportOptions {
  /** The scenario the script came from: fills results.scenario, durationMs and the SLO check. */
  scenario?: Scenario;
  outDir?: string;
}

/** Read and parse an Artillery JSON file; PB_BAD_OPTION when unreadable. */
export async function readArtilleryJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PushbenchError(
      'PB_BAD_OPTION',
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PushbenchError('PB_BAD_OPTION', `${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** Artillery JSON data → a Results document (no I/O). */
export function artilleryResults(data: unknown, source: string, scenario?: Scenario): Results {
  const report = asArtilleryReport(data, source);
  const runs = convertArtillery(
    report,
    { durationMs: scenario?.durationMs, notes: scenario ? exportCaveats(scenario) : [] },
    source,
  );
  if (scenario?.slo) for (const run of runs) run.slo = checkSlo(scenario.slo, run);
  const first = report.aggregate.firstMetricAt;
  const env = environment(first ? new Date(first) : new Date());
  return {
    schema: RESULTS_SCHEMA_ID,
    scenario: scenario
      ? { ...(scenario as unknown as Record<string, unknown>), engine: 'artillery' }
      : { name: 'artillery', engine: 'artillery', source },
    // Where Artillery ran is not in its output: this is the machine that converted it.
    environment: { ...env, os: `${env.os} (converting machine)` },
    runs,
  };
}

/** Convert `file` and write results.json under outDir/<run-id>/; returns its path. */
export async function importArtillery(
  file: string,
  opts: ImportOptions = {},
): Promise<{ file: string; results: Results }> {
  const results = artilleryResults(await readArtilleryJson(file), file, opts.scenario);
  const name = opts.scenario ? `${opts.scenario.name}-artillery` : 'artillery';
  const at = new Date(results.environment.startedAt);
  return { file: await writeResults(results, opts.outDir ?? RUN_DEFAULTS.outDir, runId(name, at)), results };
}
