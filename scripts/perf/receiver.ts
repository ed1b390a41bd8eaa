/**
 * Perf receiver child process: hosts a share of the minimal receivers (receiver-clients.ts)
 * of one fan-out comparison, in its own event loop. Requests (`{type, id, ...}` → `{type:'reply',
 * id, result}`): 'connect' {protocol, urls} (bounded concurrency) → {open, failed};
 * 'measure' {startMs, endMs} → answered after endMs: {delivered, latencyUs (encoded)};
 * 'disconnect' → {closed}. Exits when the IPC channel goes (the parent died) or on SIGTERM.
 */
import { clampUs, createHistogram, encodeHistogram, type Histogram } from '../../clients/histograms.ts';
import { nowMs } from '../../core/clock.ts';
import { openLongPoll, openSse, openWs, type Receiver, type ReceiverProtocol } from './receiver-clients.ts';

export interface MeasureResult {
  delivered: number;
  /** Encoded µs histogram (clients/histograms.ts). */
  latencyUs: string;
  /** This receiver process's CPU time (user + system) during the window, ms. */
  cpuMs: number;
}

interface Request {
  type: string;
  id?: number;
  protocol?: ReceiverProtocol;
  urls?: string[];
  concurrency?: number;
  startMs?: number;
  endMs?: number;
}

let receivers: Receiver[] = [];
let window = { startMs: Infinity, endMs: -Infinity };
let delivered = 0;
let histogram: Histogram = createHistogram();

function onEnvelope(publishedAtMs: number): void {
  const atMs = nowMs();
  if (atMs < window.startMs || atMs >= window.endMs) return;
  delivered++;
  histogram.recordValue(clampUs((atMs - publishedAtMs) * 1000));
}

/** Open every url with at most `concurrency` handshakes in flight. */
async function connect(protocol: ReceiverProtocol, urls: string[], concurrency: number) {
  const open = protocol === 'ws' ? openWs : protocol === 'sse' ? openSse : openLongPoll;
  let next = 0;
  let failed = 0;
  const lane = async () => {
    while (next < urls.length) {
      const url = urls[next++];
      try {
        receivers.push(await open(url, onEnvelope));
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  return { open: receivers.length, failed };
}

async function measure(startMs: number, endMs: number): Promise<MeasureResult> {
  histogram = createHistogram();
  delivered = 0;
  window = { startMs, endMs };
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startMs - nowMs())));
  const cpu0 = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, endMs - nowMs()) + 20));
  const cpu = process.cpuUsage(cpu0);
  window = { startMs: Infinity, endMs: -Infinity };
  return { delivered, latencyUs: encodeHistogram(histogram), cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function disconnect() {
  const all = receivers;
  receivers = [];
  await Promise.all(all.map((r) => r.close()));
  return { closed: all.length };
}

async function answer(msg: Request): Promise<unknown> {
  if (msg.type === 'connect') return connect(msg.protocol ?? 'ws', msg.urls ?? [], msg.concurrency ?? 100);
  if (msg.type === 'measure') return measure(msg.startMs ?? 0, msg.endMs ?? 0);
  if (msg.type === 'disconnect') return disconnect();
  throw new Error(`unknown request ${JSON.stringify(msg.type)}`);
}

process.on('message', (msg: Request) => {
  answer(msg).then(
    (result) => process.send?.({ type: 'reply', id: msg.id, result }),
    (err) => process.send?.({ type: 'reply', id: msg.id, error: String(err) }),
  );
});
const quit = () => void disconnect().finally(() => process.exit(0));
process.on('disconnect', quit);
process.on('SIGTERM', quit);
process.send?.({ type: 'ready' });
