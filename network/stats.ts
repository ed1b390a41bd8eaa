/**
 * Closed connections' stats, bounded: the newest `maxClosed` are kept one by one; older
 * ones survive only in per-lane running totals, so totals() stays exact however long the run.
 */
import type { ByteTotals, ConnectionStats } from './types.ts';

export class ClosedConnections {
  private readonly kept: ConnectionStats[] = [];
  private readonly byLane = new Map<string, ByteTotals>();

  constructor(private readonly maxClosed: number) {}

  add(stats: ConnectionStats): void {
    this.kept.push(stats);
    if (this.kept.length > this.maxClosed) this.kept.shift();
    const t = this.byLane.get(stats.lane) ?? { bytesUp: 0, bytesDown: 0, connections: 0 };
    addInto(t, stats, 1);
    this.byLane.set(stats.lane, t);
  }

  /** The kept connections (copies), oldest closed first. */
  list(): ConnectionStats[] {
    return this.kept.map((s) => ({ ...s }));
  }

  /** Sums over every closed connection, of one lane or all. */
  totals(lane?: string): ByteTotals {
    const sum: ByteTotals = { bytesUp: 0, bytesDown: 0, connections: 0 };
    for (const [name, t] of this.byLane)
      if (lane === undefined || name === lane) addInto(sum, t, t.connections);
    return sum;
  }
}

/** Add `part`'s bytes and `connections` into `sum`. */
export function addInto(
  sum: ByteTotals,
  part: { bytesUp: number; bytesDown: number },
  connections: number,
): void {
  sum.bytesUp += part.bytesUp;
  sum.bytesDown += part.bytesDown;
  sum.connections += connections;
}
