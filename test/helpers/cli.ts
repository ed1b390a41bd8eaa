/**
 * Run pushbench's CLI as a user does (`node --import tsx bin/pushbench.ts …` from the
 * repository root), collecting exit code and output. A run that outlives its limit is
 * killed and the promise rejects; killClis() ends any still running (for `after` hooks).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const live = new Set<ChildProcess>();

/** `pushbench ...args`; rejects when it has not exited within limitMs (default 20 s). */
export function runCli(args: string[], limitMs = 20_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/pushbench.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pushbench ${args.join(' ')} did not finish in ${limitMs} ms`));
    }, limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** SIGKILL every CLI run still going. */
export function killClis(): void {
  for (const child of live) child.kill('SIGKILL');
}
