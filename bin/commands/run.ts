/**
 * `pushbench run [scenario.yaml]` and `pushbench bench`: run scenarios, write
 * results.json and the HTML report, print the comparison table and the report's path.
 * Exit codes: 0 ok, 1 a run failed or an SLO was breached, 2 bad scenario or flags, 130 Ctrl-C.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { RUN_DEFAULTS } from '../../core/defaults.ts';
import { runSideBySide, runWithEngine } from '../../engines/registry.ts';
import { writeReport } from '../../reports/write.ts';
import { assertWritableDir } from '../../runner/results-io.ts';
import { outcomeError, type RunOutcome } from '../../runner/runner.ts';
import { formatTable } from '../../runner/table.ts';
import { applyOverrides, defaultScenario, loadScenario, overridesFromFlags } from '../../scenarios/load.ts';
import type { Scenario } from '../../scenarios/schema.ts';

const SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));
/** What `npm run bench` runs: the healthy reference, then the article's silent drop. */
export const BENCH_SCENARIOS = ['baseline.yaml', 'silent-drop.yaml'];

interface RunFlags {
  out: string;
  json?: boolean;
  quiet?: boolean;
  report: boolean;
  allowRemote?: boolean;
  [flag: string]: unknown;
}

function addScenarioFlags(cmd: Command): Command {
  return cmd
    .option(
      '--protocols <list>',
      "comma-separated protocols: short-poll,long-poll,sse,websocket (default: the scenario's, all four)",
    )
    .option('--clients <n>', `clients per protocol run (default: the scenario's, ${RUN_DEFAULTS.clients})`)
    .option(
      '--duration <time>',
      `measured duration, e.g. 30s (default: the scenario's, ${RUN_DEFAULTS.durationMs / 1000}s)`,
    )
    .option(
      '--ramp <time>',
      `clients connect evenly over this, e.g. 3s (default ${RUN_DEFAULTS.rampUpMs / 1000}s)`,
    )
    .option('--warmup <time>', `excluded from latency figures (default ${RUN_DEFAULTS.warmUpMs / 1000}s)`)
    .option(
      '--drain <time>',
      `after the source stops, at most this long for every client to get the last message; raised to the protocol's slowest path (default ${RUN_DEFAULTS.drainMs / 1000}s; docs/scenarios.md)`,
    )
    .option('--rate <rate>', `messages per second, e.g. 10 or 600/m (default ${RUN_DEFAULTS.ratePerS})`)
    .option('--size <size>', `payload size, e.g. 256 or 1KB (default ${RUN_DEFAULTS.sizeBytes})`)
    .option('--workers <n>', 'generator processes (default: by client count and open-files budget)')
    .option('--headers <profile>', 'client request headers: minimal | browser (default minimal)')
    .option('--browsers <n>', 'real Chromium pages added as clients to each protocol run, 0–10 (default 0)')
    .option('--name <name>', "name of the run (default: the scenario's)")
    .option('--seed <n>', `seed for client selection and jitter (default ${RUN_DEFAULTS.seed})`)
    .option(
      '--saturation <time>',
      `event-loop delay p99 over which the server or generator is flagged saturated, e.g. 20ms (default: the scenario's, ${RUN_DEFAULTS.saturationMs}ms)`,
    )
    .option('--out <dir>', 'output folder for <run-id>/results.json and index.html', RUN_DEFAULTS.outDir)
    .option('--json', 'print results.json to stdout (no progress, no table)')
    .option('--quiet', 'no progress display')
    .option('--no-report', 'do not render the HTML report')
    .option('--allow-remote', 'allow a non-loopback target (load never leaves this machine otherwise)');
}

