/**
 * The message pacer (not the load generator, which is runner/generator.ts): emits payloads at
 * `ratePerS` following a pattern (`constant` gaps, `poisson` arrivals, or `burst`s of
 * `burstSize` at the same average rate). Timers drift-correct against `performance.now()` so the
 * average rate holds even when a tick is late; one tick emits for at most TICK_BUDGET_MS, and a
 * source more than MAX_LAG_MS behind skips ahead (overload: fewer messages, never a frozen event
 * loop).
 */

import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../core/random.ts';
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
/** Behind schedule by more than this: skip ahead instead of flooding. */
const MAX_LAG_MS = 1_000;

export class Pacer {
  private readonly random: () => number;
  private readonly payloads: string[];
  private timer: NodeJS.Timeout | undefined;
  private nextAtMs = 0;
  private emitted = 0;

  constructor(
    private readonly opts: PacerOptions,
    private readonly emit: (data: string) => void,
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
    this.nextAtMs = performance.now() + this.gapMs();
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const delayMs = Math.max(0, this.nextAtMs - performance.now());
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    const startMs = performance.now();
    if (startMs - this.nextAtMs > MAX_LAG_MS) this.nextAtMs = startMs;
    // Catch up on what is due, but yield after TICK_BUDGET_MS so that an overloaded server
    // stays responsive (pings, IPC, stats); the rest goes out on the next tick.
    while (this.nextAtMs <= startMs && performance.now() - startMs < TICK_BUDGET_MS && this.timer) {
      const count = this.opts.pattern === 'burst' ? this.opts.burstSize : 1;
      for (let i = 0; i < count; i++) this.emit(this.payloads[this.emitted++ % this.payloads.length]);
      this.nextAtMs += this.gapMs();
    }
    if (this.timer) this.schedule();
  }

  /** Gap to the next emission in ms. */
  private gapMs(): number {
    const meanMs = 1000 / this.opts.ratePerS;
    if (this.opts.pattern === 'poisson') return -Math.log(1 - this.random()) * meanMs;
    if (this.opts.pattern === 'burst') return meanMs * this.opts.burstSize;
    return meanMs;
  }
}
