/**
 * A FIFO of chunks, each released at its due time (epoch ms, clock.ts) by one timer for
 * the head. Due times must not decrease (callers keep order by construction); Infinity
 * holds a chunk until releaseAll(). Shared by the toxics that hold bytes.
 */
import { nowMs } from '../core/clock.ts';
import type { Chunk } from './types.ts';

/** Node timers have ms granularity: release what is due within this slack instead of re-arming for < 1 ms. */
const SLACK_MS = 1;

export class TimedQueue {
  private readonly chunks: Chunk[] = [];
  private readonly dues: number[] = [];
  private head = 0;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private armedForMs = Number.POSITIVE_INFINITY;

  constructor(private readonly release: (chunk: Chunk) => void) {}

  get size(): number {
    return this.chunks.length - this.head;
  }

  heldBytes(): number {
    return this.bytes;
  }

  /** Hold `chunk` until `dueMs` (≥ every earlier due). */
  push(chunk: Chunk, dueMs: number): void {
    this.chunks.push(chunk);
    this.dues.push(dueMs);
    this.bytes += chunk.data.length;
    if (this.size === 1) this.arm();
  }

  /** Release every held chunk now, in order (fault removed, or a flap's up phase began). */
  releaseAll(): void {
    this.disarm();
    while (this.size > 0) this.release(this.shift());
  }

  /** Drop everything held (connection gone). */
  clear(): void {
    this.disarm();
    this.chunks.length = 0;
    this.dues.length = 0;
    this.head = 0;
    this.bytes = 0;
  }

  private shift(): Chunk {
    const chunk = this.chunks[this.head];
    this.head += 1;
    this.bytes -= chunk.data.length;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.dues.length = 0;
      this.head = 0;
    }
    return chunk;
  }

  private arm(): void {
    if (this.size === 0) return;
    const dueMs = this.dues[this.head];
    if (dueMs === Number.POSITIVE_INFINITY || (this.timer && dueMs >= this.armedForMs)) return;
    this.disarm();
    this.armedForMs = dueMs;
    this.timer = setTimeout(() => this.fire(), Math.max(0, dueMs - nowMs()));
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedForMs = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    this.timer = undefined;
    this.armedForMs = Number.POSITIVE_INFINITY;
    const limitMs = nowMs() + SLACK_MS;
    // release() may re-enter push() (same stage is never re-entered, but be safe) or clear().
    while (this.size > 0 && this.dues[this.head] <= limitMs) this.release(this.shift());
    this.arm();
  }
}
