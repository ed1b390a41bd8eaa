/**
 * HDR histogram helpers (hdr-histogram-js, plain JS build: no wasm memory to free).
 * Values are µs within core/defaults HISTOGRAM bounds (1 µs .. 1 h, 3 significant
 * digits); they cross process boundaries as HdrHistogram's compressed base64 encoding
 * and are merged exactly by adding the decoded counts.
 */
import * as hdr from 'hdr-histogram-js';
import { HISTOGRAM } from '../core/defaults.ts';
import type { LatencySummary } from '../core/types.ts';

export type Histogram = hdr.Histogram;

/** A fresh histogram with the project-wide bounds. */
export function createHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: HISTOGRAM.lowestUs,
    highestTrackableValue: HISTOGRAM.highestUs,
    numberOfSignificantValueDigits: HISTOGRAM.significantDigits as 3,
    useWebAssembly: false,
  });
}

/** Clamp a µs value into the trackable range (the caller counts clamped negatives). */
export function clampUs(us: number): number {
  if (!(us >= HISTOGRAM.lowestUs)) return HISTOGRAM.lowestUs;
  if (us > HISTOGRAM.highestUs) return HISTOGRAM.highestUs;
  return Math.round(us);
}

/** Encode for IPC / JSON ('' for an empty histogram: nothing to carry). */
export function encodeHistogram(h: Histogram): string {
  return h.totalCount === 0 ? '' : hdr.encodeIntoCompressedBase64(h);
}

/** Add an encoded histogram (from encodeHistogram) into `into`. */
export function addEncoded(into: Histogram, encoded: string): void {
  if (encoded === '') return;
  into.add(hdr.decodeFromCompressedBase64(encoded, 32, false));
}

/** Decode into a fresh histogram with the project bounds. */
export function decodeHistogram(encoded: string): Histogram {
  const h = createHistogram();
  addEncoded(h, encoded);
  return h;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** results.json LatencySummary in ms (3 decimals) from a µs histogram; zeros when empty. */
export function summarizeMs(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const ms = (us: number): number => round3(us / 1000);
  return {
    count: h.totalCount,
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}
