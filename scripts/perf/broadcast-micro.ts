/**
 * The broadcast loop alone: `ws.send(json)` per peer (what the bare baseline does) vs
 * pushbench's path (slow-consumer check + one write of the prepared frame, servers/ws-frame.ts),
 * taking turns over the SAME N real connections in one server process. The receivers run in
 * child processes. Per variant it prints the loop's CPU per delivery (user and system), the
 * loop's wall time, and the receivers' latency.
 * This separates the server's cost from what the receivers add to the fan-out latency.
 * Run: npx tsx scripts/perf/broadcast-micro.ts [clients, default 1000] [rounds, default 60] [receiver processes, default 1]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { directSocket, prepareText, sendPrepared } from '../../servers/ws-frame.ts';
import { median } from './stats.ts';

const SELF = fileURLToPath(import.meta.url);
const GAP_MS = 50;
const now = () => performance.timeOrigin + performance.now();

type Variant = 'ws.send' | 'pushbench';

/** Child: `count` ws receivers; on 'report', each variant's latency p50 / p99 in ms. */
function receiver(url: string, count: number): void {
  const latency: Record<string, number[]> = {};
  let open = 0;
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('open', () => ++open === count && process.send?.('open'));
    ws.on('message', (d: Buffer) => {
      const m = JSON.parse(d.toString()) as { v: string; t: number };
      latency[m.v] ??= [];
      latency[m.v].push(now() - m.t);
    });
  }
  process.on('message', () => {
    const out: Record<string, [number, number]> = {};
    for (const [k, v] of Object.entries(latency)) {
      v.sort((a, b) => a - b);
      out[k] = [v[v.length >> 1], v[Math.floor(v.length * 0.99)]];
    }
    process.send?.(out);
    setTimeout(() => process.exit(0), 100);
  });
  process.on('disconnect', () => process.exit(0));
}

async function main(clients: number, rounds: number, processes: number): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(wss, 'listening');
  const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  const kids: ChildProcess[] = Array.from({ length: processes }, () =>
    fork(SELF, ['--receiver', url, String(Math.ceil(clients / processes))], {
      execArgv: ['--import', 'tsx'],
    }),
  );
  try {
    await Promise.all(kids.map((k) => once(k, 'message')));
    const peers = [...wss.clients].map((ws) => ({ ws, socket: directSocket(ws) as Socket | null }));
    const loops: Record<Variant, (json: string) => void> = {
      'ws.send': (json) => {
        for (const ws of wss.clients) ws.send(json);
      },
      pushbench: (json) => {
        const prepared = prepareText(json);
        for (const p of peers) if (p.ws.bufferedAmount <= 1024 * 1024) sendPrepared(p.ws, prepared, p.socket);
      },
    };
    const cost: Record<Variant, { user: number[]; system: number[]; wallMs: number[] }> = {
      'ws.send': { user: [], system: [], wallMs: [] },
      pushbench: { user: [], system: [], wallMs: [] },
    };
    const payload = 'x'.repeat(256);
    let seq = 0;
    for (let r = 0; r < rounds; r++) {
      const order: Variant[] = r % 2 ? ['pushbench', 'ws.send'] : ['ws.send', 'pushbench'];
      for (const v of order) {
        const t = now();
        const cpu0 = process.cpuUsage();
        loops[v](JSON.stringify({ seq: ++seq, t, v, data: payload }));
        const cpu = process.cpuUsage(cpu0);
        cost[v].user.push(cpu.user / clients);
        cost[v].system.push(cpu.system / clients);
        cost[v].wallMs.push(now() - t);
        await new Promise((r) => setTimeout(r, GAP_MS));
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    const reports = await Promise.all(
      kids.map(async (k) => {
        k.send('report');
        return (await once(k, 'message'))[0] as Record<string, [number, number]>;
      }),
    );
    console.log(
      `${clients} ws connections, ${processes} receiver process(es), ${rounds} broadcasts each, alternating`,
    );
    for (const v of ['ws.send', 'pushbench'] as Variant[]) {
      const c = cost[v];
      const user = median(c.user);
      const system = median(c.system);
      const p50 = Math.max(...reports.map((x) => x[v][0]));
      const p99 = Math.max(...reports.map((x) => x[v][1]));
      console.log(
        `${v.padEnd(10)} CPU/delivery ${(user + system).toFixed(2)} µs (user ${user.toFixed(2)}, system ${system.toFixed(2)})` +
          `   loop ${median(c.wallMs).toFixed(2)} ms   receiver latency p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`,
      );
    }
  } finally {
    for (const k of kids) k.kill();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  if (process.argv[2] === '--receiver') receiver(process.argv[3], Number(process.argv[4]));
  else
    await main(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 60), Number(process.argv[4] ?? 1));
}
