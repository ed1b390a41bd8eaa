/**
 * Fixture access for report tests: the stored results.json / baseline.json, and variants
 * built from them (edge cases, extensions from issues 6 and 8).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Results, RunResult } from '../../core/types.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const RESULTS_FIXTURE = path.join(here, 'fixtures', 'results.json');
export const BASELINE_FIXTURE = path.join(here, 'fixtures', 'baseline.json');

/** A fresh deep copy of a fixture (tests may mutate it). */
export function loadFixture(file = RESULTS_FIXTURE): Results {
  return JSON.parse(readFileSync(file, 'utf8')) as Results;
}

/** Edge cases in one file: a run that delivered nothing, no faults, no time series, and a partial run. */
export function edgeCaseResults(): Results {
  const r = loadFixture();
  const dead: RunResult = structuredClone(r.runs[3]);
  dead.delivery = { expected: 500, delivered: 0, lost: 500, duplicates: 0, outOfOrder: 0 };
  dead.latencyMs = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  dead.recoveredLatencyMs = { ...dead.latencyMs };
  dead.bytes = { clientToServer: 0, serverToClient: 0, payload: 0, overhead: 0, perDeliveredMessage: 0 };
  dead.reconnects = {
    count: 0,
    detectMs: { p50: 0, p99: 0, max: 0 },
    reconnectMs: { p50: 0, p99: 0, max: 0 },
    recoverMs: { p50: 0, p99: 0, max: 0 },
    zombieMs: { p50: 0, p99: 0, max: 0 },
  };
  dead.faults = [];
  dead.timeseries = [];
  delete dead.pingRttMs;
  const partial = { protocol: 'sse', engine: 'pushbench', clients: 10 } as unknown as RunResult;
  return { ...r, scenario: {}, runs: [dead, partial] };
}

/** The capacity and browser extensions: a browser-engine run beside the pushbench runs, and a capacity section. */
export function extendedResults(): Results {
  const r = loadFixture();
  const browser: RunResult = structuredClone(r.runs[3]);
  browser.engine = 'browser';
  browser.clients = 3;
  browser.delivery = { expected: 240, delivered: 240, lost: 0, duplicates: 0, outOfOrder: 0 };
  browser.latencyMs = { count: 190, mean: 1.6, p50: 1.3, p90: 2.2, p99: 4.8, p999: 6.1, max: 6.1 };
  browser.notes = ['onclose fired 61.2 s after ws.close() on the dead network'];
  r.runs.push(browser);
  r.capacity = {
    probes: [
      {
        protocol: 'short-poll',
        method: 'autocannon',
        maxRatePerS: 9100,
        clientsAtIntervalMs: { 1000: 9100, 5000: 45500, 10000: 91000 },
        points: [1000, 3000, 6000, 9000, 12000].map((rate, i) => ({
          ratePerS: rate,
          p50: 0.4 + i * 0.3,
          p99: [1.1, 2.3, 5.8, 48, 1650][i],
        })),
      },
      {
        protocol: 'long-poll',
        method: 'autocannon',
        maxRatePerS: 7400,
        clientsAtIntervalMs: { 1000: 7400 },
        points: [1000, 4000, 8000].map((rate, i) => ({
          ratePerS: rate,
          p50: 0.6 + i,
          p99: [1.8, 9.5, 420][i],
        })),
      },
      {
        protocol: 'websocket',
        method: 'clients',
        maxClients: 12000,
        steps: [2000, 6000, 12000, 16000].map((clients, i) => ({ clients, p99: [2.1, 6.4, 38, 980][i] })),
      },
    ],
  };
  return r;
}
