// Scratch scale check: server child + N generator children, like the runner will do.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mergeWorkerReports } from './clients/metrics.ts';
import type { WorkerReport } from './clients/report-types.ts';

const [protocol = 'websocket', clientsArg = '5000', workersArg = '1', durArg = '20', rateArg = '1', hbArg = '3000'] = process.argv.slice(2);
const clients = Number(clientsArg), workers = Number(workersArg), durS = Number(durArg);
const TSX = import.meta.resolve('tsx', 'file://./package.json');
const tsxPath = './node_modules/tsx/dist/loader.mjs';
function child(file: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [...(file.includes('generator') && process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), '--import', 'tsx', file], { cwd: '/work/main', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
}
const server = child('servers/main.ts', { PUSHBENCH_SERVER_OPTIONS: JSON.stringify({ port: 0, ratePerS: Number(rateArg), sizeBytes: 256 }) });
const [listening] = (await once(server, 'message')) as [{ url: string }];
console.log('server', listening.url);
const gens: ChildProcess[] = [];
const warmUpEndsAtMs = Date.now() + 8000;
for (let w = 0; w < workers; w++) {
  const g = child('scenarios/generator.ts');
  gens.push(g);
  const ids = Array.from({ length: Math.ceil(clients / workers) }, (_, i) => `w${w}-c${i}`);
  g.send({ type: 'init', config: { workerIndex: w, protocol, clientIds: ids, targetUrl: listening.url, rampUpMs: 5000, warmUpEndsAtMs, pollIntervalMs: 1000, heartbeat: { intervalMs: Number(hbArg) } } });
  g.on('message', (m: any) => { if (m.type === 'progress' && w === 0) console.log(`w0 connected=${m.connected} delivered=${m.delivered} p99=${m.p99Ms}`); if (m.type === 'error') console.log(m); });
}
server.send({ type: 'source-start', id: 1 });
for (const g of gens) g.send({ type: 'start' });
await new Promise((r) => setTimeout(r, durS * 1000));
const snaps = await Promise.all(gens.map(async (g) => { const p = new Promise<WorkerReport>((res) => g.on('message', (m: any) => m.type === 'snapshot' && res(m.report))); g.send({ type: 'snapshot' }); return p; }));
console.log('pre-stop eventLoop', JSON.stringify(snaps.map((s) => s.eventLoop)));
server.send({ type: 'source-stop', id: 2 });
await new Promise((r) => setTimeout(r, 2000));
const finals = await Promise.all(gens.map(async (g) => { const p = new Promise<WorkerReport>((res) => g.on('message', (m: any) => m.type === 'final' && res(m.report))); g.send({ type: 'stop' }); return p; }));
server.send({ type: 'stats', id: 3 });
const [stats] = (await once(server, 'message')) as any;
const m = mergeWorkerReports(finals);
console.log(JSON.stringify({ resources: m.resources, latencyMs: m.latencyMs, pingRttMs: m.pingRttMs, totals: m.totals, eventLoop: m.eventLoop, errors: m.errors, serverProcess: stats.result?.process }, null, 1));
const perClientIn = m.totals.bytesIn / m.totals.clients;
console.log('delivered per client', m.totals.delivered / m.totals.clients, 'bytesIn/client', perClientIn.toFixed(0));
server.send({ type: 'shutdown' });
await Promise.all([server, ...gens].map((c) => c.exitCode === null ? once(c, 'exit') : null));
