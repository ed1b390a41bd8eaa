/**
 * `pushbench run --engine artillery`: each protocol of the scenario runs against its own server
 * child (as with the pushbench engine), through a generated Artillery script executed by the
 * local artillery 2.0.21, and Artillery's JSON comes back as RunResults (`engine: "artillery"`)
 * in a results.json the same report renders. Scripts, logs and Artillery's JSON stay in
 * <run folder>/artillery/. Bounded in time; every child is stopped on every path.
 */
import path from 'node:path';
import { ARTILLERY_DEFAULTS, RUN_DEFAULTS } from '../core/defaults.ts';
import type { ProtocolName, RunResult, SourceFigures } from '../core/types.ts';
import { type CpuReading, readCpu, windowOf } from '../runner/proc-cpu.ts';
import { type RunOptions, type RunOutcome, runEachProtocol } from '../runner/runner.ts';
import { sampleCost, scenarioServerOptions, startServerChild } from '../runner/server-child.ts';
import { type ServerSample, serverFigures } from '../runner/server-figures.ts';
import { clientsFor, type Scenario } from '../scenarios/schema.ts';
import { asArtilleryReport, convertArtillery } from './artillery-convert.ts';
import { exportCaveats, rampSeconds, scriptFileName, writeArtilleryFiles } from './artillery-export.ts';
import { runArtillery } from './artillery-run.ts';

interface ProtocolArgs {
  scenario: Scenario;
  protocol: ProtocolName;
  dir: string;
  quiet: boolean;
  allowRemote: boolean;
  signal: AbortSignal;
}

/** Run every protocol of the scenario on Artillery and write results.json; never throws after the first run starts. */
export function runArtilleryScenario(opts: RunOptions): Promise<RunOutcome> {
  const outDir = opts.outDir ?? RUN_DEFAULTS.outDir;
  return runEachProtocol(
    opts,
    async (protocol, { id, signal }) => [
      await runProtocolOnArtillery({
        scenario: opts.scenario,
        protocol,
        dir: path.resolve(outDir, id, 'artillery'),
        quiet: opts.quiet ?? false,
        allowRemote: opts.allowRemote ?? false,
        signal,
      }),
    ],
    { engine: 'artillery' },
  );
}

/** One protocol: server child, script, artillery, conversion. */
async function runProtocolOnArtillery(a: ProtocolArgs): Promise<RunResult> {
  const s = a.scenario;
  const server = await startServerChild(
    `server (${a.protocol}, artillery)`,
    scenarioServerOptions(s, a.protocol),
    a.allowRemote,
  );
  try {
    const script = (await writeArtilleryFiles(s, a.dir, server.url, [a.protocol])).get(a.protocol) as string;
    const base = path.join(a.dir, scriptFileName(s, a.protocol).replace(/\.yml$/, ''));
    const runMs = rampSeconds(s) * 1000 + s.warmUpMs + s.durationMs;
    if (!a.quiet) {
      console.error(
        `artillery  ${a.protocol}: ${clientsFor(s, a.protocol)} clients, ${Math.round(runMs / 1000)} s + Artillery's start-up; log ${path.relative(process.cwd(), `${base}.log`)}`,
      );
    }
    const samples: ServerSample[] = [await sampleCost(server.child)];
    // Artillery's own CPU (its process and anything below it), read from outside every second.
    const artilleryCpu: CpuReading[] = [];
    let artilleryPid: number | undefined;
    await server.child.request('source-start');
    const sampler = setInterval(() => {
      const reading = artilleryPid === undefined ? null : readCpu([artilleryPid], true);
      if (reading) artilleryCpu.push(reading);
      sampleCost(server.child).then(
        (x) => samples.push(x),
        () => undefined,
      );
    }, 1_000);
    let data: unknown;
    try {
      data = await runArtillery({
        script,
        outputFile: `${base}.json`,
        logFile: `${base}.log`,
        timeoutMs: runMs + ARTILLERY_DEFAULTS.startupAllowanceMs,
        signal: a.signal,
        onSpawn: (pid) => {
          artilleryPid = pid;
        },
      });
    } finally {
      clearInterval(sampler);
    }
    const stopped = await server.child.request<{ pacer: SourceFigures }>('source-stop');
    samples.push(await sampleCost(server.child));
    const [run] = convertArtillery(
      data,
      {
        durationMs: s.durationMs,
        server: serverFigures(samples, ...measuredWindow(data, s)),
        notes: exportCaveats(s),
      },
      `${base}.json`,
    );
    run.generator.cpuMsPerDeliveredMessage = artilleryCpuPerDelivered(artilleryCpu, data, s, run);
    run.source = stopped.pacer;
    run.saturationThresholdMs = s.saturation.eventLoopP99Ms;
    if (run.server.eventLoopP99Ms !== null)
      run.server.saturated = run.server.eventLoopP99Ms > run.saturationThresholdMs;
    return run;
  } finally {
    await server.child.stop(3_000);
  }
}

/** The measured window in epoch ms: Artillery's first metric + ramp-up + warm-up, to its last. */
function measuredWindow(data: unknown, s: Scenario): [number, number] {
  const agg = asArtilleryReport(data).aggregate;
  const from = (agg.firstMetricAt ?? 0) + rampSeconds(s) * 1000 + s.warmUpMs;
  return [from, agg.lastMetricAt ?? Number.POSITIVE_INFINITY];
}

/**
 * Artillery's CPU ms per delivered message over the measured window: its CPU rate between the
 * first and last readings inside the window, times the window, over the messages it timed in
 * the window (the processor times exactly those: steady + recovered latency counts). Null when
 * fewer than two readings fall inside or nothing was timed.
 */
function artilleryCpuPerDelivered(
  readings: CpuReading[],
  data: unknown,
  s: Scenario,
  run: RunResult,
): number | null {
  const [from] = measuredWindow(data, s);
  const w = windowOf(readings, from, from + s.durationMs + 250);
  const timed = run.latencyMs.count + run.recoveredLatencyMs.count;
  if (!w || timed <= 0) return null;
  const [a, b] = w;
  const perMs = (b.cpuMs - a.cpuMs) / Math.max(1, b.atMs - a.atMs);
  return Math.round(((perMs * s.durationMs) / timed) * 1e6) / 1e6;
}
