/**
 * Where the next capacity step goes: geometric steps up (×factor) until one fails, then a few
 * bisection steps between the last good and the first bad; below the first step when even
 * that fails. Pure: the probes (autocannon rates, client counts) share it.
 */

export interface SearchOptions {
  start: number;
  factor: number;
  /** Largest value ever tried. */
  max: number;
  /** Smallest value worth trying (below: give up). */
  min: number;
  /** Bisection steps after the first failure. */
  refineSteps: number;
}

export interface Tried {
  x: number;
  passed: boolean;
}

/** Largest x that passed, or null. */
export function bestPassed(history: Tried[]): number | null {
  const ok = history.filter((h) => h.passed).map((h) => h.x);
  return ok.length ? Math.max(...ok) : null;
}

/** The next value to try, or null when the search is done. */
export function nextStep(history: Tried[], o: SearchOptions): number | null {
  if (history.length === 0) return Math.min(o.start, o.max);
  const best = bestPassed(history);
  const failed = history.filter((h) => !h.passed).map((h) => h.x);
  const firstBad = failed.length ? Math.min(...failed.filter((x) => best === null || x > best)) : Infinity;
  if (!Number.isFinite(firstBad)) {
    // Everything passed so far: climb, once more to exactly max.
    const last = history[history.length - 1].x;
    return last >= o.max ? null : Math.min(o.max, Math.round(last * o.factor));
  }
  if (best === null) {
    const down = Math.floor(firstBad / o.factor);
    return down >= o.min ? down : null;
  }
  // Refinements: steps since the history first held both a pass and a failure (a bracket).
  const bracketAt = history.findIndex((_, i) => {
    const upTo = history.slice(0, i + 1);
    return upTo.some((h) => h.passed) && upTo.some((h) => !h.passed);
  });
  const refinements = history.length - 1 - bracketAt;
  const mid = Math.round((best + firstBad) / 2);
  // Stop when refined enough or the bracket is within 5 % (the noise of a shared 2-core machine).
  if (refinements >= o.refineSteps || firstBad - best <= Math.max(1, best * 0.05)) return null;
  return mid > best && mid < firstBad ? mid : null;
}

export interface SearchBounds extends SearchOptions {
  maxSteps: number;
  /** A failing step is measured again this many times; it fails only if every attempt fails (noise). */
  retries?: number;
  /** Wall-clock budget of the whole search; a step that would not fit is not started. */
  maxProbeMs: number;
  signal?: AbortSignal;
}

/** Run steps chosen by nextStep until done or a bound is hit; `bounded` says which bound. */
export async function runSearch<T extends { passed: boolean }>(
  o: SearchBounds,
  runStep: (x: number) => Promise<T>,
): Promise<{ steps: Array<T & { x: number; attempts: number }>; bounded?: string }> {
  const steps: Array<T & { x: number; attempts: number }> = [];
  const startedMs = Date.now();
  let lastStepMs = 0;
  for (;;) {
    const x = nextStep(
      steps.map((s) => ({ x: s.x, passed: s.passed })),
      o,
    );
    if (x === null) {
      const climbing = steps.every((s) => s.passed);
      return { steps, bounded: climbing && steps.length ? `reached the maximum (${o.max})` : undefined };
    }
    if (o.signal?.aborted) return { steps, bounded: 'interrupted' };
    if (steps.length >= o.maxSteps) return { steps, bounded: `max steps (${o.maxSteps})` };
    if (Date.now() - startedMs + lastStepMs > o.maxProbeMs)
      return { steps, bounded: `time budget (${Math.round(o.maxProbeMs / 1000)} s)` };
    const t0 = Date.now();
    let result = await runStep(x);
    let attempts = 1;
    while (!result.passed && attempts <= (o.retries ?? 0) && !o.signal?.aborted) {
      result = await runStep(x);
      attempts += 1;
    }
    steps.push({ ...result, x, attempts });
    lastStepMs = (Date.now() - t0) / attempts;
  }
}
