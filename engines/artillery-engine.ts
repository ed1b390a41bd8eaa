/**
 * `pushbench run --engine artillery`: each protocol of the scenario runs against its own server
 * child (as with the pushbench engine), through a generated Artillery script executed by the
 * local artillery 2.0.21, and Artillery's JSON comes back as RunResults (`engine: "artillery"`)
 * in a results.json the same report renders. Scripts, logs and Artillery's JSON stay in
 * <run folder>/artillery/. Bounded in time; every child is stopped on every path.
 */
import path from 'node:path';
import { ARTILLERY_DEFAULTS, RUN_DEFAULTS } from '../core/defaults.ts';
import type { ProtocolName, RunResult } from '../core/types.ts';
import { type RunOptions, type RunOutcome, runEachProtocol } from '../runner/runner.ts';
import {
  type CostSample,
  sampleCost,
  scenarioServerOptions,
  serverFigures,
  startServerChild,
} from '../runner/server-child.ts';
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
    const samples: CostSample[] = [await sampleCost(server.child)];
    await server.child.request('source-start');
    const sampler = setInterval(() => {
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
      });
    } finally {
      clearInterval(sampler);
    }
    await server.child.request('source-stop');
    samples.push(await sampleCost(server.child));
    const [run] = convertArtillery(
      data,
      {
        durationMs: s.durationMs,
        server: serverFigures(measured(samples, data, s)),
        notes: exportCaveats(s),
      },
      `${base}.json`,
    );
    return run;
  } finally {
    await server.child.stop(3_000);
  }
}

/** Server samples inside the measured window (Artillery's start-up would dilute CPU %). */
function measured(samples: CostSample[], data: unknown, s: Scenario): CostSample[] {
  const agg = asArtilleryReport(data).aggregate;
  const from = (agg.firstMetricAt ?? 0) + rampSeconds(s) * 1000 + s.warmUpMs;
  const to = agg.lastMetricAt ?? Number.POSITIVE_INFINITY;
  const inside = samples.filter((x) => x.atMs >= from && x.atMs <= to);
  return inside.length >= 2 ? inside : samples;
}
