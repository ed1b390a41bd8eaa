/**
 * The nchan side of comparison 8 (docs/perf.md "Against a C server: nginx + nchan"): nginx with
 * the nchan module (scripts/nginx.ts, one worker process) subscribers at /sub/perf, and a
 * publisher in this process that POSTs the bare baselines' envelopes (bare/source.ts: the same
 * pacer, `{seq, t, data}` with `t` taken at the publish) to /pub/perf on one keep-alive
 * connection. Its CPU is the master's and the worker's time on a CPU (user + system, from /proc
 * schedstat in ns; utime + stime in 10 ms ticks where that is missing), its memory their RSS; no
 * release time (the broadcast happens inside nginx).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { SERVER_DEFAULTS } from '../../core/defaults.ts';
import { processCpuMs } from '../../runner/proc-cpu.ts';
import { sampleProcessTree } from '../../runner/proc-stats.ts';
import { startNchan } from '../nginx.ts';
import { BareSource } from './bare/source.ts';
import type { FanoutServer } from './procs.ts';

export interface NchanServer extends FanoutServer {
  /** The processes measured (master and worker). */
  pids: number[];
  /** Publishes nchan did not accept (not 2xx, or the POST failed). */
  publishFailures(): number;
  stop(): Promise<void>;
}

/** Start nginx + nchan for `clients` subscribers and its publisher (not yet publishing). */
export async function startNchanServer(o: {
  clients: number;
  ratePerS: number;
  sizeBytes: number;
}): Promise<NchanServer> {
  const nginx = await startNchan({
    subscriberTimeoutS: 0,
    // nginx warns 'worker_connections are not enough' and drops 75 of 5,000 subscribers at
    // clients + 256 (nchan holds more than one connection slot for some); a fifth more fits.
    workerConnections: Math.ceil(o.clients * 1.2) + 256,
    // The keep-alives pushbench's servers send by default.
    eventsourcePingS: SERVER_DEFAULTS.sseKeepAliveMs / 1000,
    websocketPingS: SERVER_DEFAULTS.serverPingIntervalMs / 1000,
  });
  const pids = nginx.pids();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let failures = 0;
  const source = new BareSource(o.ratePerS, o.sizeBytes, (json) => {
    const req = request(
      `${nginx.url}/pub/perf`,
      { method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(json) } },
      (res) => {
        if (res.statusCode === undefined || res.statusCode >= 300) failures++;
        res.resume();
      },
    );
    req.on('error', () => failures++);
    req.end(json);
  });
  const get = (path: string) =>
    new Promise<string>((resolve, reject) => {
      request(`${nginx.url}${path}`, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
  return {
    endpoint: `${nginx.url}/sub/perf`,
    pids,
    cpuMs: async () => schedCpuMs(pids) ?? processCpuMs(pids) ?? Number.NaN,
    memory: async () => ({ rssKB: (sampleProcessTree(nginx.pid)?.rssMB ?? 0) * 1024 }),
    connections: async () => Number(/subscribers: (\d+)/.exec(await get('/nchan_status'))?.[1] ?? Number.NaN),
    startSource: async () => source.start(),
    stopSource: async () => source.stop(),
    publishFailures: () => failures,
    stop: async () => {
      source.stop();
      agent.destroy();
      await nginx.stop();
    },
  };
}

/** Time on a CPU of every thread of `pids`, ms (ns resolution); null when schedstat cannot be read. */
function schedCpuMs(pids: number[]): number | null {
  let ns = 0;
  try {
    for (const pid of pids)
      for (const tid of readdirSync(`/proc/${pid}/task`))
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
  } catch {
    return null;
  }
  return Number.isFinite(ns) ? ns / 1e6 : null;
}
