/**
 * Load engines by name: how `pushbench run --engine <name>[,<name>…]` runs a scenario. Adding
 * an engine = one module exporting a function of this shape + one line here. Several engines
 * run one after the other and their runs land in one results.json, side by side in the report.
 */
import { writeFile } from 'node:fs/promises';
import { HEARTBEAT_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import type { Results } from '../core/types.ts';
import { type RunOptions, type RunOutcome, runScenario } from '../runner/runner.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { runArtilleryScenario } from './artillery-engine.ts';

export type Engine = (opts: RunOptions) => Promise<RunOutcome>;

export const ENGINES: Record<string, Engine> = {
  pushbench: runScenario,
  artillery: runArtilleryScenario,
};

/** "pushbench,artillery" → the engine names, checked; PB_BAD_OPTION for an unknown one. */
export function parseEngines(text: string): string[] {
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !ENGINES[n]);
  if (!names.length || unknown.length) {
    throw new PushbenchError(
      'PB_BAD_OPTION',
      `--engine: expected one of ${Object.keys(ENGINES).join(', ')}, got "${unknown.join(',') || text}"`,
    );
  }
  return [...new Set(names)];
}

/** Run `opts.scenario` with the named engine(s); the last engine's results.json holds every run. */
export async function runWithEngine(text: string, opts: RunOptions): Promise<RunOutcome> {
  const names = parseEngines(text);
  if (opts.scenario.target && names.some((n) => n !== 'pushbench')) {
    throw new PushbenchError(
      'PB_BAD_OPTION',
      '--engine: a target is measured with the pushbench engine only',
    );
  }
  const outcomes: RunOutcome[] = [];
  for (const name of names) {
    const outcome = await ENGINES[name](opts);
    outcomes.push(outcome);
    if (outcome.interrupted || outcome.failure) break;
  }
  if (outcomes.length === 1) return outcomes[0];
  return mergeOutcomes(outcomes, { engine: names.slice(0, outcomes.length).join(',') });
}

/**
 * `run --side-by-side`: the scenario on pushbench's own servers, then on its target, into one
 * results.json (the target's runs labelled "<protocol> @ <profile>"; docs/targets.md). The
 * built-in run uses the scenario's heartbeat form, or the default when only the profile chose one.
 */
export async function runSideBySide(text: string, opts: RunOptions): Promise<RunOutcome> {
  const s = opts.scenario;
  if (!s.target) {
    throw new PushbenchError(
      'PB_BAD_OPTION',
      '--side-by-side: needs a target (--target URL, or target: in the scenario)',
    );
  }
  const { target, ...rest } = s;
  const form = target.heartbeatFormGiven ? s.heartbeat.form : HEARTBEAT_DEFAULTS.form;
  const builtin: Scenario = { ...rest, heartbeat: { ...s.heartbeat, form } };
  const first = await runWithEngine(text, { ...opts, scenario: builtin });
  if (first.interrupted || first.failure) return first;
  const second = await runWithEngine('pushbench', opts);
  return mergeOutcomes([first, second], { sideBySide: `pushbench,${target.profile}` });
}

/** Several outcomes in one results.json (the last one's file), runs in order. */
async function mergeOutcomes(
  outcomes: RunOutcome[],
  scenarioExtra: Record<string, unknown>,
): Promise<RunOutcome> {
  const last = outcomes[outcomes.length - 1];
  const results: Results = {
    ...last.results,
    scenario: { ...last.results.scenario, ...scenarioExtra },
    runs: outcomes.flatMap((o) => o.results.runs),
  };
  await writeFile(last.file, `${JSON.stringify(results, null, 2)}\n`);
  return {
    results,
    file: last.file,
    failure: outcomes.find((o) => o.failure)?.failure,
    interrupted: outcomes.some((o) => o.interrupted),
    sloBreaches: outcomes.flatMap((o) => o.sloBreaches),
  };
}
