/**
 * mergeWorkerReports: add up generator snapshots exactly — histograms are decoded and
 * added (not averaged), counters summed, time-series buckets merged by epoch second.
 */
import { addEncoded, createHistogram, encodeHistogram, type Histogram, summarizeMs } from './histograms.ts';
import {
  CLIENT_COUNTERS,
  type MergedBucket,
  type MergedReport,
  type WorkerReport,
  type WorkerTotals,
} from './report-types.ts';

const TOTAL_KEYS: Array<keyof WorkerTotals> = [
  'clients',
  'connected',
  ...CLIENT_COUNTERS,
  'bytesIn',
  'bytesOut',
  'requestsMeasured',
  'connectionsLost',
  'warmUpSkipped',
  'negativeLatencies',
];

/** Every total at 0 (the keys in report order). */
export function zeroTotals(): WorkerTotals {
  return Object.fromEntries(TOTAL_KEYS.map((k) => [k, 0])) as unknown as WorkerTotals;
}

/** Merge generator snapshots into one report (exact histogram merge). */
export function mergeWorkerReports(reports: WorkerReport[]): MergedReport {
  const merged = {
    steadyUs: createHistogram(),
    recoveredUs: createHistogram(),
    pingRttUs: createHistogram(),
  };
  const totals = zeroTotals();
  const errors: Record<string, number> = {};
  const samples: Record<string, string> = {};
  for (const r of reports) {
    addEncoded(merged.steadyUs, r.histograms.steadyUs);
    addEncoded(merged.recoveredUs, r.histograms.recoveredUs);
    addEncoded(merged.pingRttUs, r.histograms.pingRttUs);
    for (const k of TOTAL_KEYS) totals[k] += r.totals[k];
    for (const [kind, n] of Object.entries(r.errors)) errors[kind] = (errors[kind] ?? 0) + n;
    for (const [kind, text] of Object.entries(r.errorSamples ?? {})) samples[kind] ??= text;
  }
  const loops = reports.map((r) => r.eventLoop);
  const worst = (pick: (e: WorkerReport['eventLoop']) => number): number => Math.max(0, ...loops.map(pick));
  return {
    workers: reports.length,
    protocol: reports[0]?.protocol ?? '',
    totals,
    latencyMs: summarizeMs(merged.steadyUs),
    recoveredLatencyMs: summarizeMs(merged.recoveredUs),
    pingRttMs: summarizeMs(merged.pingRttUs),
    histograms: {
      steadyUs: encodeHistogram(merged.steadyUs),
      recoveredUs: encodeHistogram(merged.recoveredUs),
      pingRttUs: encodeHistogram(merged.pingRttUs),
    },
    clients: reports.flatMap((r) => r.clients),
    reconnects: reports.flatMap((r) => r.reconnects),
    timeseries: mergeTimeseries(reports),
    eventLoop: {
      p50Ms: worst((e) => e.p50Ms),
      p99Ms: worst((e) => e.p99Ms),
      maxMs: worst((e) => e.maxMs),
      meanMs: worst((e) => e.meanMs),
      perWorkerP99Ms: loops.map((e) => e.p99Ms),
    },
    resources: {
      rssMB: sum(reports, (r) => r.resources.rssMB),
      heapUsedMB: sum(reports, (r) => r.resources.heapUsedMB),
      cpuUserMs: sum(reports, (r) => r.resources.cpuUserMs),
      cpuSystemMs: sum(reports, (r) => r.resources.cpuSystemMs),
    },
    errors,
    ...(Object.keys(samples).length ? { errorSamples: samples } : {}),
  };
}

function sum(reports: WorkerReport[], pick: (r: WorkerReport) => number): number {
  return Math.round(reports.reduce((n, r) => n + (pick(r) ?? 0), 0) * 10) / 10;
}

function mergeTimeseries(reports: WorkerReport[]): MergedBucket[] {
  const bySec = new Map<number, { bucket: MergedBucket; encoded: string[] }>();
  for (const r of reports) {
    for (const b of r.timeseries) {
      let m = bySec.get(b.sec);
      if (!m) {
        const bucket = {
          atMs: b.sec * 1000,
          connected: 0,
          delivered: 0,
          p50: 0,
          p99: 0,
          bytesIn: 0,
          bytesOut: 0,
        };
        m = { bucket, encoded: [] };
        bySec.set(b.sec, m);
      }
      m.bucket.connected += b.connected;
      m.bucket.delivered += b.delivered;
      m.bucket.bytesIn += b.bytesIn;
      m.bucket.bytesOut += b.bytesOut;
      if (b.latencyUs !== '') m.encoded.push(b.latencyUs);
    }
  }
  // One scratch histogram for all seconds: a 1 h-range histogram is ~94 KB.
  const scratch: Histogram = createHistogram();
  return [...bySec.keys()]
    .sort((a, b) => a - b)
    .map((sec) => {
      const { bucket, encoded } = bySec.get(sec)!;
      scratch.reset();
      for (const e of encoded) addEncoded(scratch, e);
      const s = summarizeMs(scratch);
      return { ...bucket, p50: s.p50, p99: s.p99 };
    });
}
