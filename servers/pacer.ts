/**
 * The message pacer (not the load generator, which is runner/generator.ts): emits payloads at
 * `ratePerS` following a pattern (`constant` gaps, `poisson` arrivals, or `burst`s of
 * `burstSize` at the same average rate). Each emission carries its *scheduled* time (epoch ms),
 * which becomes the envelope's `t`: a late timer (a stalled server) delays the publish but not
 * the timestamp, so the stall shows in latency instead of hiding (coordinated omission). A late
 * pacer publishes every overdue message — it never skips — for at most TICK_BUDGET_MS per tick
 * before yielding to the event loop, and counts how far behind it fell (`stats()`,
 * docs/servers.md "The source").
 */
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../core/random.ts';
import type { SourceFigures } from '../core/types.ts';
import { makePayloads, type PayloadKind } from './payloads.ts';

export { makePayloads } from './payloads.ts';

export type Pattern = 'constant' | 'poisson' | 'burst';

export interface PacerOptions {
  ratePerS: number;
  sizeBytes: number;
  pattern: Pattern;
  burstSize: number;
  seed: number;
  /** `random` (incompressible, the default) or `json` (a realistic object), servers/payloads.ts. */
  payload?: PayloadKind;
}

/** One tick emits for at most this long before yielding to the event loop. */
const TICK_BUDGET_MS = 10;

/** How the pacer kept its schedule (results.json `runs[].source`, docs/report.md). */
export type PacerStats = SourceFigures;

export class Pacer {
  private readonly random: () => number;
  private readonly payloads: string[];
  private timer: NodeJS.Timeout | undefined;
  private nextAtMs = 0;
  private emitted = 0;
  private scheduled = 0;
  private published = 0;
  private maxLagMs = 0;
  private startedAtMs: number | undefined;
  private stoppedAtMs: number | undefined;

  constructor(
    private readonly opts: PacerOptions,
    private readonly emit: (data: string, scheduledAtMs: number) => void,
  ) {
    this.random = mulberry32(opts.seed);
    this.payloads = makePayloads(opts.sizeBytes, this.random, opts.payload ?? 'random');
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Start emitting (no-op when already running or rate is 0). */
  start(): void {
    if (this.timer || this.opts.ratePerS <= 0) return;
    this.startedAtMs = performance.now();
    this.stoppedAtMs = undefined;
    this.nextAtMs = this.startedAtMs + this.gapMs();
    this.schedule();
  }

  /** Stop; messages still overdue count as scheduled but not published. */
  stop(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = performance.now();
    this.stoppedAtMs = now;
    while (this.nextAtMs <= now) {
      this.scheduled += this.batch();
      this.maxLagMs = Math.max(this.maxLagMs, now - this.nextAtMs);
      this.nextAtMs += this.gapMs();
    }
  }

  /** Schedule kept so far (since the first start; figures of a running pacer are up to now). */
  stats(): PacerStats {
    const endMs = this.stoppedAtMs ?? performance.now();
    const pacedMs = this.startedAtMs === undefined ? 0 : endMs - this.startedAtMs;
    return {
      scheduled: this.scheduled,
      published: this.published,
      ratePerS: pacedMs > 0 ? Math.round((this.published / pacedMs) * 1e6) / 1e3 : 0,
      maxLagMs: Math.round(this.maxLagMs * 1000) / 1000,
    };
  }

  private schedule(): void {
    const delayMs = Math.max(0, this.nextAtMs - performance.now());
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    const startMs = performance.now();
    // Catch up on everything due, each with its scheduled time, but yield after
    // TICK_BUDGET_MS so that an overloaded server stays responsive (pings, IPC, stats);
    // the rest goes out on the next tick, still with its own scheduled time.
    let now = startMs;
    while (this.nextAtMs <= startMs && now - startMs < TICK_BUDGET_MS && this.timer) {
      const count = this.batch();
      const scheduledAtMs = performance.timeOrigin + this.nextAtMs;
      this.maxLagMs = Math.max(this.maxLagMs, now - this.nextAtMs);
      this.scheduled += count;
      for (let i = 0; i < count; i++) {
        this.emit(this.payloads[this.emitted++ % this.payloads.length], scheduledAtMs);
        this.published++;
      }
      this.nextAtMs += this.gapMs();
      now = performance.now();
    }
    if (this.timer) this.schedule();
  }

  /** Messages per emission: a whole burst, or one. */
  private batch(): number {
    return this.opts.pattern === 'burst' ? this.opts.burstSize : 1;
  }

  /** Gap to the next emission in ms. */
  private gapMs(): number {
    const meanMs = 1000 / this.opts.ratePerS;
    if (this.opts.pattern === 'poisson') return -Math.log(1 - this.random()) * meanMs;
    if (this.opts.pattern === 'burst') return meanMs * this.opts.burstSize;
    return meanMs;
  }
}
