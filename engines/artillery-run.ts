/**
 * Run one Artillery script locally: `artillery run --output out.json script.yml` as a child
 * process in its own process group, bounded in time, killed (group-wide) on timeout, on abort
 * (Ctrl-C) and when this process exits. Telemetry is switched off and its client stubbed
 * (artillery-offline.cjs): traffic stays on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTILLERY_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';

const require = createRequire(import.meta.url);
/** Keeps Artillery's telemetry client from calling out (see artillery-offline.cjs). */
const OFFLINE_PRELOAD = fileURLToPath(new URL('./artillery-offline.cjs', import.meta.url));
const live = new Set<ChildProcess>();

/** The artillery CLI script of the installed package (2.0.21, pinned). */
export function artilleryBin(): string {
  const pkg = require.resolve('artillery/package.json');
  return path.join(path.dirname(pkg), (require(pkg) as { bin: { artillery: string } }).bin.artillery);
}

export interface ArtilleryRunOptions {
  script: string;
  /** Where Artillery writes its JSON report. */
  outputFile: string;
  /** Artillery's console output goes here. */
  logFile: string;
  /** Overrides the script's target (`--target`). */
  target?: string;
  /** Hard bound: the process group is killed after this. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with the child's pid once spawned (tests check that it is gone afterwards). */
  onSpawn?: (pid: number) => void;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Run the script; resolves with Artillery's parsed JSON output. Rejects PB_ENGINE_FAILED. */
export async function runArtillery(o: ArtilleryRunOptions): Promise<unknown> {
  const args = [
    '--require',
    OFFLINE_PRELOAD,
    artilleryBin(),
    'run',
    '--output',
    o.outputFile,
    ...(o.target ? ['--target', o.target] : []),
    o.script,
  ];
  const log = createWriteStream(o.logFile);
  const child = spawn(process.execPath, args, {
    cwd: path.dirname(o.script),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true' },
  });
  live.add(child);
  if (child.pid !== undefined) o.onSpawn?.(child.pid);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let why = '';
  const stop = (reason: string) => {
    why ||= reason;
    killGroup(child, 'SIGTERM');
    setTimeout(() => killGroup(child, 'SIGKILL'), ARTILLERY_DEFAULTS.killGraceMs).unref();
  };
  const timer = setTimeout(
    () => stop(`did not finish within ${Math.round(o.timeoutMs / 1000)} s`),
    o.timeoutMs,
  );
  const onAbort = () => stop('interrupted');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      why ||= err.message;
      resolve(null);
    });
    child.once('close', (exitCode) => resolve(exitCode));
  });
  clearTimeout(timer);
  o.signal?.removeEventListener('abort', onAbort);
  live.delete(child);
  await new Promise<void>((resolve) => log.end(resolve));
  if (why || code !== 0) throw await failure(o, why || `exited with code ${code}`);
  try {
    return JSON.parse(await readFile(o.outputFile, 'utf8'));
  } catch (err) {
    throw await failure(o, `no readable JSON output (${(err as Error).message})`);
  }
}

async function failure(o: ArtilleryRunOptions, reason: string): Promise<PushbenchError> {
  const text = await readFile(o.logFile, 'utf8').catch(() => '');
  const tail = text.trim().split('\n').slice(-8);
  return new PushbenchError(
    'PB_ENGINE_FAILED',
    `artillery ${path.basename(o.script)}: ${reason} (log: ${o.logFile})`,
    tail,
  );
}

/** Artillery processes still running (tests check this is empty). */
export function liveArtilleryProcesses(): number {
  return live.size;
}

/** Kill every Artillery process group now: for exit paths that cannot wait. */
export function killArtillerySync(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
}

process.once('exit', killArtillerySync);