/** Run one scenario with progress, table and report; returns the outcome. */
async function runOne(
  scenario: Scenario,
  flags: RunFlags,
): Promise<{ outcome: RunOutcome; report?: string }> {
  const quiet = Boolean(flags.json || flags.quiet);
  if (!flags.json) {
    console.error(
      `pushbench: scenario "${scenario.name}": ${scenario.protocols.join(', ')}; ${scenario.clients} clients; ` +
        `${scenario.source.ratePerS}/s × ${scenario.source.sizeBytes} B; ${scenario.durationMs / 1000}s measured` +
        (scenario.target ? `; target ${scenario.target.profile} at ${scenario.target.url}` : ''),
    );
  }
  const runOpts = { scenario, outDir: flags.out, quiet, allowRemote: Boolean(flags.allowRemote) };
  const engine = String(flags.engine ?? 'pushbench');
  const outcome = flags.sideBySide
    ? await runSideBySide(engine, runOpts)
    : await runWithEngine(engine, runOpts);
  const report =
    flags.report && outcome.results.runs.length
      ? await ignoringCtrlC(outcome.interrupted, () => writeReport(outcome.file))
      : undefined;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(outcome.results, null, 2)}\n`);
  } else {
    if (outcome.results.runs.length) console.log(`\n${formatTable(outcome.results.runs)}\n`);
    for (const b of outcome.sloBreaches) console.log(`SLO breach: ${b}`);
    console.log(`results: ${path.relative(process.cwd(), outcome.file)}`);
    if (report) console.log(`report:  ${path.relative(process.cwd(), report)}`);
  }
  return { outcome, report };
}

/** After a Ctrl-C the report of what was measured is still rendered: more Ctrl-Cs wait for it. */
async function ignoringCtrlC<T>(interrupted: boolean, work: () => Promise<T>): Promise<T> {
  if (!interrupted) return work();
  const ignore = () => console.error('pushbench: writing the report of what was measured…');
  process.on('SIGINT', ignore);
  try {
    return await work();
  } finally {
    process.off('SIGINT', ignore);
  }
}

/** Exit code for an outcome; throws what the CLI should print. */
function finish(outcomes: RunOutcome[]): void {
  if (outcomes.some((o) => o.interrupted)) {
    const kept = outcomes.reduce((n, o) => n + o.results.runs.length, 0);
    console.error(
      kept > 0
        ? `pushbench: interrupted; partial results were written (${kept} run${kept === 1 ? '' : 's'})`
        : 'pushbench: interrupted before anything was measured; results.json has no runs',
    );
    process.exitCode = 130;
    return;
  }
  for (const o of outcomes) {
    const err = outcomeError(o);
    if (err) throw err;
  }
}

export function register(program: Command): void {
  addScenarioFlags(
    program
      .command('run')
      .description('run a scenario (default: all four protocols, 100 clients, 10 msg/s, 256 B, 30 s)')
      .argument('[scenario]', 'scenario file (YAML), e.g. scenarios/silent-drop.yaml')
      .option(
        '--engine <name>',
        'load engine: pushbench | artillery | pushbench,artillery (both, side by side; docs/engines.md)',
        'pushbench',
      )
      .option(
        '--target <url>',
        "measure this server instead of starting pushbench's own (the scenario's target.url; docs/targets.md)",
      )
      .option(
        '--profile <name>',
        'what the target speaks: pushbench | nchan | generic | socket.io (default generic)',
      )
      .option('--target-pid <pid>', "sample the target server's CPU and RSS from /proc (same machine)")
      .option(
        '--side-by-side',
        "with a target: run the scenario on pushbench's own servers first, into the same report",
      ),
  ).action(async (file: string | undefined, flags: RunFlags) => {
    const base = file ? await loadScenario(file) : defaultScenario();
    const scenario = applyOverrides(base, overridesFromFlags(flags));
    await assertWritableDir(flags.out);
    finish([(await runOne(scenario, flags)).outcome]);
  });

  addScenarioFlags(
    program
      .command('bench')
      .description(`the standard comparison: ${BENCH_SCENARIOS.join(' then ')} (a few minutes)`),
  ).action(async (flags: RunFlags) => {
    await assertWritableDir(flags.out);
    const outcomes: RunOutcome[] = [];
    for (const name of BENCH_SCENARIOS) {
      const base = await loadScenario(path.join(SCENARIO_DIR, name));
      const { outcome } = await runOne(applyOverrides(base, overridesFromFlags(flags)), flags);
      outcomes.push(outcome);
      if (outcome.interrupted || outcome.failure) break;
    }
    finish(outcomes);
  });
}
