/**
 * The child processes of a perf comparison — server under test and receivers — with
 * the runner's ChildHandle (IPC requests, killed on every exit path), plus what a
 * fan-out trial does with the receivers: connect a share each, measure one window,
 * merge their histograms, disconnect.
 */
import { createHistogram, decodeHistogram, type Histogram } from '../../clients/histograms.ts';
import { ChildHandle } from '../../runner/child.ts';
import type { MeasureResult } from './receiver.ts';
import type { ReceiverProtocol } from './receiver-clients.ts';
import type { CpuSample, ServerChildConfig } from './server-child.ts';

const SERVER_CHILD = new URL('./server-child.ts', import.meta.url);
const RECEIVER_CHILD = new URL('./receiver.ts', import.meta.url);
const START_TIMEOUT_MS = 30_000;

export interface ServerProc {
  handle: ChildHandle;
  url: string;
  cpu(): Promise<CpuSample>;
  /** CPU and memory after a full GC (for memory per connection). */
  memory(): Promise<CpuSample>;
  /** Connections the server holds. */
  connections(): Promise<number>;
}

/**
 * A fan-out server as a trial sees it: a server child (fanoutServer below) or nginx + nchan
 * (nchan.ts).
 */
export interface FanoutServer {
  /** The http URL the receivers open (ws:// for WebSocket), without the query. */
  endpoint: string;
  /** The server's CPU time (user + system) so far, ms. */
  cpuMs(): Promise<number>;
  /** RSS (and heap after a GC, when the server can tell) in KB. */
  memory(): Promise<{ rssKB: number; heapKB?: number }>;
  connections(): Promise<number>;
  startSource(): Promise<unknown>;
  stopSource(): Promise<unknown>;
  /** Publish → the last peer's write returned, ms per message since the last ask; absent when not measurable. */
  releaseTimes?(): Promise<number[]>;
}

/** A server child's fan-out endpoint at `path`. */
export function fanoutServer(server: ServerProc, path: string): FanoutServer {
  return {
    endpoint: `${server.url}${path}`,
    cpuMs: async () => (await server.cpu()).cpuMs,
    memory: () => server.memory(),
    connections: () => server.connections(),
    startSource: () => server.handle.request('source-start'),
    stopSource: () => server.handle.request('source-stop'),
    releaseTimes: () => server.handle.request<number[]>('release-times'),
  };
}

/** Start a server under test in its own process. */
export async function startServerProc(name: string, config: ServerChildConfig): Promise<ServerProc> {
  const handle = new ChildHandle(name, SERVER_CHILD, { PUSHBENCH_PERF_SERVER: JSON.stringify(config) });
  const { url } = await handle.waitFor<{ type: string; url: string }>('listening', START_TIMEOUT_MS);
  return {
    handle,
    url,
    cpu: () => handle.request<CpuSample>('cpu'),
    memory: () => handle.request<CpuSample>('memory', {}, 30_000),
    connections: () => handle.request<number>('connections'),
  };
}

/** Start `count` receiver processes. */
export async function startReceivers(count: number): Promise<ChildHandle[]> {
  const all = Array.from({ length: count }, (_, i) => new ChildHandle(`receiver ${i + 1}`, RECEIVER_CHILD));
  await Promise.all(all.map((r) => r.waitFor('ready', START_TIMEOUT_MS)));
  return all;
}

/** Connect `urls` spread evenly over the receivers; returns how many opened. */
export async function connectAll(
  receivers: ChildHandle[],
  protocol: ReceiverProtocol,
  urls: string[],
  concurrency: number,
): Promise<{ open: number; failed: number }> {
  const per = Math.ceil(urls.length / receivers.length);
  const results = await Promise.all(
    receivers.map((r, i) =>
      r.request<{ open: number; failed: number }>(
        'connect',
        { protocol, urls: urls.slice(i * per, (i + 1) * per), concurrency },
        120_000,
      ),
    ),
  );
  return results.reduce((a, b) => ({ open: a.open + b.open, failed: a.failed + b.failed }));
}

/** Every receiver measures [startMs, endMs) (epoch ms); their histograms merged. */
export async function measureAll(
  receivers: ChildHandle[],
  startMs: number,
  endMs: number,
): Promise<{ delivered: number; latencyUs: Histogram; receiverCpuMs: number }> {
  const timeoutMs = endMs - Date.now() + 30_000;
  const results = await Promise.all(
    receivers.map((r) => r.request<MeasureResult>('measure', { startMs, endMs }, timeoutMs)),
  );
  const latencyUs = createHistogram();
  for (const r of results) latencyUs.add(decodeHistogram(r.latencyUs));
  return {
    delivered: results.reduce((n, r) => n + r.delivered, 0),
    latencyUs,
    receiverCpuMs: results.reduce((n, r) => n + r.cpuMs, 0),
  };
}

export async function disconnectAll(receivers: ChildHandle[]): Promise<void> {
  await Promise.all(receivers.map((r) => r.request('disconnect', {}, 60_000)));
}

/** Wait until the server holds no connection (the previous trial's sockets are gone). */
export async function drained(
  server: { connections(): Promise<number> },
  timeoutMs = 10_000,
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await server.connections()) === 0) return true;
    await sleep(100);
  }
  return false;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Sleep until epoch ms `atMs`. */
export function sleepUntil(atMs: number): Promise<void> {
  return sleep(atMs - Date.now());
}

export async function stopAll(handles: ChildHandle[]): Promise<void> {
  await Promise.all(handles.map((h) => h.stop(3_000)));
}
