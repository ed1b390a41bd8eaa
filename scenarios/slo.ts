/**
 * SLO checks at the end of a run, like artillery's `ensure`: each objective is a maximum
 * on a results.json figure of one protocol run; a breach is one readable line, e.g.
 * `latency p99 812.4ms > 500ms (websocket)`. The CLI exits non-zero on any breach.
 */
import type { RunResult } from '../core/types.ts';
import { formatBytes, formatMs } from '../core/units.ts';
import { humanMs, type ScenarioSlo } from './schema.ts';

export interface SloVerdict {
  passed: boolean;
  breaches: string[];
}

const LATENCY = [
  ['latencyP50Ms', 'p50'],
  ['latencyP99Ms', 'p99'],
  ['latencyMaxMs', 'max'],
] as const;

/** "websocket", or "websocket, browser" for another engine. */
function label(run: RunResult): string {
  return run.engine === 'pushbench' ? run.protocol : `${run.protocol}, ${run.engine}`;
}

/** Check one run against the objectives (null/undefined: nothing to check, passed). */
export function checkSlo(slo: ScenarioSlo | null | undefined, run: RunResult): SloVerdict {
  const breaches = slo ? [...latencyBreaches(slo, run), ...otherBreaches(slo, run)] : [];
  const tag = ` (${label(run)})`;
  return { passed: breaches.length === 0, breaches: breaches.map((b) => b + tag) };
}

/** Check every run; the breaches of all runs, in run order. */
export function checkSloRuns(slo: ScenarioSlo | null | undefined, runs: RunResult[]): SloVerdict {
  const breaches = runs.flatMap((run) => checkSlo(slo, run).breaches);
  return { passed: breaches.length === 0, breaches };
}

function latencyBreaches(slo: ScenarioSlo, run: RunResult): string[] {
  const out: string[] = [];
  for (const [field, stat] of LATENCY) {
    const limit = slo[field];
    if (limit === undefined) continue;
    // Nothing delivered is not a pass: a p99 of 0 would hide a dead protocol.
    if (run.latencyMs.count === 0)
      out.push(`latency ${stat}: no message delivered (limit ${humanMs(limit)})`);
    else if (run.latencyMs[stat] > limit)
      out.push(`latency ${stat} ${formatMs(run.latencyMs[stat])} > ${humanMs(limit)}`);
  }
  return out;
}

function otherBreaches(slo: ScenarioSlo, run: RunResult): string[] {
  const out: string[] = [];
  const { lost, expected } = run.delivery;
  if (slo.lost !== undefined && lost > slo.lost) out.push(`lost ${lost} > ${slo.lost}`);
  if (slo.lostPct !== undefined) {
    const pct = expected > 0 ? (100 * lost) / expected : 0;
    if (pct > slo.lostPct) out.push(`lost ${pct.toFixed(2)}% > ${slo.lostPct}% (${lost} of ${expected})`);
  }
  const { detectMs, recoverMs, affected, detected, caughtUp } = run.reconnects;
  if (slo.detectMsMax !== undefined) {
    // A client that never noticed the outage breaches a detection SLO: it is not "fast".
    if (affected !== undefined && detected !== undefined && detected < affected) {
      out.push(`not detected by ${affected - detected} of ${affected} affected clients`);
    }
    if (detectMs && detectMs.max > slo.detectMsMax) {
      out.push(`detect max ${formatMs(detectMs.max)} > ${humanMs(slo.detectMsMax)}`);
    }
  }
  if (slo.recoverMsMax !== undefined) {
    if (detected !== undefined && caughtUp !== undefined && caughtUp < detected) {
      out.push(`not caught up by ${detected - caughtUp} of ${detected} clients that detected`);
    }
    if (recoverMs && recoverMs.max > slo.recoverMsMax) {
      out.push(`recover max ${formatMs(recoverMs.max)} > ${humanMs(slo.recoverMsMax)}`);
    }
  }
  const perMessage = run.bytes.perDeliveredMessage;
  if (slo.bytesPerMessageMax !== undefined && perMessage > slo.bytesPerMessageMax) {
    out.push(`bytes per message ${formatBytes(perMessage)} > ${formatBytes(slo.bytesPerMessageMax)}`);
  }
  if (slo.failIfSaturated && run.generator.saturated) {
    const loop = run.generator.eventLoopP99Ms;
    out.push(`generator saturated${loop === null ? '' : ` (event-loop p99 ${formatMs(loop)})`}`);
  }
  return out;
}
