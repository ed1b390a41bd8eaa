/**
 * The `browser` block of a browser run's RunResult (core/types.ts BrowserObservations):
 * from the pages' reconnect events, what only a browser can tell — how long onclose took
 * after ws.close(), close codes, onerror counts, EventSource's own retries — plus the host's
 * figures (Chromium version, connections, the pages' timer lag).
 */
import type { BrowserEventRecord, BrowserObservations } from '../../core/types.ts';
import type { BrowserFleetInfo } from './host.ts';
import type { BrowserReconnectEvent } from './types.ts';

/** Most events listed one by one in results.json. */
const MAX_LISTED_EVENTS = 50;
/** Slack after a fault's end in which a loss still belongs to it (as runner/aggregate.ts). */
const FAULT_TAIL_MS = 60_000;
const ERROR_KINDS = ['ws-onerror', 'sse-error', 'sse-error-closed'];

export interface ObservationInput {
  events: BrowserReconnectEvent[];
  info: BrowserFleetInfo;
  errors: Record<string, number>;
  /** Epoch ms: times in the listed events are relative to it. */
  measureStartMs: number;
  /** Fault windows (epoch ms) with the pages they hit: a loss inside one gets detectMs. */
  faults: Array<{ startMs: number; endMs: number; clientIds: Set<string> }>;
  /** Summarize raw ms values (p50 / p99 / max), e.g. results-io summarizeTimings. */
  summarize: (values: number[]) => { p50: number; p99: number; max: number };
}

/** Build the BrowserObservations of one browser run. */
export function browserObservations(input: ObservationInput): BrowserObservations {
  const { events, info } = input;
  const closes = events.filter((e) => e.closeCalledAtMs !== undefined);
  const delays = closes
    .filter((e) => e.closeCompletedAtMs !== undefined)
    .map((e) => e.closeCompletedAtMs! - e.closeCalledAtMs!);
  return {
    version: info.version,
    pages: info.pages,
    connections: info.connections,
    oncloseDelayMs: { count: delays.length, ...input.summarize(delays) },
    oncloseMissing: closes.length - delays.length,
    reasons: countBy(events.map((e) => e.reason)),
    closeCodes: countBy(events.flatMap((e) => (e.closeCode === undefined ? [] : [String(e.closeCode)]))),
    errorEvents: ERROR_KINDS.reduce((n, k) => n + (input.errors[k] ?? 0), 0),
    browserRetries: events.filter((e) => e.browserRetry).length,
    timerLagMs: { p99: info.timerLag.p99Ms, max: info.timerLag.maxMs },
    events: events.slice(0, MAX_LISTED_EVENTS).map((e) => record(e, input)),
  };
}

function record(e: BrowserReconnectEvent, input: ObservationInput): BrowserEventRecord {
  const rel = (atMs: number | undefined): number | undefined =>
    atMs === undefined ? undefined : Math.round((atMs - input.measureStartMs) * 1000) / 1000;
  const fault = input.faults
    .filter(
      (f) => f.clientIds.has(e.client) && e.deadAtMs >= f.startMs && e.deadAtMs <= f.endMs + FAULT_TAIL_MS,
    )
    .at(-1);
  const out: BrowserEventRecord = { page: e.client, reason: e.reason, deadAtMs: rel(e.deadAtMs)! };
  const optional: Partial<BrowserEventRecord> = {
    detectMs: fault ? round3(e.deadAtMs - fault.startMs) : undefined,
    closeCalledAtMs: rel(e.closeCalledAtMs),
    oncloseAtMs: rel(e.closeCompletedAtMs),
    oncloseDelayMs:
      e.closeCalledAtMs !== undefined && e.closeCompletedAtMs !== undefined
        ? round3(e.closeCompletedAtMs - e.closeCalledAtMs)
        : undefined,
    closeCode: e.closeCode,
    wasClean: e.wasClean,
    errorAtMs: rel(e.errorAtMs),
    openAtMs: rel(e.openAtMs),
    caughtUpAtMs: rel(e.caughtUpAtMs),
    browserRetry: e.browserRetry,
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

function countBy(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
