/**
 * Helpers for the browser-client tests: run a YAML scenario through the real runner, spy on
 * the browser host processes it starts, find what is left of their Chromium (by the
 * user-data-dir marker `pushbench-chromium-<host pid>-`), and check a browser run's figures.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processesWith } from '../../../clients/browser/chromium.ts';
import { resultsProblems } from '../../../core/results-schema.ts';
import type { Results, RunResult } from '../../../core/types.ts';
import { liveChildren } from '../../../runner/child.ts';
import { type RunOutcome, runScenario } from '../../../runner/runner.ts';
import { parseScenario } from '../../../scenarios/load.ts';
import { isAlive } from '../../helpers/process.ts';

export const OUT_DIR = path.join(os.tmpdir(), `pushbench-browser-test-${process.pid}`);

/** Remove the test's output folder. */
export function cleanOutput(): Promise<void> {
  return rm(OUT_DIR, { recursive: true, force: true });
}

/** Chromium processes still running for the browser host with this pid. */
export function chromiumOf(hostPid: number): number[] {
  return processesWith(`pushbench-chromium-${hostPid}-`);
}

/** Poll `check` every 100 ms until it is true or `timeoutMs` passed; returns the last answer. */
export async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Collect the pids of browser host children while a run goes on (bounded: stop() ends it). */
export function spyOnBrowserHosts(onHost?: (pid: number) => void): { pids: number[]; stop(): void } {
  const pids: number[] = [];
  const timer = setInterval(() => {
    for (const c of liveChildren()) {
      const pid = c.proc.pid;
      if (c.name.startsWith('browser host') && pid && !pids.includes(pid)) {
        pids.push(pid);
        onHost?.(pid);
      }
    }
  }, 25);
  return { pids, stop: () => clearInterval(timer) };
}

/** Run a scenario written as YAML; returns the outcome, results.json as written and the host pids. */
export async function runYaml(
  yaml: string,
  onHost?: (pid: number) => void,
): Promise<{ outcome: RunOutcome; results: Results; hostPids: number[] }> {
  const spy = spyOnBrowserHosts(onHost);
  try {
    const outcome = await runScenario({
      scenario: parseScenario(yaml, 'test'),
      outDir: OUT_DIR,
      quiet: true,
    });
    const results = JSON.parse(await readFile(outcome.file, 'utf8')) as Results;
    return { outcome, results, hostPids: spy.pids };
  } finally {
    spy.stop();
  }
}

/** The run of `protocol` on `engine`, which must exist. */
export function runOf(results: Results, protocol: string, engine: string): RunResult {
  const run = results.runs.find((r) => r.protocol === protocol && r.engine === engine);
  assert.ok(
    run,
    `no ${protocol} run with engine ${engine}: ${results.runs.map((r) => `${r.protocol}/${r.engine}`)}`,
  );
  return run;
}

/** Schema-valid results and self-consistent figures for every run. */
export function assertConsistent(results: Results): void {
  assert.deepEqual(resultsProblems(results), []);
  for (const r of results.runs) {
    const label = `${r.protocol} (${r.engine})`;
    assert.equal(
      r.delivery.delivered + r.delivery.lost,
      r.delivery.expected,
      `${label}: delivered + lost = expected`,
    );
    const b = r.bytes;
    assert.equal(
      b.payload + b.overhead,
      b.clientToServer + b.serverToClient,
      `${label}: bytes = payload + overhead`,
    );
  }
}

/** No Chromium process of any of these hosts, and no child process of the runner, is left. */
export async function assertNothingLeft(hostPids: number[]): Promise<void> {
  assert.ok(hostPids.length > 0, 'a browser host was started');
  const gone = await waitUntil(
    () => hostPids.every((pid) => chromiumOf(pid).length === 0 && !isAlive(pid)),
    10_000,
  );
  const left = hostPids.flatMap((pid) => [...chromiumOf(pid), ...(isAlive(pid) ? [pid] : [])]);
  assert.ok(gone, `processes left behind: ${left.join(', ')}`);
  assert.deepEqual(
    liveChildren().map((c) => c.name),
    [],
  );
}
