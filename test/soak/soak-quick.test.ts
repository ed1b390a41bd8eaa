/**
 * `npm run soak -- --quick` (the CI form of docs/reliability.md): every protocol at once with
 * flaps, resets, publish bursts and bad inputs. Runs the script as its own process, as npm does,
 * bounded by a hard timeout, and checks soak.json: the structure, the exit code against the
 * verdict, and the pass criteria that hold on a short run: zero loss per protocol, every fault
 * survived, every burst accepted, the server's fds back to the start's, every bad input tried
 * and those answered as documented today still answered so. Not asserted here (reported in
 * soak.json and the verdict): RSS growth (a minute is too short for the heap to settle; the full
 * soak judges it) and the bad inputs still waiting for the server's hardening (PENDING).
 * The verdict's own rules are checked on made-up reports, so each criterion can fail.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PROTOCOLS } from '../../core/types.ts';
import { probes } from '../../scripts/soak/probes.ts';
import { verdict } from '../../scripts/soak/run.ts';
import { SOAK_SCHEMA_ID, type SoakReport } from '../../scripts/soak/types.ts';

const MAIN = fileURLToPath(new URL('../../scripts/soak/main.ts', import.meta.url));
const outDir = path.join(os.tmpdir(), `pushbench-soak-quick-${process.pid}`);
const HARD_TIMEOUT_MS = 170_000;
let child: ChildProcess | undefined;
after(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await rm(outDir, { recursive: true, force: true });
});

/**
 * Bad inputs not yet answered as docs/wire.md and docs/servers.md promise: the soak reports them
 * failing; this test only checks they were tried. Remove a name once the server answers it.
 */
const PENDING = new Set<string>([]);

describe('npm run soak -- --quick', () => {
  test('runs every protocol with faults and bad inputs; soak.json holds the figures and the verdict', {
    timeout: HARD_TIMEOUT_MS + 10_000,
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
    const timer = setTimeout(() => child?.kill('SIGKILL'), HARD_TIMEOUT_MS);
    const [code] = await once(child, 'exit');
    clearTimeout(timer);
    assert.ok(code === 0 || code === 1, `exit ${code}\n${output}`);
    const r = JSON.parse(await readFile(path.join(outDir, 'soak.json'), 'utf8')) as SoakReport;
    assert.equal(r.schema, SOAK_SCHEMA_ID);
    assert.equal(r.quick, true);
    assert.equal(code, r.pass ? 0 : 1, 'exit code follows the verdict');
    assert.equal(r.pass, r.failures.length === 0);
    assert.match(output, r.pass ? /soak: PASS/ : /soak: FAIL/);
    for (const f of r.failures) assert.ok(output.includes(f), `reason printed: ${f}`);
    assert.ok(r.wallMs < 150_000, `bounded: ${r.wallMs} ms`);

    // Every protocol at once, nothing lost, every fault survived.
    assert.deepEqual(Object.keys(r.protocols).sort(), [...PROTOCOLS].sort());
    assert.ok(r.retention.covered, 'the quick soak is sized so retention covers every outage');
    assert.ok(r.settings.reset.count >= 2, 'several reset rounds');
    for (const [p, f] of Object.entries(r.protocols)) {
      assert.ok(f);
      assert.ok(f.delivered > 0 && f.expected > 0, `${p}: delivered ${f.delivered}`);
      assert.equal(f.lost, 0, `${p}: lost ${f.lost} of ${f.expected}`);
      assert.equal(f.gapsLost, 0, `${p}: gap`);
      assert.deepEqual(f.behindAtEnd, [], `${p}: behind at the end`);
      assert.ok(f.faults.affected > 0, `${p}: clients in fault windows`);
      assert.equal(f.faults.reconnected, f.faults.detected, `${p}: every detected loss reconnected`);
      assert.equal(f.faults.caughtUp, f.faults.detected, `${p}: every reconnect caught up`);
      if (p !== 'short-poll') assert.ok(f.reconnects > 0, `${p}: the resets made clients reconnect`);
    }
    assert.ok(r.published.bursts >= 2);
    assert.equal(r.published.burstMessagesAccepted, r.published.burstMessagesSent);
    assert.ok(r.published.total >= r.published.burstMessagesSent);

    // The server's resources: fds back to the start's; RSS and the event loop are figures.
    const { fds, rssMB, eventLoopP99Ms } = r.server;
    assert.ok(fds.start !== null && fds.afterClients !== null && fds.endOfLoad !== null);
    assert.ok(fds.endOfLoad > fds.start, 'the load held connections open');
    assert.ok(fds.afterClients <= fds.start, `fds ${fds.start} at start, ${fds.afterClients} after`);
    assert.ok(rssMB.start > 0 && rssMB.afterWarmUp > 0 && rssMB.end > 0 && Number.isFinite(rssMB.growthPct));
    assert.ok(eventLoopP99Ms.max >= eventLoopP99Ms.median && eventLoopP99Ms.median >= 0);
    assert.ok(r.server.series.length >= 30, 'one sample a second');

    // Bad inputs: every one tried; those answered as documented today keep being answered so.
    const names = probes().map((p) => p.name);
    assert.deepEqual(r.badInputs.inputs.map((b) => b.name).sort(), [...names].sort());
    for (const b of r.badInputs.inputs) {
      assert.ok(b.tried >= 1, `${b.name}: tried`);
      assert.ok(b.got.length > 0, `${b.name}: what came back is recorded`);
      if (!PENDING.has(b.name))
        assert.equal(b.answered, b.tried, `${b.name}: expected ${b.expected}, got ${b.got}`);
      if (b.answered < b.tried) assert.ok(r.failures.some((f) => f.includes(`bad input ${b.name} `)));
    }
    assert.equal(
      r.badInputs.tried,
      r.badInputs.inputs.reduce((a, b) => a + b.tried, 0),
    );
  });
});

