/**
 * flap: a blackhole that switches off and on: `downMs` of blackhole (first, from the moment
 * the fault is applied), then `upMs` of normal flow, repeated. Held bytes are delivered at
 * the start of the next up phase. The phase is computed from the fault's apply time, so
 * every connection and direction flaps in step.
 */
import { nowMs } from '../../core/clock.ts';
import { FAULT_DEFAULTS } from '../../core/defaults.ts';
import { TimedQueue } from '../timed-queue.ts';
import type { StreamToxicDefinition, Toxic } from '../types.ts';

export const flap: StreamToxicDefinition = {
  scope: 'stream',
  params: {
    upMs: { min: 0, max: 3_600_000, exclusiveMin: true, default: FAULT_DEFAULTS.flapUpMs },
    downMs: { min: 0, max: 3_600_000, exclusiveMin: true, default: FAULT_DEFAULTS.flapDownMs },
  },
  create(params, ctx): Toxic {
    const queue = new TimedQueue(ctx.forward);
    const periodMs = params.upMs + params.downMs;
    /** Start of the next up phase, or `now` when already up. */
    const upAtMs = (now: number): number => {
      const intoMs = (now - ctx.appliedAtMs) % periodMs;
      return intoMs >= params.downMs ? now : now + (params.downMs - intoMs);
    };
    return {
      onChunk(chunk) {
        const now = nowMs();
        const dueMs = upAtMs(now);
        if (dueMs === now && queue.size === 0) ctx.forward(chunk);
        else queue.push(chunk, dueMs);
      },
      heldBytes: () => queue.heldBytes(),
      stop: (flush) => (flush ? queue.releaseAll() : queue.clear()),
    };
  },
};
