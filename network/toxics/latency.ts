/**
 * latency: delays every chunk by `latencyMs` ± `jitterMs` (uniform), keeping order: a chunk
 * never overtakes an earlier one, so a short draw after a long one waits for it.
 */
import { nowMs } from '../../core/clock.ts';
import { FAULT_DEFAULTS } from '../../core/defaults.ts';
import { TimedQueue } from '../timed-queue.ts';
import type { StreamToxicDefinition, Toxic } from '../types.ts';

export const latency: StreamToxicDefinition = {
  scope: 'stream',
  params: {
    latencyMs: { min: 0, max: 600_000 },
    jitterMs: { min: 0, max: 600_000, default: FAULT_DEFAULTS.jitterMs },
  },
  create(params, ctx): Toxic {
    const queue = new TimedQueue(ctx.forward);
    let lastDueMs = 0;
    return {
      onChunk(chunk) {
        const delayMs = Math.max(0, params.latencyMs + params.jitterMs * (2 * Math.random() - 1));
        const now = nowMs();
        const dueMs = Math.max(now + delayMs, lastDueMs);
        lastDueMs = dueMs;
        if (delayMs === 0 && queue.size === 0) ctx.forward(chunk);
        else queue.push(chunk, dueMs);
      },
      heldBytes: () => queue.heldBytes(),
      stop: (flush) => (flush ? queue.releaseAll() : queue.clear()),
    };
  },
};
