/**
 * Shapes of what a generator reports (WorkerReport, JSON over IPC) and what the runner
 * gets after merging them (MergedReport). Times are epoch ms; histograms are HdrHistogram
 * compressed base64 of µs values ('' when empty).
 */
import type { LatencySummary } from '../core/types.ts';
import type { ByteMeter } from './bytes.ts';
import type { BucketReport } from './timeseries.ts';

export type { BucketReport };

/**
 * The per-client counters that add up into WorkerTotals — one list; ClientStats, WorkerTotals,
 * the Recorder, the merge and the page recorder derive from it. delivered: unique seqs
 * received; recovered: of those, delivered after a reconnect and published before it;
 * outOfOrder: arrivals with a seq lower than one already seen (not duplicates); gapsLost:
 * seqs announced gone by a `gap` (exact for broadcast, an upper bound for addressed);
 * payloadBytes: UTF-8 bytes of `data` of unique deliveries; requests / emptyResponses: HTTP
 * requests answered (polling) and how many were empty; reconnects: completed reconnects.
 */
export const CLIENT_COUNTERS = [
  'delivered',
  'recovered',
  'duplicates',
  'outOfOrder',
  'gapsLost',
  'payloadBytes',
  'requests',
  'emptyResponses',
  'reconnects',
] as const;
export type ClientCounter = (typeof CLIENT_COUNTERS)[number];

/** Every client counter at 0. */
export function zeroCounters(): Record<ClientCounter, number> {
  return Object.fromEntries(CLIENT_COUNTERS.map((k) => [k, 0])) as Record<ClientCounter, number>;
}

/** Live per-client counters (owned by the Recorder, updated by the client). */
export interface ClientStats extends Record<ClientCounter, number> {
  id: string;
  /** lastSeq of the first hello / first poll answer: the client's window starts after it. */
  subscribedAfterSeq: number | undefined;
  /** Highest seq received (or skipped past by a counted gap). */
  lastSeq: number;
  /** Highest seq s such that every seq ≤ s for this client was received or counted lost. */
  highWaterSeq: number;
  connected: boolean;
  firstOpenAtMs: number | undefined;
  meter: ByteMeter;
}

/** ClientStats as reported: the byte meter read out. */
export interface ClientReport extends Omit<ClientStats, 'meter'> {
  /** Server → client socket bytes. */
  bytesIn: number;
  /** Client → server socket bytes. */
  bytesOut: number;
}

/** One lost connection and its way back (epoch ms). */
export interface ReconnectEvent {
  client: string;
  /** 'heartbeat-timeout', 'idle-timeout', 'timeout', 'closed', 'ECONNRESET', 'http-503', … */
  reason: string;
  /** Last byte received on the lost connection: the outage starts after it. */
  lastGoodAtMs: number;
  /** The client declared the connection dead. */
  deadAtMs: number;
  /** giveUp 'close' only: when ws 'close' finally fired (handshake done or close timeout). */
  closeCompletedAtMs?: number;
  /** Failed attempts before the connection that opened. */
  attempts: number;
  /** A new connection delivered its hello / first answer. */
  openAtMs?: number;
  /** The resume point sent (`since` / Last-Event-ID). */
  resumeAfterSeq: number;
  /** lastSeq announced by the reopened connection: messages ≤ it are the backlog. */
  reopenLastSeq?: number;
  /** highWaterSeq reached reopenLastSeq: everything published before the reopen is in. */
  caughtUpAtMs?: number;
  /** Seqs the reopen answer announced gone (gap). */
  gapLost?: number;
  /** socket.io: Socket.IO's connection state recovery replayed the outage, or the envelope seq did. */
  resumedBy?: 'recovery' | 'seq';
}

/** Every client's CLIENT_COUNTERS summed, plus the worker's own figures. */
export interface WorkerTotals extends Record<ClientCounter, number> {
  clients: number;
  connected: number;
  bytesIn: number;
  bytesOut: number;
  /** Requests sent inside the measured window (warm-up end → end of the duration). */
  requestsMeasured: number;
  /** Open connections declared dead (= reconnect events, including any beyond the kept maximum). */
  connectionsLost: number;
  /** Deliveries received before warmUpEndsAtMs (counted, not in the histograms). */
  warmUpSkipped: number;
  /** Latencies below zero (clock skew), recorded as the lowest bound. */
  negativeLatencies: number;
}

export interface EventLoopSummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** A generator's snapshot, JSON-serializable. */
export interface WorkerReport {
  schema: 'pushbench/worker@1';
  workerIndex: number;
  protocol: string;
  pid: number;
  startedAtMs: number;
  atMs: number;
  warmUpEndsAtMs: number;
  histograms: { steadyUs: string; recoveredUs: string; pingRttUs: string };
  totals: WorkerTotals;
  clients: ClientReport[];
  reconnects: ReconnectEvent[];
  timeseries: BucketReport[];
  /** Generator event-loop delay since warm-up end (ms). */
  eventLoop: EventLoopSummary;
  /** The generator process's own memory and CPU time at the snapshot. */
  resources: Resources;
  errors: Record<string, number>;
  /** The first example of some error kinds (an unparsed message), cut to 200 characters. */
  errorSamples?: Record<string, string>;
  /** Final report only: when this worker's proxy really applied / removed each fault (epoch ms). */
  faultsApplied?: Array<{ fault: number; appliedAtMs: number; removedAtMs?: number }>;
}

export interface Resources {
  rssMB: number;
  heapUsedMB: number;
  cpuUserMs: number;
  cpuSystemMs: number;
}

/** One merged 1-second bucket; latencies in ms. */
export interface MergedBucket {
  /** Bucket start, epoch ms (the runner rebases it to seconds since measurement start). */
  atMs: number;
  connected: number;
  delivered: number;
  p50: number;
  p99: number;
  bytesIn: number;
  bytesOut: number;
}

/** Every worker added up (exact: histograms merged from their encodings). */
export interface MergedReport {
  workers: number;
  protocol: string;
  totals: WorkerTotals;
  latencyMs: LatencySummary;
  recoveredLatencyMs: LatencySummary;
  pingRttMs: LatencySummary;
  /** Merged histograms, encoded (µs). */
  histograms: { steadyUs: string; recoveredUs: string; pingRttUs: string };
  clients: ClientReport[];
  reconnects: ReconnectEvent[];
  timeseries: MergedBucket[];
  /** Worst worker's event-loop figures (saturation is per process), plus each worker's p99. */
  eventLoop: EventLoopSummary & { perWorkerP99Ms: number[] };
  /** Summed over the generator processes. */
  resources: Resources;
  errors: Record<string, number>;
  errorSamples?: Record<string, string>;
}
