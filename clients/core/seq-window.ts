/**
 * Which seqs a client has already seen, for dedupe and out-of-order counting: a ring
 * bitmap over the last `windowSeqs` seqs below the highest one seen (bounded memory:
 * windowSeqs / 8 bytes per client, 512 B by default). Seqs at or below the subscribe
 * point, or older than the window, cannot be told apart from repeats and count as
 * duplicates (never as deliveries, so delivered never exceeds expected).
 */

/** Default window: 4096 seqs = 512 bytes per client. */
export const SEEN_WINDOW_SEQS = 4096;

export type SeqVerdict = 'new' | 'out-of-order' | 'duplicate';

export class SeqWindow {
  private readonly bits: Uint32Array;
  private readonly size: number;
  private floorSeq: number;
  private max: number;

  /** `afterSeq`: the subscribe point (seqs ≤ it are outside the client's window). */
  constructor(afterSeq: number, windowSeqs = SEEN_WINDOW_SEQS) {
    if (!Number.isInteger(windowSeqs) || windowSeqs < 32 || windowSeqs % 32 !== 0) {
      throw new TypeError(`windowSeqs must be a positive multiple of 32, got ${windowSeqs}`);
    }
    this.size = windowSeqs;
    this.bits = new Uint32Array(windowSeqs / 32);
    this.floorSeq = afterSeq;
    this.max = afterSeq;
  }

  /** Highest seq seen (or the subscribe point / last skip when none seen since). */
  get maxSeq(): number {
    return this.max;
  }

  /** Classify an arriving seq and remember it. */
  accept(seq: number): SeqVerdict {
    if (seq > this.max) {
      this.clearRange(this.max + 1, seq - 1);
      this.set(seq);
      this.max = seq;
      return 'new';
    }
    if (seq <= this.floorSeq || seq <= this.max - this.size) return 'duplicate';
    if (this.has(seq)) return 'duplicate';
    this.set(seq);
    return 'out-of-order';
  }

  /** Seqs up to `toSeq` are settled without arriving (a counted gap): move past them. */
  skipTo(toSeq: number): void {
    if (toSeq <= this.max) return;
    this.clearRange(this.max + 1, toSeq);
    this.max = toSeq;
  }

  /** The source restarted (seqs went backwards): forget everything, start after `afterSeq`. */
  reset(afterSeq: number): void {
    this.bits.fill(0);
    this.floorSeq = afterSeq;
    this.max = afterSeq;
  }

  private has(seq: number): boolean {
    const i = seq % this.size;
    return (this.bits[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  private set(seq: number): void {
    const i = seq % this.size;
    this.bits[i >>> 5] |= 1 << (i & 31);
  }

  private clearRange(fromSeq: number, toSeq: number): void {
    if (toSeq < fromSeq) return;
    if (toSeq - fromSeq + 1 >= this.size) {
      this.bits.fill(0);
      return;
    }
    for (let s = fromSeq; s <= toSeq; s++) {
      const i = s % this.size;
      this.bits[i >>> 5] &= ~(1 << (i & 31));
    }
  }
}
