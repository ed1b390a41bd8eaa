/**
 * `pushbench capacity`: how many clients can this server carry within an SLO? autocannon
 * (fixed rate) for short-poll / long-poll, stepped client counts for sse / websocket.
 * Writes results.json (its `capacity` section) and the report; prints a table.
 * Exit codes: 0 ok, 1 a probe failed, 2 bad flags, 130 Ctrl-C.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { CAPACITY_DEFAULTS, RUN_DEFAULTS } from '../../core/defaults.ts';
import { PushbenchError } from '../../core/errors.ts';
import { isProtocolName, type ProtocolName } from '../../core/types.ts';
import { parseDurationMs, parseRatePerS, parseSizeBytes } from '../../core/units.ts';
import { type CapacitySettings, runCapacity } from '../../engines/capacity.ts';
import {
  describeSlo,
  formatCapacityTable,
  formatStep,
  parseCapacitySlo,
} from '../../engines/capacity-search.ts';
import { writeReport } from '../../reports/write.ts';
import { assertWritableDir } from '../../runner/results-io.ts';

interface CapacityFlags {
  protocols: string;
  slo?: string;
  out: string;
  durationPerStep?: string;
  maxSteps?: string;
  maxTime?: string;
  startRate?: string;
  startClients?: string;
  connections?: string;
  rate?: string;
  size?: string;
  coCorrection?: boolean;
  json?: boolean;
  report: boolean;
}

function parseFlags(f: CapacityFlags) {
  const problems: string[] = [];
  const protocols = f.protocols.split(',').map((p) => p.trim());
  for (const p of protocols) if (!isProtocolName(p)) problems.push(`--protocols: unknown protocol "${p}"`);
  const num = (
    flag: string,
    raw: string | undefined,
    parse: (v: string) => number | undefined,
    min: number,
  ) => {
    if (raw === undefined) return undefined;
    const v = parse(raw);
    if (v === undefined || !(v >= min)) problems.push(`--${flag}: expected a value ≥ ${min}, got "${raw}"`);
    return v;
  };
  const int = (v: string) => (/^\d+$/.test(v) ? Number(v) : undefined);
  const settings: Partial<CapacitySettings> = {
    stepDurationMs: num('duration-per-step', f.durationPerStep, parseDurationMs, 1000),
    maxSteps: num('max-steps', f.maxSteps, int, 1),
    maxProbeMs: num('max-time', f.maxTime, parseDurationMs, 1000),
    startRatePerS: num('start-rate', f.startRate, parseRatePerS, 1),
    startClients: num('start-clients', f.startClients, int, 1),
    connections: num('connections', f.connections, int, 1),
  };
  const ratePerS = num('rate', f.rate, parseRatePerS, 0);
  const sizeBytes = num('size', f.size, parseSizeBytes, 0);
  let slo: ReturnType<typeof parseCapacitySlo> = {};
  try {
    slo = parseCapacitySlo(f.slo);
  } catch (err) {
    problems.push(...(err as PushbenchError).problems);
  }
  if (problems.length) throw new PushbenchError('PB_BAD_OPTION', 'capacity flags', problems);
  const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  return { protocols: protocols as ProtocolName[], slo, settings: defined, ratePerS, sizeBytes };
}

export function register(program: Command): void {
  program
    .command('capacity')
    .description(
      'find the load this server carries within an SLO: autocannon for polling, client step-up for sse/websocket (loopback only)',
    )
    .option('--protocols <list>', 'protocols to probe', CAPACITY_DEFAULTS.protocols.join(','))
    .option(
      '--slo <spec>',
      `latency SLO each step must keep: p50|p90|p99|max=<time>, comma-separated (default p99=${CAPACITY_DEFAULTS.sloP99Ms}ms)`,
    )
    .option(
      '--duration-per-step <time>',
      `measured time of each step (default ${CAPACITY_DEFAULTS.stepDurationMs / 1000}s)`,
    )
    .option('--max-steps <n>', `steps per protocol at most (default ${CAPACITY_DEFAULTS.maxSteps})`)
    .option('--max-time <time>', `time budget per protocol (default ${CAPACITY_DEFAULTS.maxProbeMs / 1000}s)`)
    .option(
      '--start-rate <rate>',
      `polling: first request rate, ×${CAPACITY_DEFAULTS.rateFactor} per step (default ${CAPACITY_DEFAULTS.startRatePerS}/s)`,
    )
    .option('--connections <n>', `polling: autocannon connections (default ${CAPACITY_DEFAULTS.connections})`)
    .option(
      '--co-correction',
      "polling: keep autocannon's own coordinated-omission back-fill (see docs/engines.md)",
    )
    .option(
      '--start-clients <n>',
      `sse/websocket: first client count, ×${CAPACITY_DEFAULTS.clientsFactor} per step (default ${CAPACITY_DEFAULTS.startClients})`,
    )
    .option(
      '--rate <rate>',
      `sse/websocket: broadcast messages per second during steps (default ${RUN_DEFAULTS.ratePerS})`,
    )
    .option('--size <size>', `sse/websocket: payload size (default ${RUN_DEFAULTS.sizeBytes})`)
    .option('--out <dir>', 'output folder for <run-id>/results.json and index.html', RUN_DEFAULTS.outDir)
    .option('--json', 'print the capacity section as JSON to stdout')
    .option('--no-report', 'do not render the HTML report')
    .action(async (flags: CapacityFlags) => {
      const parsed = parseFlags(flags);
      await assertWritableDir(flags.out);
      const log = (line: string) => (flags.json ? console.error(line) : console.log(line));
      log(
        `pushbench capacity: ${parsed.protocols.join(', ')}; SLO ${describeSlo(parsed.slo)}; ` +
          'loopback, load generator and server share this machine',
      );
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const outcome = await runCapacity({
        ...parsed,
        coCorrection: Boolean(flags.coCorrection),
        outDir: flags.out,
        signal: abort.signal,
        onStep: (protocol, step) => log(formatStep(protocol, step)),
      }).finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
      const report = flags.report ? await writeReport(outcome.file) : undefined;
      if (flags.json) process.stdout.write(`${JSON.stringify(outcome.section, null, 2)}\n`);
      else log(`\n${formatCapacityTable(outcome.section)}\n`);
      log(`results: ${path.relative(process.cwd(), outcome.file)}`);
      if (report) log(`report:  ${path.relative(process.cwd(), report)}`);
      if (outcome.interrupted) {
        console.error('pushbench: interrupted; partial results were written');
        process.exitCode = 130;
      } else if (outcome.failure) throw outcome.failure;
    });
}
