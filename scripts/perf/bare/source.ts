/**
 * The bare baselines' message source: the same timer as pushbench's source
 * (servers/pacer.ts, constant pattern, drift-corrected) and envelopes of the same
 * shape and size, serialized with one JSON.stringify per message. Nothing else: no
 * retention, no index, no accounting.
 */
import { nowMs } from '../../../core/clock.ts';
import { Pacer } from '../../../servers/pacer.ts';

/** Publishes `{seq, t, data}` JSON at ratePerS to `emit` (with its `t`, epoch ms). */
export class BareSource {
  private seq = 0;
  private readonly pacer: Pacer;

  constructor(ratePerS: number, sizeBytes: number, emit: (json: string, publishedAtMs: number) => void) {
    this.pacer = new Pacer({ ratePerS, sizeBytes, pattern: 'constant', burstSize: 1, seed: 1 }, (data) => {
      const t = nowMs();
      emit(JSON.stringify({ seq: ++this.seq, t, data }), t);
    });
  }

  /** Start publishing; returns the last seq. */
  start(): number {
    this.pacer.start();
    return this.seq;
  }

  /** Stop publishing; returns the last seq. */
  stop(): number {
    this.pacer.stop();
    return this.seq;
  }
}
