/**
 * Debian's Chromium through playwright-core: headless, no sandbox (containers), no
 * background traffic (every byte a page moves is measured), and a user-data dir of our own,
 * `<tmp>/pushbench-chromium-<pid>-XXXX`, whose path is on every Chromium process's command
 * line: a marker to find them and kill them all when a polite close does not finish. Profiles
 * of hosts that were killed outright are removed by the next launch.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { BROWSER_DEFAULTS } from '../../core/defaults.ts';
import { PushbenchError } from '../../core/errors.ts';

export const CHROMIUM_PATH = process.env.PUSHBENCH_CHROMIUM ?? BROWSER_DEFAULTS.chromiumPath;

/** Flags for a quiet, offline-friendly headless Chromium (no GPU, no sync, no phoning home). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Throw PB_BROWSER_FAILED when Chromium is not installed. */
export function assertChromium(executablePath = CHROMIUM_PATH): void {
  if (!existsSync(executablePath)) {
    throw new PushbenchError(
      'PB_BROWSER_FAILED',
      `Chromium not found at ${executablePath}: install it with \`apt-get install -y chromium\` (.ci/run does this), or point PUSHBENCH_CHROMIUM at it`,
    );
  }
}

/** Launch headless Chromium with CHROMIUM_ARGS (a throwaway profile). The caller must close it. */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  assertChromium(executablePath);
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** A running Chromium with its own profile; close() always ends every process of it. */
export interface ChromiumSession {
  context: BrowserContext;
  /** The profile dir: the marker on every process of this Chromium. */
  userDataDir: string;
  version: string;
  /** Polite close, then SIGKILL whatever is left, then remove the profile. Idempotent. */
  close(): Promise<void>;
}

/**
 * Launch Chromium for a benchmark host. Signals are ours to handle (handleSIG* off): a
 * terminal's Ctrl-C must not close the pages before the runner asked for their figures.
 * `onProfile` learns the profile dir before Chromium starts (to clean up after a launch that
 * is cut short: discardProfile).
 */
export async function launchSession(
  executablePath = CHROMIUM_PATH,
  onProfile: (userDataDir: string) => void = () => undefined,
): Promise<ChromiumSession> {
  assertChromium(executablePath);
  await removeStaleProfiles();
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), `${PROFILE_PREFIX}${process.pid}-`));
  onProfile(userDataDir);
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: BROWSER_DEFAULTS.launchTimeoutMs,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (err) {
    await discardProfile(userDataDir);
    throw new PushbenchError('PB_BROWSER_FAILED', `Chromium did not start: ${(err as Error).message}`);
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= closeSession(context, userDataDir);
    return closing;
  };
  return { context, userDataDir, version: context.browser()?.version() ?? 'chromium', close };
}

/** Kill whatever Chromium runs on this profile, wait until it is gone, and remove the profile. */
export async function discardProfile(userDataDir: string): Promise<void> {
  await killMarkedAndWait(userDataDir);
  await rm(userDataDir, { recursive: true, force: true }).catch(() => undefined);
}

async function closeSession(context: BrowserContext, userDataDir: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, BROWSER_DEFAULTS.closeTimeoutMs);
  });
  await Promise.race([context.close().catch(() => undefined), deadline]);
  clearTimeout(timer);
  await discardProfile(userDataDir);
}

const PROFILE_PREFIX = 'pushbench-chromium-';

/**
 * Profiles left by hosts that were killed outright (SIGKILL: no chance to clean up). Only
 * ours (the prefix), only those whose host pid is gone and no Chromium process still uses.
 */
async function removeStaleProfiles(): Promise<void> {
  const entries = await readdir(os.tmpdir()).catch(() => [] as string[]);
  for (const name of entries) {
    const pid = Number(name.slice(PROFILE_PREFIX.length).split('-')[0]);
    if (!name.startsWith(PROFILE_PREFIX) || !Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    const dir = path.join(os.tmpdir(), name);
    if (processesWith(dir).length === 0)
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PIDs of the Chromium processes whose command line contains `marker` (Linux /proc; [] elsewhere). */
export function processesWith(marker: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      // Only Chromium's own processes: never a tool that merely mentions the marker.
      if (argv[0].includes('chrom') && argv.some((a) => a.includes(marker))) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** SIGKILL every process carrying `marker`; returns how many there were. */
export function killMarked(marker: string): number {
  const pids = processesWith(marker);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids.length;
}

/** True while `pid` runs (a zombie, exited but not yet reaped, counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * SIGKILL every process carrying `marker` and resolve once none runs (SIGKILL is delivered
 * asynchronously: a process may live on for a moment), re-killing newcomers; gives up after
 * timeoutMs. Returns the pids still running then ([] = all gone).
 */
export async function killMarkedAndWait(marker: string, timeoutMs = 3_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Set<number>();
  for (;;) {
    for (const pid of processesWith(marker)) seen.add(pid);
    killMarked(marker);
    const left = [...seen].filter(running);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** killMarkedAndWait for exit paths that cannot wait asynchronously (a bounded busy wait). */
export function killMarkedAndWaitSync(marker: string, timeoutMs = 1_000): number[] {
  const deadline = Date.now() + timeoutMs;
  const seen = new Set<number>();
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    for (const pid of processesWith(marker)) seen.add(pid);
    killMarked(marker);
    const left = [...seen].filter(running);
    if (left.length === 0 || Date.now() >= deadline) return left;
    Atomics.wait(sleeper, 0, 0, 10);
  }
}
