/**
 * Reconnect delays: exponential backoff with jitter (defaults: core/defaults BACKOFF_DEFAULTS,
 * 500 ms initial, ×2, 10 s max, ±50 %). delay(n) = min(maxMs, initialMs × factor^n) × (1 ± jitter).
 */
import { BACKOFF_DEFAULTS } from '../../core/defaults.ts';

export type BackoffOptions = typeof BACKOFF_DEFAULTS;

export class Backoff {
  private readonly opts: BackoffOptions;
  private readonly random: () => number;
  private attempt = 0;

  constructor(opts: Partial<BackoffOptions> = {}, random: () => number = Math.random) {
    this.opts = { ...BACKOFF_DEFAULTS, ...opts };
    this.random = random;
  }

  /** Failed attempts since the last success. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt, in ms; each call counts one more failed attempt. */
  next(): number {
    const { initialMs, factor, maxMs, jitter } = this.opts;
    const baseMs = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt++;
    const spread = jitter * (2 * this.random() - 1);
    return Math.max(0, Math.round(baseMs * (1 + spread)));
  }

  /** A connection succeeded: start again from initialMs. */
  reset(): void {
    this.attempt = 0;
  }
}
