/**
 * bandwidth: limits the stream to `rateKbps` (kilobits per second, 1 kbit = 1000 bits).
 * Chunks are cut into slices of at most SLICE_MS of transmission time so the output is
 * smooth; an idle link earns no burst credit.
 */
import { nowMs } from '../../core/clock.ts';
import { TimedQueue } from '../timed-queue.ts';
import type { StreamToxicDefinition, Toxic } from '../types.ts';

const SLICE_MS = 20;

export const bandwidth: StreamToxicDefinition = {
  scope: 'stream',
  params: {
    rateKbps: { min: 0, max: 100_000_000, exclusiveMin: true },
  },
  create(params, ctx): Toxic {
    const queue = new TimedQueue(ctx.forward);
    const bytesPerMs = params.rateKbps / 8;
    const sliceBytes = Math.max(1, Math.floor(bytesPerMs * SLICE_MS));
    let freeAtMs = 0;
    return {
      onChunk(chunk) {
        freeAtMs = Math.max(freeAtMs, nowMs());
        if (chunk.data.length === 0) return queue.push(chunk, freeAtMs);
        for (let at = 0; at < chunk.data.length; at += sliceBytes) {
          const slice = chunk.data.subarray(at, at + sliceBytes);
          freeAtMs += slice.length / bytesPerMs;
          queue.push({ data: slice }, freeAtMs);
        }
      },
      heldBytes: () => queue.heldBytes(),
      stop: (flush) => (flush ? queue.releaseAll() : queue.clear()),
    };
  },
};
