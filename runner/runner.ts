/**
 * The runner: one protocol run after another for a scenario, results.json written even
 * when a run fails or the user presses Ctrl-C (what was measured is kept), SLOs checked.
 */

import { RUN_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import { assertLoopbackTarget } from '../core/loopback.ts';
import type { ProtocolName, Results, RunResult } from '../core/types.ts';
import { RESULTS_SCHEMA_ID } from '../core/types.ts';
import { recoveryWarnings } from '../scenarios/checks.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { checkSlo } from '../scenarios/slo.ts';
import { targetRunProblems } from '../scenarios/target.ts';
import { stopAllChildren } from './child.ts';
import { runProtocolAll } from './protocol-run.ts';
import { environment, runId, writeResults } from './results-io.ts';
import { reachable } from './target-server.ts';

export interface RunOptions {
  scenario: Scenario;
  outDir?: string;
  quiet?: boolean;
  allowRemote?: boolean;
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
  const problems = targetRunProblems(opts.scenario);
  if (problems.length)
    throw new PushbenchError('PB_BAD_OPTION', `target ${opts.scenario.target?.url}`, problems);
  const target = opts.scenario.target;
  // Before any child starts: a refused or unreachable target fails at once (docs/targets.md).
  if (target) {
    assertLoopbackTarget(target.url, opts.allowRemote ?? false);
    await reachable(target.url);
  }
  // The Node clients' run, then (scenario.browsers > 0) the browser pages' run.
  return runEachProtocol(opts, (protocol, { signal }) =>
    runProtocolAll({
      scenario: opts.scenario,
      protocol,
      quiet: opts.quiet ?? false,
      allowRemote: opts.allowRemote ?? false,
      signal,
    }),
  );
}

/** What an engine's per-protocol step gets: the run id (its folder name) and the Ctrl-C signal. */
export interface ProtocolStepContext {
  id: string;
  signal: AbortSignal;
}

/**
 * The loop every engine shares: each protocol in turn through `step`, SLOs checked, Ctrl-C
 * and failures caught (what was measured is kept), every child stopped, results.json written.
 * `scenarioExtra` is merged into the recorded scenario (e.g. `{ engine: 'artillery' }`).
 */
export async function runEachProtocol(
  opts: RunOptions,
  step: (protocol: ProtocolName, ctx: ProtocolStepContext) => Promise<RunResult[]>,
  scenarioExtra: Record<string, unknown> = {},
): Promise<RunOutcome> {
  const { scenario } = opts;
  const startedAt = new Date();
  const id = runId(scenario.name, startedAt);
  const abort = new AbortController();
  // Kept until results.json is written: a second Ctrl-C must not kill us mid-write.
  const onSignal = () => {
    if (abort.signal.aborted) console.error('pushbench: stopping; writing what was measured…');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const runs: RunResult[] = [];
  let failure: Error | undefined;
  try {
    for (const protocol of scenario.protocols) {
      if (abort.signal.aborted) break;
      const protocolRuns = await step(protocol, { id, signal: abort.signal });
      for (const run of protocolRuns) {
        if (abort.signal.aborted)
          run.notes = [...(run.notes ?? []), 'interrupted (Ctrl-C): figures are partial'];
        const warnings = recoveryWarnings(scenario);
        if (warnings.length) run.notes = [...(run.notes ?? []), ...warnings];
        if (scenario.slo) run.slo = checkSlo(scenario.slo, run);
        runs.push(run);
        opts.onRun?.(run);
      }
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  } finally {
    await stopAllChildren();
  }
  const results: Results = {
    schema: RESULTS_SCHEMA_ID,
    scenario: { ...(scenario as unknown as Record<string, unknown>), ...scenarioExtra },
    environment: environment(startedAt),
    runs,
  };
  const file = await writeResults(results, opts.outDir ?? RUN_DEFAULTS.outDir, id).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
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
