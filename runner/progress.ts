/**
 * Progress while a run goes: a bar per protocol run on a TTY (cli-progress), a plain
 * line every few seconds elsewhere (CI logs). Nothing when quiet (--json).
 */
import cliProgress from 'cli-progress';
import { formatMs } from '../core/units.ts';

export interface ProgressState {
  connected: number;
  clients: number;
  delivered: number;
  p99Ms: number;
  phase: string;
}

export interface Progress {
  update(elapsedMs: number, state: ProgressState): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 5_000;

/** The latency p99 so far, or '-' before anything was delivered (not a 0 ms p99). */
export function p99Text(s: ProgressState): string {
  return s.delivered > 0 ? formatMs(s.p99Ms) : '-';
}

/** A progress display for one protocol run lasting `totalMs`. */
export function createProgress(label: string, totalMs: number, quiet: boolean): Progress {
  if (quiet) return { update() {}, stop() {} };
  if (!process.stderr.isTTY) return plainProgress(label, totalMs);
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(10)} {bar} {elapsed}/{total}s | {phase} | clients {connected}/{clients} | delivered {delivered} | p99 {p99}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const totalS = Math.round(totalMs / 1000);
  bar.start(totalS, 0, {
    elapsed: 0,
    total: totalS,
    connected: 0,
    clients: 0,
    delivered: 0,
    p99: '-',
    phase: 'start',
  });
  return {
    update(elapsedMs, s) {
      const elapsed = Math.min(totalS, Math.round(elapsedMs / 1000));
      bar.update(elapsed, { ...s, elapsed, total: totalS, p99: p99Text(s) });
    },
    stop() {
      bar.stop();
    },
  };
}

function plainProgress(label: string, totalMs: number): Progress {
  let lastPrint = -Infinity;
  return {
    update(elapsedMs, s) {
      if (elapsedMs - lastPrint < PLAIN_EVERY_MS) return;
      lastPrint = elapsedMs;
      const pct = Math.min(100, Math.round((elapsedMs / totalMs) * 100));
      console.error(
        `[${label}] ${pct}% ${s.phase} clients ${s.connected}/${s.clients} delivered ${s.delivered} p99 ${p99Text(s)}`,
      );
    },
    stop() {},
  };
}
