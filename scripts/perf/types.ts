/**
 * perf.json (schema `pushbench/perf@1`): one entry per comparison, both sides' figures
 * (medians over the repetitions, and each repetition) and their ratios
 * (subject median ÷ baseline median). Documented in docs/perf.md.
 */

export const PERF_SCHEMA_ID = 'pushbench/perf@1';

/** One side of a comparison: its name and figures by metric (units in the key). */
export interface Side {
  name: string;
  /** Median over the repetitions. */
  figures: Record<string, number>;
  /** Each repetition's figures, in the order they ran. */
  repetitions: Array<Record<string, number>>;
}

/** A bound on a ratio: `max` (ratio ≤ max) or `min` (ratio ≥ min). */
export interface Target {
  max?: number;
  min?: number;
}

export interface Comparison {
  /** e.g. 'websocket-fanout-1000'. */
  id: string;
  title: string;
  /** pushbench's side. */
  subject: Side;
  /** The floor it is measured against. */
  baseline: Side;
  /** subject ÷ baseline per metric (medians). */
  ratio: Record<string, number>;
  /** Ratio bounds (core/defaults.ts PERF_DEFAULTS.targets), by ratio key. */
  targets: Record<string, Target>;
  /** Whether each targeted ratio is within its bound. */
  met: Record<string, boolean>;
  settings: Record<string, unknown>;
  /** Extra figures that are not a side (e.g. wrk's rates, or why they are missing). */
  extra?: Record<string, unknown>;
  notes: string[];
  elapsedMs: number;
}

export interface PerfReport {
  schema: typeof PERF_SCHEMA_ID;
  quick: boolean;
  startedAt: string;
  elapsedMs: number;
  environment: {
    node: string;
    cpus: number;
    os: string;
    /** 1-minute load average before and after (other loads on the machine make figures noisy). */
    loadAverageBefore: number;
    loadAverageAfter: number;
  };
  comparisons: Comparison[];
}
