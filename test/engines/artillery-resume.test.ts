/**
 * An exported WebSocket script under the real Artillery 2.0.21, through the fault proxy: the
 * processor's push metrics arrive (delivered > 0, latency > 0), and a silent network drop
 * (blackhole) is detected by the heartbeat and survived by a resume that loses nothing.
 * Artillery is slow to start: this file takes about 20 s.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { convertArtillery } from '../../engines/artillery-convert.ts';
import { writeArtilleryFiles } from '../../engines/artillery-export.ts';
import { killArtillerySync, liveArtilleryProcesses, runArtillery } from '../../engines/artillery-run.ts';
import { ChildHandle, stopAllChildren } from '../../runner/child.ts';
import { type ServerChild, startServerChild } from '../../runner/server-child.ts';
import { resolveScenario } from '../../scenarios/load.ts';
import type { ServerStats } from '../../servers/stats.ts';

let server: ServerChild | undefined;
let dir = '';
const timers: NodeJS.Timeout[] = [];
after(async () => {
  for (const t of timers) clearTimeout(t);
  killArtillerySync();
  await stopAllChildren();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const scenario = resolveScenario(
  {
    name: 'resume',
    protocols: ['websocket'],
    clients: 4,
    ramp: '1s',
    warmup: '1s',
    duration: '9s',
    source: { rate: '20/s', size: '64B' },
    heartbeat: { interval: '1s', timeout: '1s' },
    backoff: { initial: '200ms', max: '1s' },
  },
  'resume',
);

/** Resolve once `cond` holds (checked every 100 ms), or reject after `ms`. */
async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const started = Date.now();
  while (!(await cond())) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => timers.push(setTimeout(r, 100)));
  }
}

test('websocket on Artillery: push latency and messages measured; a blackhole is detected and resumed without loss', {
  timeout: 60_000,
}, async () => {
  server = await startServerChild('server (artillery resume test)', {
    protocols: ['websocket'],
    ratePerS: 20,
    sizeBytes: 64,
  });
  await server.child.request('source-start');
  const proxy = new ChildHandle('fault proxy', new URL('./helpers/proxy-child.ts', import.meta.url), {
    PROXY_TARGET_PORT: new URL(server.url).port,
  });
  const { port } = await proxy.waitFor<{ type: string; port: number }>('listening', 20_000);
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-artillery-resume-'));
  const script = (await writeArtilleryFiles(scenario, dir, `http://127.0.0.1:${port}`)).get(
    'websocket',
  ) as string;
  let pid = 0;
  const running = runArtillery({
    script,
    outputFile: path.join(dir, 'out.json'),
    logFile: path.join(dir, 'out.log'),
    timeoutMs: 50_000,
    onSpawn: (p) => {
      pid = p;
    },
  });
  running.catch(() => undefined);
  // All four connected (Artillery's start-up takes seconds), one second of steady traffic, then
  // 3 s of silent drop: no FIN, no RST — only the heartbeat can notice.
  const child = server.child;
  const ws = async () => (await child.request<ServerStats>('stats')).protocols.websocket?.connections ?? 0;
  await until(async () => (await ws()) === 4, 30_000, 'four websocket clients');
  await new Promise((r) => timers.push(setTimeout(r, 1_000)));
  await proxy.request('blackhole', { on: true });
  await new Promise((r) => timers.push(setTimeout(r, 3_000)));
  await proxy.request('blackhole', { on: false });

  const [run] = convertArtillery(await running, { durationMs: scenario.durationMs });
  assert.equal(liveArtilleryProcesses(), 0);
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the artillery process is gone');
  assert.equal(run.engine, 'artillery');
  assert.equal(run.clients, 4);
  assert.ok(run.delivery.delivered > 0, `delivered ${run.delivery.delivered}`);
  assert.ok(run.latencyMs.count > 0 && run.latencyMs.p50 > 0, `latency p50 ${run.latencyMs.p50} ms`);
  assert.ok(run.pingRttMs && run.pingRttMs.count > 0, 'ping round trips recorded');
  assert.ok(run.bytes.serverToClient > run.bytes.payload, 'socket bytes include framing and headers');
  // Every client noticed the drop through its heartbeat and came back.
  assert.ok((run.errors?.heartbeat_timeout ?? 0) >= 4, `heartbeat timeouts: ${JSON.stringify(run.errors)}`);
  assert.ok(run.reconnects.count >= 4, `reconnects ${run.reconnects.count}`);
  assert.ok(run.reconnects.reconnectMs!.max > 0);
  // Resume with since=<last seq>: what was published during the outage arrives after it.
  assert.equal(run.delivery.lost, 0, `lost ${run.delivery.lost} of ${run.delivery.expected}`);
  assert.ok(run.recoveredLatencyMs.count > 0, 'messages recovered after the reconnect');
});
