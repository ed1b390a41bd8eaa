import { fork } from 'node:child_process';
import { once } from 'node:events';
import WebSocket from 'ws';
import * as frame from './servers/ws-frame.ts';
const N = Number(process.argv[2] ?? 500);
const child = fork('servers/main.ts', [], { execArgv: ['--import', 'tsx'], env: { ...process.env, PUSHBENCH_SERVER_OPTIONS: JSON.stringify({ port: 0, ratePerS: 2000, sizeBytes: 256, protocols: ['websocket', 'sse'] }) } });
const [msg] = await once(child, 'message') as any;
const url = msg.url.replace('http', 'ws');
let got = 0;
const peers: WebSocket[] = [];
for (let i = 0; i < N; i++) { const ws = new WebSocket(`${url}/ws?client=c${i}`); ws.on('message', () => got++); peers.push(ws); await once(ws, 'open'); }
let id = 0; const ask = (type: string) => new Promise<any>((r) => { const i = ++id; const on = (m: any) => { if (m.id === i) { child.off('message', on); r(m.result); } }; child.on('message', on); child.send({ type, id: i }); });
const s0 = await ask('stats'); got = 0;
await ask('source-start'); const t0 = Date.now();
for (let k = 0; k < 5; k++) { await new Promise((r) => setTimeout(r, 1000)); const st = await ask('stats'); console.log(k, st.source.lastSeq, st.process.cpuPct, st.process.eventLoopP99Ms, st.protocols.websocket.connections, st.protocols.websocket.slowConsumers, got); }
const s1 = await ask('stats'); await ask('source-stop');
const dt = (Date.now() - t0) / 1000;
console.log(`peers=${N} published=${s1.source.lastSeq - s0.source.lastSeq} deliveries/s=${(got / dt).toFixed(0)} serverCpu%=${s1.process.cpuPct} cpuMs=${(s1.process.cpuUserMs + s1.process.cpuSystemMs - s0.process.cpuUserMs - s0.process.cpuSystemMs).toFixed(0)} elP99=${s1.process.eventLoopP99Ms} rss=${s1.process.rssMB} bytes/msg=${((s1.protocols.websocket.bytesSent - s0.protocols.websocket.bytesSent) / (s1.protocols.websocket.messagesSent - s0.protocols.websocket.messagesSent)).toFixed(1)}`);
for (const p of peers) p.terminate();
child.kill('SIGTERM'); await once(child, 'exit');
