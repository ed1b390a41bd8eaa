/**
 * Short polling: GET /poll every pollIntervalMs on a fixed schedule (slots anchored at the
 * first poll; a slot that passes while a poll is still in flight is skipped, so requests
 * never overlap), each with an absolute pollTimeoutMs. A failed poll (error, timeout,
 * non-200) counts as an error, the connection is dead, and the next poll waits for the
 * backoff; the first answer after that is the reopen. Latency includes the wait for the
 * next poll, as the README's metric definitions say it should.
 */
import { nowMs } from '../core/clock.ts';
import type { ClientConfig } from './client.ts';
import type { Recorder } from './metrics.ts';
import { PollingClient } from './polling.ts';

export class ShortPollClient extends PollingClient {
  private nextTimer: NodeJS.Timeout | undefined;
  private anchorMs: number | undefined;

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
  }

  protected connect(): void {
    this.poll();
  }

  protected override teardown(mode: 'dead' | 'stop'): void {
    clearTimeout(this.nextTimer);
    super.teardown(mode);
  }

  private poll(): void {
    this.anchorMs ??= nowMs();
    this.get(`/poll?client=${encodeURIComponent(this.id)}${this.sinceParam()}`, this.config.pollTimeoutMs);
  }

  /** Next slot on the fixed schedule (a slot that passed while a poll was in flight is skipped). */
  protected next(): void {
    if (this.stopped) return;
    const now = nowMs();
    const intervalMs = this.config.pollIntervalMs;
    const anchor = this.config.pollPhaseMs ?? this.anchorMs ?? now;
    const slot = Math.floor((now - anchor) / intervalMs) + 1;
    this.nextTimer = setTimeout(() => this.safely(() => this.poll()), anchor + slot * intervalMs - now);
  }
}

/**
 * Phase of client `index` of `count` on a short-poll schedule: random, one per 1/count of the
 * interval (stratified), so a few clients still sample every offset from the source's publish
 * times evenly and a message waits T/2 on average (docs/clients.md "Short polling"). Without
 * it, clients started in step with the source (a ramp of whole intervals, or pages started
 * together) all poll just after each publish.
 */
export function pollPhaseMs(index: number, count: number, intervalMs: number, random = Math.random): number {
  return ((index + random()) / Math.max(1, count)) * intervalMs;
}
