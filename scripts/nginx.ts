/**
 * nginx with the nchan module, for the target tests (docs/targets.md "nginx + nchan") and
 * `npm run perf` (docs/perf.md "Against a C server: nginx + nchan"): a config written into a temp
 * directory (pid, logs and every *_temp_path inside it, a free loopback port, `daemon off`, one
 * worker process), started as a child, stopped by its pid in every outcome (SIGTERM, then SIGKILL
 * of the master and its workers), temp directory removed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { processTree } from '../runner/proc-stats.ts';

export const NGINX = '/usr/sbin/nginx';
const MODULE_DIRS = ['/usr/lib/nginx/modules', '/usr/share/nginx/modules'];

/** The nchan module's path, or undefined when it is not installed. */
export function nchanModule(): string | undefined {
  for (const dir of MODULE_DIRS) {
    const file = path.join(dir, 'ngx_nchan_module.so');
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Why the nchan tests cannot run here, or undefined when they can. */
export function nchanMissing(): string | undefined {
  if (!existsSync(NGINX)) return `${NGINX} not installed (Debian nginx-light)`;
  if (!nchanModule()) return 'the nchan module is not installed (Debian libnginx-mod-nchan)';
  return undefined;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface NchanOptions {
  /** nchan_subscriber_timeout: a subscriber is answered / closed after this long (0: never). Default 5. */
  subscriberTimeoutS?: number;
  /** worker_connections (the worker may open twice as many files). Default 1024. */
  workerConnections?: number;
  /** nchan_eventsource_ping_interval (s). Default 1. */
  eventsourcePingS?: number;
  /** nchan_websocket_ping_interval (s, 0: none). Default 0. */
  websocketPingS?: number;
}

/** The nchan configuration of docs/targets.md, for `dir` and `port`. */
export function nchanConfig(dir: string, port: number, module: string, o: NchanOptions = {}): string {
  const t = (name: string) => path.join(dir, name);
  const workerConnections = o.workerConnections ?? 1024;
  return `load_module ${module};
daemon off;
master_process on;
worker_processes 1;
pid ${t('nginx.pid')};
worker_rlimit_nofile ${2 * workerConnections};
error_log ${t('error.log')} warn;
events { worker_connections ${workerConnections}; }
http {
  access_log off;
  client_body_temp_path ${t('client_body')};
  proxy_temp_path ${t('proxy')};
  fastcgi_temp_path ${t('fastcgi')};
  uwsgi_temp_path ${t('uwsgi')};
  scgi_temp_path ${t('scgi')};
  server {
    listen 127.0.0.1:${port};
    location ~ ^/pub/(\\w+)$ {
      nchan_publisher;
      nchan_channel_id $1;
      nchan_message_buffer_length 1000;
      nchan_message_timeout 60s;
    }
    location ~ ^/sub/(\\w+)$ {
      nchan_subscriber;
      nchan_channel_id $1;
      nchan_subscriber_first_message newest;
      nchan_eventsource_ping_interval ${o.eventsourcePingS ?? 1}s;
      nchan_websocket_ping_interval ${o.websocketPingS ?? 0};
      nchan_subscriber_timeout ${o.subscriberTimeoutS ?? 5}s;
    }
    location = /nchan_status {
      nchan_stub_status;
    }
  }
}
`;
}

export interface Nginx {
  url: string;
  pid: number;
  dir: string;
  /** The master's and its workers' pids (from /proc; only the master once stopped). */
  pids(): number[];
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// Last resort: a test process that exits leaves no nginx behind.
process.on('exit', () => {
  for (const p of running) killTree(p.pid!, 'SIGKILL');
});

/** pid's descendants (nginx: its workers), from /proc. */
function childrenOf(pid: number): number[] {
  return processTree(pid).slice(1);
}

function killTree(pid: number, signal: NodeJS.Signals): void {
  const all = [pid, ...childrenOf(pid)];
  for (const p of all) {
    try {
      process.kill(p, signal);
    } catch {}
  }
}

/** Start nginx + nchan on a free port; resolves once it accepts connections and its worker runs (at most 10 s). */
export async function startNchan(o: NchanOptions = {}): Promise<Nginx> {
  const module = nchanModule();
  if (!module) throw new Error(nchanMissing());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pushbench-nchan-'));
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(conf, nchanConfig(dir, port, module, o));
  const proc = spawn(NGINX, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (c) => (stderr += c));
  running.add(proc);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.once('exit', () => running.delete(proc));
  const stop = async () => {
    if (!running.has(proc)) return;
    const workers = childrenOf(proc.pid!);
    proc.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(3_000).then(() => false)]);
    if (!killed) killTree(proc.pid!, 'SIGKILL');
    for (const w of workers) {
      try {
        process.kill(w, 'SIGKILL');
      } catch {}
    }
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (!running.has(proc)) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`nginx exited at start: ${stderr}`);
    }
    // The master listens before it forks the worker: ready once both are there.
    if ((await connects(port)) && childrenOf(proc.pid!).length > 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not listen on ${port} with a worker within 10 s: ${stderr}`);
    }
    await sleep(50);
  }
  const pids = () => processTree(proc.pid!);
  return { url: `http://127.0.0.1:${port}`, pid: proc.pid!, dir, pids, stop };
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