/** A passing report: every criterion met. */
function passing(): SoakReport {
  return {
    schema: SOAK_SCHEMA_ID,
    quick: true,
    startedAt: '',
    wallMs: 1,
    environment: { node: '', platform: '', cpus: 2, loadAvg1mStart: 0, loadAvg1mEnd: 0 },
    settings: {} as SoakReport['settings'],
    published: { total: 200, bursts: 1, burstMessagesSent: 100, burstMessagesAccepted: 100 },
    protocols: {
      sse: {
        clients: 2,
        expected: 400,
        delivered: 400,
        lost: 0,
        gapsLost: 0,
        duplicates: 0,
        outOfOrder: 0,
        behindAtEnd: [],
        reconnects: 1,
        faults: { affected: 1, detected: 1, reconnected: 1, caughtUp: 1 },
      },
    },
    badInputs: {
      tried: 1,
      answered: 1,
      failing: [],
      inputs: [{ name: 'x', input: 'GET /x', rule: '', expected: '404', tried: 1, answered: 1, got: '404' }],
    },
    server: {
      rssMB: { start: 90, afterWarmUp: 100, end: 109, growthPct: 9 },
      fds: { start: 20, endOfLoad: 60, afterClients: 20 },
      eventLoopP99Ms: { max: 5, median: 1 },
      zombiesReaped: 0,
      series: [],
    },
    retention: { longestOutageMs: 1_000, messagesInOutage: 20, covered: true },
    pass: true,
    failures: [],
  };
}

describe('soak verdict', () => {
  test('a report meeting every criterion passes', () => {
    assert.deepEqual(verdict(passing()), []);
  });
  test('each criterion fails on its own figure', () => {
    const cases: Array<[string, (r: SoakReport) => void, RegExp]> = [
      ['loss', (r) => Object.assign(r.protocols.sse ?? {}, { lost: 1, delivered: 399 }), /sse: 1 of 400/],
      ['rss', (r) => Object.assign(r.server.rssMB, { end: 111, growthPct: 11 }), /RSS grew 11 %/],
      ['fds', (r) => Object.assign(r.server.fds, { afterClients: 21 }), /open fds 21 .* 20/],
      ['no /proc', (r) => Object.assign(r.server.fds, { start: null }), /not readable/],
      [
        'bad input',
        (r) => Object.assign(r.badInputs.inputs[0], { answered: 0, got: '500' }),
        /expected 404, got 500/,
      ],
      ['burst', (r) => Object.assign(r.published, { burstMessagesAccepted: 99 }), /1 of 100 not accepted/],
      ['no fault', (r) => Object.assign(r.protocols.sse?.faults ?? {}, { affected: 0 }), /no client/],
    ];
    for (const [name, spoil, reason] of cases) {
      const r = passing();
      spoil(r);
      const out = verdict(r);
      assert.equal(out.length, 1, `${name}: ${out.join('; ')}`);
      assert.match(out[0], reason, name);
    }
  });
  test('loss announced by a gap is excused only when retention could not cover the outage', () => {
    const r = passing();
    Object.assign(r.protocols.sse ?? {}, { lost: 5, gapsLost: 5, delivered: 395 });
    assert.equal(verdict(r).length, 1, 'covered: the loss counts');
    r.retention.covered = false;
    assert.deepEqual(verdict(r), []);
  });
});
