/**
 * The one clock: epoch milliseconds with a sub-ms fraction, monotonic within a process
 * (performance.timeOrigin + performance.now()). The envelope's `t`, every latency and every
 * fault time use it, so figures from different processes on one host line up (docs/wire.md).
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
