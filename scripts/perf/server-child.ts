/**
 * Perf server child process: hosts one server under test — a bare baseline or
 * pushbench's own startServer — so that it never shares an event loop with the
 * clients. Config: JSON in env PUSHBENCH_PERF_SERVER (ServerChildConfig).
 * Sends `{type:'listening', url}`; answers `{type, id}` requests with
 * `{type:'reply', id, result}`: 'cpu' (process CPU ms, memory after a GC),
 * 'source-start' / 'source-stop', 'connections', 'release-times' (publish → last peer's write
 * returned, ms per message since the last ask). Exits on SIGTERM or a lost IPC channel.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { nowMs } from '../../core/clock.ts';
import type { ProtocolName } from '../../core/types.ts';
import { startServer } from '../../servers/app.ts';
import { startBareFastify } from './bare/fastify.ts';
import { startBareLongPoll } from './bare/long-poll.ts';
import { startBareSse } from './bare/sse.ts';
import type { BareServer } from './bare/types.ts';
import { startBareWs } from './bare/ws.ts';

export type ServerKind = 'bare-ws' | 'bare-sse' | 'bare-fastify' | 'bare-long-poll' | 'pushbench';

export interface ServerChildConfig {
  kind: ServerKind;
  /** pushbench only: the protocols to serve. */
  protocols?: ProtocolName[];
  ratePerS: number;
  sizeBytes: number;
}

export interface CpuSample {
  cpuMs: number;
  rssKB: number;
  heapKB: number;
}

interface Request {
  type: string;
  id?: number;
}

// As servers/main.ts: no source-mapped stacks (each aborted stream would build one), both sides alike.
process.setSourceMapsEnabled(false);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** pushbench's server behind the same small interface as the baselines. */
async function startPushbench(c: ServerChildConfig): Promise<BareServer> {
  const server = await startServer({
    protocols: c.protocols ?? ['websocket'],
    port: 0,
    ratePerS: c.ratePerS,
    sizeBytes: c.sizeBytes,
  });
  const connections = () =>
    Object.values(server.stats().protocols).reduce((n, p) => n + (p?.connections ?? 0), 0);
  // Publish → the last peer's write returned: the servers write a message to every peer in the
  // source's 'message' listeners (long-poll in the microtask it queues there). The start is
  // taken by a listener ahead of theirs, the end in a microtask queued by one after theirs,
  // which runs after their work. From the emit, not the envelope's `t`: a late pacer tick
  // publishes with its scheduled time (servers/pacer.ts), and that lateness is not the release's.
  const releases: number[] = [];
  let emittedAtMs = 0;
  server.source.prependListener('message', () => {
    emittedAtMs = nowMs();
  });
  server.source.on('message', () => {
    const at = emittedAtMs;
    queueMicrotask(() => releases.push(nowMs() - at));
  });
  return {
    url: server.url,
    connections,
    startSource: () => {
      server.source.startPacer();
      return server.source.lastSeq;
    },
    stopSource: () => {
      server.source.stopPacer();
      return server.source.lastSeq;
    },
    takeReleaseMs: () => releases.splice(0),
    close: () => server.close(),
  };
}

function start(c: ServerChildConfig): Promise<BareServer> {
  if (c.kind === 'bare-ws') return startBareWs(c);
  if (c.kind === 'bare-sse') return startBareSse(c);
  if (c.kind === 'bare-fastify') return startBareFastify();
  if (c.kind === 'bare-long-poll') return startBareLongPoll(c);
  return startPushbench(c);
}

function cpuSample(collect: boolean): CpuSample {
  if (collect) gc();
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssKB: mem.rss / 1024,
    heapKB: (mem.heapUsed + mem.external) / 1024,
  };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.PUSHBENCH_PERF_SERVER ?? '{}') as ServerChildConfig;
  const server = await start(config);
  const handlers: Record<string, (msg: Request) => unknown> = {
    cpu: () => cpuSample(false),
    memory: () => cpuSample(true),
    connections: () => server.connections(),
    'source-start': () => server.startSource(),
    'source-stop': () => server.stopSource(),
    'release-times': () => server.takeReleaseMs(),
  };
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 3_000).unref();
    await server.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.on('message', (msg: Request) => {
    const handler = handlers[msg?.type];
    const reply = handler
      ? { type: 'reply', id: msg.id, result: handler(msg) }
      : { type: 'reply', id: msg?.id, error: `unknown request ${JSON.stringify(msg?.type)}` };
    process.send?.(reply);
  });
  process.send?.({ type: 'listening', url: server.url });
}

main().catch((err) => {
  console.error(`perf server: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
