/**
 * The CLI returns only after every process it started has exited, Chromium included: the
 * moment `pushbench run` with browser pages exits, no Chromium process of its browser host
 * (found by the host's profile marker, the host found by its parent pid) and no host is alive.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { killMarked } from '../../../clients/browser/chromium.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A process that exists and is not a zombie (an exited child not yet reaped). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/** Chromium processes whose profile marker names a host that is a child of `cliPid`. */
function chromiumOfCli(cliPid: number, hosts: Set<number>, seen: Set<number>): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!argv[0]?.includes('chrom')) continue;
    const m = argv.map((a) => /pushbench-chromium-(\d+)-/.exec(a)).find(Boolean);
    if (!m) continue;
    const host = Number(m[1]);
    if (hosts.has(host) || parentOf(host) === cliPid) {
      hosts.add(host);
      seen.add(Number(entry));
    }
  }
}

const YAML = `
name: cli-exit-test
protocols: [websocket]
clients: 1
browsers: 1
ramp: 200ms
warmup: 200ms
duration: 2s
drain: 500ms
source: { rate: 5/s, size: 64B }
`;

describe('the CLI outlives its children', { timeout: 90_000 }, () => {
  const hosts = new Set<number>();
  let dir: string | undefined;
  after(async () => {
    for (const h of hosts) killMarked(`pushbench-chromium-${h}-`);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Run the CLI in its own process group; `interrupt`: Ctrl-C (SIGINT to the group) once a page runs. */
  async function runAndWatch(yaml: string, interrupt: boolean) {
    hosts.clear();
    dir ??= await mkdtemp(path.join(os.tmpdir(), 'pushbench-cli-exit-'));
    const scenario = path.join(dir, 'scenario.yaml');
    await writeFile(scenario, yaml);
    const cli = spawn(
      process.execPath,
      ['--import', 'tsx', 'bin/pushbench.ts', 'run', scenario, '--out', path.join(dir, 'out')],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    let stderr = '';
    cli.stderr.on('data', (d) => {
      stderr += d;
    });
    const pid = cli.pid ?? 0;
    const chromium = new Set<number>();
    let interruptAt = 0;
    const spy = setInterval(() => {
      chromiumOfCli(pid, hosts, chromium);
      // Ctrl-C 1.5 s after Chromium's renderers are up, as a terminal sends it: to the whole group.
      if (interrupt && interruptAt === 0 && chromium.size >= 3) interruptAt = Date.now() + 1_500;
      if (interruptAt > 0 && Date.now() >= interruptAt) {
        interruptAt = Number.POSITIVE_INFINITY;
        process.kill(-pid, 'SIGINT');
      }
    }, 20);
    const code = await new Promise<number | null>((resolve, reject) => {
      const limit = setTimeout(() => {
        cli.kill('SIGKILL');
        reject(new Error(`run did not finish in 60 s: ${stderr}`));
      }, 60_000);
      cli.on('exit', (c) => {
        clearTimeout(limit);
        resolve(c);
      });
    });
    clearInterval(spy);
    // Right at the CLI's exit, before anything had time to die on its own.
    const leftChromium = [...chromium].filter(running);
    const leftHosts = [...hosts].filter(running);
    return { code, stderr, chromium, leftChromium, leftHosts };
  }

  test('when `run` with a browser page exits, no Chromium process and no host of it is left', async () => {
    const { code, stderr, chromium, leftChromium, leftHosts } = await runAndWatch(YAML, false);
    assert.equal(code, 0, stderr);
    assert.ok(hosts.size === 1 && chromium.size >= 2, `saw host ${[...hosts]} and chromium ${[...chromium]}`);
    assert.deepEqual(leftHosts, [], 'the browser host had exited');
    assert.deepEqual(leftChromium, [], `chromium processes alive after the CLI exited (of ${chromium.size})`);
  });

  test('after Ctrl-C during a browser run, the CLI exits 130 with no Chromium process left', async () => {
    const { code, stderr, chromium, leftChromium, leftHosts } = await runAndWatch(
      YAML.replace('duration: 2s', 'duration: 20s'),
      true,
    );
    assert.equal(code, 130, stderr);
    assert.ok(hosts.size === 1 && chromium.size >= 3, `saw host ${[...hosts]} and chromium ${[...chromium]}`);
    assert.deepEqual(leftHosts, [], 'the browser host had exited');
    assert.deepEqual(leftChromium, [], `chromium processes alive after the CLI exited (of ${chromium.size})`);
  });
});
