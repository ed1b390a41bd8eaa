/**
 * Which seqs the page has already seen, for dedupe and out-of-order counting: a ring bitmap
 * over the last `windowSeqs` seqs below the highest one seen (the page twin of
 * clients/seq-window.ts). Seqs at or below the subscribe point, or older than the window,
 * count as duplicates, never as deliveries, so delivered never exceeds expected.
 */

const WINDOW_SEQS = 4096;

export class SeqWindow {
  /** `afterSeq`: the subscribe point (seqs ≤ it are outside the page's window). */
  constructor(afterSeq, windowSeqs = WINDOW_SEQS) {
    this.size = windowSeqs;
    this.bits = new Uint32Array(windowSeqs / 32);
    this.floorSeq = afterSeq;
    this.max = afterSeq;
  }

  /** Classify an arriving seq ('new' | 'out-of-order' | 'duplicate') and remember it. */
  accept(seq) {
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
  skipTo(toSeq) {
    if (toSeq <= this.max) return;
    this.clearRange(this.max + 1, toSeq);
    this.max = toSeq;
  }

  /** The source restarted (seqs went backwards): forget everything, start after `afterSeq`. */
  reset(afterSeq) {
    this.bits.fill(0);
    this.floorSeq = afterSeq;
    this.max = afterSeq;
  }

  has(seq) {
    const i = seq % this.size;
    return (this.bits[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  set(seq) {
    const i = seq % this.size;
    this.bits[i >>> 5] |= 1 << (i & 31);
  }

  clearRange(fromSeq, toSeq) {
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
