/**
 * `pushbench capacity`: one bounded probe per protocol (autocannon for the polling protocols,
 * client step-up for SSE / WebSocket), written to results.json as its `capacity` section and
 * rendered by the report. What was measured is kept on Ctrl-C or when a probe fails.
 */
import { CAPACITY_DEFAULTS, RUN_DEFAULTS } from '../core/defaults.ts';
import type {
  CapacityProbeResult,
  CapacitySection,
  CapacityStep,
  ProtocolName,
  Results,
} from '../core/types.ts';
import { RESULTS_SCHEMA_ID } from '../core/types.ts';
import { stopAllChildren } from '../runner/child.ts';
import { environment, runId, writeResults } from '../runner/results-io.ts';
import { probePolling } from './capacity-polling.ts';
import { probePush } from './capacity-push.ts';
import type { CapacitySlo } from './capacity-search.ts';

export type CapacitySettings = Omit<typeof CAPACITY_DEFAULTS, 'protocols'>;

export interface CapacityRunOptions {
  protocols: ProtocolName[];
  slo: CapacitySlo;
  settings?: Partial<CapacitySettings>;
  /** Push probes: broadcast rate and size (default: the runner's, 10/s × 256 B). */
  ratePerS?: number;
  sizeBytes?: number;
  coCorrection?: boolean;
  outDir?: string;
  onStep?: (protocol: ProtocolName, step: CapacityStep) => void;
  /** Aborts between and inside steps (the CLI wires Ctrl-C to it). */
  signal?: AbortSignal;
}

export interface CapacityOutcome {
  results: Results;
  section: CapacitySection;
  file: string;
  interrupted: boolean;
  failure?: Error;
}

/** Probe each protocol in turn and write results.json; never throws once the first probe started. */
export async function runCapacity(o: CapacityRunOptions): Promise<CapacityOutcome> {
  const startedAt = new Date();
  const settings: CapacitySettings = { ...CAPACITY_DEFAULTS, ...o.settings };
  const probes: CapacityProbeResult[] = [];
  let failure: Error | undefined;
  try {
    for (const protocol of o.protocols) {
      if (o.signal?.aborted) break;
      probes.push(await probeOne(protocol, settings, o));
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  } finally {
    await stopAllChildren();
  }
  const section: CapacitySection = {
    slo: o.slo,
    stepDurationMs: settings.stepDurationMs,
    probes,
    notes: [
      'loopback only: the load generator and the server share this machine, so the figures are a floor for a dedicated server',
    ],
  };
  const results: Results = {
    schema: RESULTS_SCHEMA_ID,
    scenario: { name: 'capacity', protocols: o.protocols, slo: o.slo, settings },
    environment: environment(startedAt),
    runs: [],
    capacity: section,
  };
  const file = await writeResults(results, o.outDir ?? RUN_DEFAULTS.outDir, runId('capacity', startedAt));
  return { results, section, file, interrupted: Boolean(o.signal?.aborted), failure };
}

function probeOne(protocol: ProtocolName, settings: CapacitySettings, o: CapacityRunOptions) {
  const onStep = (step: CapacityStep) => o.onStep?.(protocol, step);
  if (protocol === 'short-poll' || protocol === 'long-poll') {
    return probePolling({
      ...settings,
      protocol,
      slo: o.slo,
      coCorrection: o.coCorrection ?? false,
      signal: o.signal,
      onStep,
    });
  }
  return probePush({
    ...settings,
    protocol,
    slo: o.slo,
    ratePerS: o.ratePerS ?? RUN_DEFAULTS.ratePerS,
    sizeBytes: o.sizeBytes ?? RUN_DEFAULTS.sizeBytes,
    signal: o.signal,
    onStep,
  });
}
