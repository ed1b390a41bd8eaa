/**
 * How a run's clients are spread over generator processes: enough processes for the
 * open-files budget (checks.ts), and more for large runs so that one event loop does
 * not parse every message (the saturation flag would say so).
 */
import os from 'node:os';
import { minWorkers } from '../scenarios/checks.ts';
import type { Scenario } from '../scenarios/schema.ts';

/** Clients above which a second generator process pays for itself on a 2-core machine. */
const CLIENTS_PER_WORKER_SOFT = 2_500;

/** Number of generator processes for a run: scenario.workers, else budget and load decide. */
export function workerCount(s: Scenario, clients: number): number {
  if (s.workers) return s.workers;
  const byLoad = Math.ceil(clients / CLIENTS_PER_WORKER_SOFT);
  const cap = Math.max(2, os.availableParallelism());
  return Math.max(minWorkers(s), Math.min(byLoad, cap));
}

/** Split client ids into contiguous, nearly equal slices, one per worker. */
export function planWorkers(ids: string[], s: Scenario): string[][] {
  const n = Math.max(1, Math.min(ids.length, workerCount(s, ids.length)));
  const size = Math.ceil(ids.length / n);
  return Array.from({ length: n }, (_, i) => ids.slice(i * size, (i + 1) * size)).filter((a) => a.length > 0);
}
