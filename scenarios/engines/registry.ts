/**
 * Load engines by name: how `pushbench run --engine <name>` runs a scenario. Adding an
 * engine = one module exporting a function of this shape + one line here.
 */
import { PushbenchError } from '../../core/errors.ts';
import { type RunOptions, type RunOutcome, runScenario } from '../runner.ts';
import { runArtilleryScenario } from './artillery-engine.ts';

export type Engine = (opts: RunOptions) => Promise<RunOutcome>;

export const ENGINES: Record<string, Engine> = {
  pushbench: runScenario,
  artillery: runArtilleryScenario,
};

/** Run `opts.scenario` with the named engine; unknown name → PB_BAD_OPTION. */
export function runWithEngine(name: string, opts: RunOptions): Promise<RunOutcome> {
  const engine = ENGINES[name];
  if (!engine) {
    throw new PushbenchError(
      'PB_BAD_OPTION',
      `--engine: expected one of ${Object.keys(ENGINES).join(', ')}, got "${name}"`,
    );
  }
  return engine(opts);
}
