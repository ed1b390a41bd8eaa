/**
 * `npm run perf -- --quick` (the CI form) runs every comparison of docs/perf.md and writes
 * perf.json with both sides' figures and every ratio, finite and positive (the nginx + nchan
 * ones listed as skipped where nginx or the module is missing). Behaviour, not
 * speed: no target is asserted (the machine is shared). Runs the script as its own process,
 * as npm does; allowed up to 4 minutes (the Artillery comparison starts Artillery four times).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nchanMissing } from '../../scripts/nginx.ts';
import type { PerfReport } from '../../scripts/perf/types.ts';

const MAIN = fileURLToPath(new URL('../../scripts/perf/main.ts', import.meta.url));
const outDir = path.join(os.tmpdir(), `pushbench-perf-quick-${process.pid}`);
let child: ChildProcess | undefined;
after(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await rm(outDir, { recursive: true, force: true });
});

/** Every comparison of docs/perf.md, by id prefix, and the ratios each must carry. */
const EXPECTED: Array<[string, string[]]> = [
  ['websocket-fanout-', ['latencyP50', 'latencyP99', 'cpuPerDelivered', 'memoryPerConnection']],
  ['generator-overhead-', ['latencyP50', 'latencyP99']],
  ['poll-endpoint', ['rate', 'cpuPerRequest']],
  ['fault-proxy', ['latencyP50', 'latencyP99']],
  ['sse-fanout-', ['latencyP50', 'latencyP99', 'cpuPerDelivered', 'memoryPerConnection']],
  ['generator-vs-artillery-', ['generatorCpuPerDelivered', 'latencyP50', 'latencyP99']],
  ['long-poll-fanout-', ['latencyP50', 'cpuPerDelivered', 'release']],
];
const NCHAN: Array<[string, string[]]> = [
  ['sse-nchan-', ['latencyP50', 'latencyP99', 'cpuPerDelivered']],
  ['websocket-nchan-', ['latencyP50', 'latencyP99', 'cpuPerDelivered']],
];
const nchan = nchanMissing() === undefined;
if (nchan) EXPECTED.push(...NCHAN);

describe('npm run perf -- --quick', () => {
  test('completes and writes perf.json with every comparison and every ratio', {
    timeout: 270_000,
  }, async () => {
    child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--quick', '--out', outDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const timer = setTimeout(() => child?.kill('SIGKILL'), 240_000);
    const [code] = await once(child, 'exit');
    clearTimeout(timer);
    assert.equal(code, 0, output);
    assert.match(output, /comparison\s+ratio/, 'the ratio table was printed');
    const report = JSON.parse(await readFile(path.join(outDir, 'perf.json'), 'utf8')) as PerfReport & {
      skipped?: Array<{ id: string }>;
    };
    if (!nchan)
      for (const [prefix] of NCHAN)
        assert.ok(
          report.skipped?.some((s) => s.id.startsWith(prefix)),
          prefix,
        );
    assert.equal(report.schema, 'pushbench/perf@1');
    assert.equal(report.quick, true);
    assert.equal(report.comparisons.length, EXPECTED.length);
    for (const [prefix, ratios] of EXPECTED) {
      const c = report.comparisons.find((x) => x.id.startsWith(prefix));
      assert.ok(c, `${prefix}: present`);
      assert.ok(c.subject.repetitions.length >= 2 && c.baseline.repetitions.length >= 2, `${c.id}: repeated`);
      for (const key of ratios) {
        const r = c.ratio[key];
        assert.ok(typeof r === 'number' && Number.isFinite(r) && r > 0, `${c.id}: ratio ${key} = ${r}`);
      }
      for (const [key, met] of Object.entries(c.met)) assert.equal(typeof met, 'boolean', `${c.id}: ${key}`);
    }
  });
});
