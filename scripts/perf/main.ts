/**
 * `npm run perf [-- --quick] [--only websocket,generator,poll,proxy,sse,artillery,long-poll,nchan] [--repetitions N] [--out DIR]`:
 * pushbench measured against the bare floor and nginx + nchan (docs/perf.md), both sides of every comparison in
 * the same run, alternating, medians of several repetitions. Writes DIR/perf.json
 * (default reports/out/perf) and prints the ratio table. Exit 0; 1 when a comparison
 * failed (perf.json keeps the others); 2 on a bad option. Targets missed are reported,
 * not an error (the figures depend on the machine's load); so is a comparison skipped because
 * what it needs is not installed (nginx + nchan): noted, and listed in perf.json's `skipped`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PERF_DEFAULTS } from '../../core/defaults.ts';
import { PushbenchError } from '../../core/errors.ts';
import { killAllChildrenSync } from '../../runner/child.ts';
import { GROUPS, type Group, plan } from './plan.ts';
import { ratioTable } from './table.ts';
import { type Comparison, PERF_SCHEMA_ID, type PerfReport } from './types.ts';

const HELP = `Usage: npm run perf -- [options]

  --quick              small and short (${PERF_DEFAULTS.quickClients} clients, ${PERF_DEFAULTS.quickRepetitions} repetitions): the CI form
  --only LIST          comma-separated subset of ${GROUPS.join(', ')} (default: all)
  --repetitions N      repetitions per comparison (default ${PERF_DEFAULTS.repetitions} for fan-outs,
                       ${PERF_DEFAULTS.cheapRepetitions} for the others; quick ${PERF_DEFAULTS.quickRepetitions})
  --out DIR            where perf.json goes (default ${PERF_DEFAULTS.outDir})
  -h, --help           this text`;

interface CliOptions {
  quick: boolean;
  only: Group[];
  repetitions?: number;
  outDir: string;
}

/** Parse argv; every problem reported at once as PB_BAD_OPTION. */
export function parseCli(argv: string[]): CliOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        repetitions: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new PushbenchError('PB_BAD_OPTION', err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';
  const problems: string[] = [];
  const only = typeof values.only === 'string' ? values.only.split(',').map((g) => g.trim()) : [...GROUPS];
  for (const g of only)
    if (!(GROUPS as readonly string[]).includes(g)) problems.push(`--only: unknown "${g}"`);
  let repetitions: number | undefined;
  if (typeof values.repetitions === 'string') {
    repetitions = Number(values.repetitions);
    if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 20)
      problems.push(`--repetitions: expected an integer in [1, 20], got "${values.repetitions}"`);
  }
  if (problems.length) throw new PushbenchError('PB_BAD_OPTION', problems.join('; '), problems);
  return {
    quick: values.quick === true,
    only: only as Group[],
    repetitions,
    outDir: typeof values.out === 'string' ? values.out : PERF_DEFAULTS.outDir,
  };
}

async function run(o: CliOptions): Promise<number> {
  const startedAt = new Date();
  const t0 = performance.now();
  const loadBefore = os.loadavg()[0];
  const comparisons: Comparison[] = [];
  const failures: Array<{ id: string; error: string }> = [];
  const skipped: Array<{ id: string; reason: string }> = [];
  for (const task of plan(o)) {
    if (task.skip) {
      skipped.push({ id: task.id, reason: task.skip });
      console.log(`perf: ${task.id} skipped: ${task.skip}`);
      continue;
    }
    console.log(`perf: ${task.id} …`);
    try {
      comparisons.push(await task.run());
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      failures.push({ id: task.id, error });
      console.error(`perf: ${task.id} failed: ${error}`);
    }
  }
  const report: PerfReport & { failures?: typeof failures; skipped?: typeof skipped } = {
    schema: PERF_SCHEMA_ID,
    quick: o.quick,
    startedAt: startedAt.toISOString(),
    elapsedMs: Math.round(performance.now() - t0),
    environment: {
      node: process.version,
      cpus: os.availableParallelism(),
      os: `${os.type()} ${os.release()}`,
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg()[0],
    },
    comparisons,
    ...(failures.length ? { failures } : {}),
    ...(skipped.length ? { skipped } : {}),
  };
  await mkdir(o.outDir, { recursive: true });
  const file = path.join(o.outDir, 'perf.json');
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log('');
  for (const line of ratioTable(report)) console.log(line);
  for (const { id, reason } of skipped) console.log(`${id}: skipped — ${reason}`);
  console.log(
    `\nload average ${loadBefore.toFixed(2)} → ${report.environment.loadAverageAfter.toFixed(2)} on ${report.environment.cpus} CPUs`,
  );
  console.log(`wrote ${file} (${(report.elapsedMs / 1000).toFixed(0)} s)`);
  return failures.length ? 1 : 0;
}

async function main(): Promise<void> {
  process.once('SIGINT', () => {
    killAllChildrenSync();
    process.exit(130);
  });
  try {
    const o = parseCli(process.argv.slice(2));
    if (o === 'help') {
      console.log(HELP);
      return;
    }
    process.exitCode = await run(o);
  } catch (err) {
    if (err instanceof PushbenchError) {
      console.error(`perf: ${err.code}: ${err.message}`);
      process.exitCode = err.code === 'PB_BAD_OPTION' ? 2 : 1;
    } else {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 1;
    }
  }
}

// Importing this module (tests do, for parseCli) must not run the comparisons.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
