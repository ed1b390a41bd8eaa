/**
 * The fault proxy's added latency with no fault: request/response ping-pong against a raw
 * TCP echo server (its own process, like the pushbench server), directly and through the
 * proxy (in this process, like the generator that hosts it), on loopback.
 * Run: npx tsx scripts/proxy-overhead.ts [pings per round, default 2000] [payload bytes, default 64]
 * The echo server and the ping-pong are exported for `npm run perf` (scripts/perf/proxy.ts).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaultProxy } from '../network/proxy.ts';

const ECHO_SERVER = `
const net = require('node:net');
const server = net.createServer((s) => { s.setNoDelay(true); s.pipe(s); s.on('error', () => {}); });
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
`;
const ROUNDS = 5;
const WARMUP_PINGS = 1000;

/** A raw TCP echo server in its own process; close() stops it. */
export async function startEchoServer(): Promise<{ port: number; close: () => void }> {
  const child = spawn(process.execPath, ['-e', ECHO_SERVER], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const close = () => {
    if (child.connected) child.disconnect();
    child.kill();
  };
  try {
    const [port] = (await once(child, 'message')) as [number];
    return { port, close };
  } catch (err) {
    close();
    throw err;
  }
}

/** A no-delay TCP connection to 127.0.0.1:port. */
export async function open(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  await once(socket, 'connect');
  return socket;
}

/** `count` sequential round trips of `sizeBytes`; returns each in µs. */
export function pingPong(socket: Socket, count: number, sizeBytes: number): Promise<number[]> {
  const payload = Buffer.alloc(sizeBytes, 0x61);
  const samples: number[] = [];
  return new Promise((resolve, reject) => {
    let got = 0;
    let started = 0;
    const send = (): void => {
      got = 0;
      started = performance.now();
      socket.write(payload);
    };
    const onData = (d: Buffer): void => {
      got += d.length;
      if (got < sizeBytes) return;
      samples.push((performance.now() - started) * 1000);
      if (samples.length < count) {
        send();
        return;
      }
      socket.off('data', onData);
      resolve(samples);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    send();
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const pings = Number(process.argv[2] ?? 2000);
  const sizeBytes = Number(process.argv[3] ?? 64);
  const echo = await startEchoServer();
  try {
    const echoPort = echo.port;
    const proxy = new FaultProxy({ target: { host: '127.0.0.1', port: echoPort } });
    const direct = await open(echoPort);
    const proxied = await open(await proxy.lane('clean'));
    await pingPong(direct, WARMUP_PINGS, sizeBytes);
    await pingPong(proxied, WARMUP_PINGS, sizeBytes);
    const d: number[] = [];
    const p: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      d.push(...(await pingPong(direct, pings, sizeBytes)));
      p.push(...(await pingPong(proxied, pings, sizeBytes)));
    }
    direct.destroy();
    proxied.destroy();
    await proxy.close();
    report(d, p, sizeBytes);
  } finally {
    echo.close();
  }
}

function report(direct: number[], proxied: number[], sizeBytes: number): void {
  const ds = [...direct].sort((a, b) => a - b);
  const ps = [...proxied].sort((a, b) => a - b);
  const row = (name: string, s: number[]): string =>
    `${name.padEnd(8)} median ${percentile(s, 50).toFixed(1).padStart(7)} µs   p99 ${percentile(s, 99).toFixed(1).padStart(7)} µs`;
  console.log(`round trips of ${sizeBytes} B on loopback, ${ds.length} each (${ROUNDS} interleaved rounds)`);
  console.log(row('direct', ds));
  console.log(row('proxied', ps));
  const addedMedian = percentile(ps, 50) - percentile(ds, 50);
  const addedP99 = percentile(ps, 99) - percentile(ds, 99);
  console.log(
    `added    median ${addedMedian.toFixed(1).padStart(7)} µs   p99 ${addedP99.toFixed(1).padStart(7)} µs`,
  );
}

// Importing this module (npm run perf does) must not run the measurement.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
