/**
 * blackhole: the silent drop. Nothing passes — no byte, no FIN, no RST — and both sockets
 * stay open. Like TCP, which retransmits across a temporary outage, the held bytes are
 * delivered when the fault is removed; the proxy stops reading the sender once
 * highWaterBytes are held, so the sender's own buffers fill as on a dead path.
 */
import { TimedQueue } from '../timed-queue.ts';
import type { StreamToxicDefinition, Toxic } from '../types.ts';

export const blackhole: StreamToxicDefinition = {
  scope: 'stream',
  params: {},
  create(_params, ctx): Toxic {
    const queue = new TimedQueue(ctx.forward);
    return {
      onChunk: (chunk) => queue.push(chunk, Number.POSITIVE_INFINITY),
      heldBytes: () => queue.heldBytes(),
      stop: (flush) => (flush ? queue.releaseAll() : queue.clear()),
    };
  },
};
