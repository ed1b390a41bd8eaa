/**
 * Compact all-time index of who each seq was addressed to, so `countFor` answers
 * for every seq ever published (not only the retention window): a prefix count of
 * broadcasts (4 bytes per message) plus, per addressed client, its sorted seqs.
 */

/** A growable Uint32Array (amortized O(1) push). */
class U32List {
  private data = new Uint32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index];
  }

  /** Number of values <= value (values are pushed in increasing order). */
  countAtMost(value: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data[mid] <= value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class SeqIndex {
  /** broadcastUpTo.at(s) = number of broadcast messages with seq <= s (index 0 = 0). */
  private readonly broadcastUpTo = new U32List();
  private readonly addressed = new Map<string, U32List>();

  constructor() {
    this.broadcastUpTo.push(0);
  }

  /** Record seq (must be lastSeq + 1), addressed to `to` or broadcast. */
  add(seq: number, to: string | undefined): void {
    const before = this.broadcastUpTo.at(this.broadcastUpTo.length - 1);
    if (seq !== this.broadcastUpTo.length) throw new TypeError(`SeqIndex: seq ${seq} out of order`);
    this.broadcastUpTo.push(to === undefined ? before + 1 : before);
    if (to !== undefined) {
      let list = this.addressed.get(to);
      if (!list) {
        list = new U32List();
        this.addressed.set(to, list);
      }
      list.push(seq);
    }
  }

  /** Messages for `client` (broadcast or addressed to it) with afterSeq < seq <= upToSeq. */
  count(client: string, afterSeq: number, upToSeq: number): number {
    const last = this.broadcastUpTo.length - 1;
    const a = clamp(Math.floor(afterSeq), last);
    const u = clamp(Math.floor(upToSeq), last);
    if (u <= a) return 0;
    const broadcast = this.broadcastUpTo.at(u) - this.broadcastUpTo.at(a);
    const list = this.addressed.get(client);
    const mine = list ? list.countAtMost(u) - list.countAtMost(a) : 0;
    return broadcast + mine;
  }

  /** Whether any message so far was addressed to a client. */
  get hasAddressed(): boolean {
    return this.addressed.size > 0;
  }

  /** The highest seq <= upToSeq that is broadcast or addressed to `client`; 0 when none. */
  lastFor(client: string, upToSeq: number): number {
    const u = clamp(Math.floor(upToSeq), this.broadcastUpTo.length - 1);
    const b = this.broadcastUpTo.at(u);
    let lastBroadcast = 0;
    if (b > 0) {
      // The smallest s with broadcastUpTo(s) === b is the last broadcast seq <= u.
      let lo = 1;
      let hi = u;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.broadcastUpTo.at(mid) >= b) hi = mid;
        else lo = mid + 1;
      }
      lastBroadcast = lo;
    }
    const list = this.addressed.get(client);
    const n = list ? list.countAtMost(u) : 0;
    const lastMine = n > 0 && list ? list.at(n - 1) : 0;
    return Math.max(lastBroadcast, lastMine);
  }
}

function clamp(value: number, max: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return Math.min(value, max);
}
