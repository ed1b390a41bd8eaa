/**
 * The runner: one protocol run after another for a scenario, results.json written even
 * when a run fails or the user presses Ctrl-C (what was measured is kept), SLOs checked.
 */

import { RUN_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import type { Results, RunResult } from '../core/types.ts';
import { RESULTS_SCHEMA_ID } from '../core/types.ts';
import { stopAllChildren } from './child.ts';
import { runProtocolAll } from './protocol-run.ts';
import { environment, runId, writeResults } from './results-io.ts';
import type { Scenario } from './schema.ts';
import { checkSlo } from './slo.ts';

export interface RunOptions {
  scenario: Scenario;
  outDir?: string;
  quiet?: boolean;
  allowRemote?: boolean;
  saturationMs?: number;
  /** Called after each protocol run (e.g. to print a line). */
  onRun?: (run: RunResult) => void;
}

export interface RunOutcome {
  results: Results;
  file: string;
  /** Set when the runs did not all complete (a crashed child, Ctrl-C). */
  failure?: Error;
  interrupted: boolean;
  sloBreaches: string[];
}

/** Run every protocol of the scenario and write results.json; never throws after the first run starts. */
export async function runScenario(opts: RunOptions): Promise<RunOutcome> {
  const { scenario } = opts;
  const startedAt = new Date();
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const runs: RunResult[] = [];
  let failure: Error | undefined;
  try {
    for (const protocol of scenario.protocols) {
      if (abort.signal.aborted) break;
      // The Node clients' run, then (scenario.browsers > 0) the browser pages' run.
      const protocolRuns = await runProtocolAll({
        scenario,
        protocol,
        quiet: opts.quiet ?? false,
        allowRemote: opts.allowRemote ?? false,
        saturationMs: opts.saturationMs ?? RUN_DEFAULTS.saturationMs,
        signal: abort.signal,
      });
      for (const run of protocolRuns) {
        if (abort.signal.aborted)
          run.notes = [...(run.notes ?? []), 'interrupted (Ctrl-C): figures are partial'];
        if (scenario.slo) run.slo = checkSlo(scenario.slo, run);
        runs.push(run);
        opts.onRun?.(run);
      }
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAllChildren();
  }
  const results: Results = {
    schema: RESULTS_SCHEMA_ID,
    scenario: scenario as unknown as Record<string, unknown>,
    environment: environment(startedAt),
    runs,
  };
  const file = await writeResults(
    results,
    opts.outDir ?? RUN_DEFAULTS.outDir,
    runId(scenario.name, startedAt),
  );
  const sloBreaches = runs.flatMap((r) => r.slo?.breaches ?? []);
  return { results, file, failure, interrupted: abort.signal.aborted, sloBreaches };
}

/** The error a failed outcome should be reported as. */
export function outcomeError(outcome: RunOutcome): PushbenchError | Error | undefined {
  if (outcome.failure) return outcome.failure;
  if (outcome.sloBreaches.length) {
    return new PushbenchError(
      'PB_SLO_BREACHED',
      `${outcome.sloBreaches.length} breach(es)`,
      outcome.sloBreaches,
    );
  }
  return undefined;
}
