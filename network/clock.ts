/** Epoch milliseconds with a sub-ms fraction, monotonic: the same clock as the envelope's `t`. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
