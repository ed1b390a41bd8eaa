/**
 * `npm run soak [-- --quick] [--out DIR]`: every protocol at once against one server for ~10
 * minutes (`--quick`: ~1 minute, the CI form) with flapping and reset faults, publish bursts and
 * bad inputs (docs/reliability.md). Prints the figures and writes DIR/soak.json (default
 * reports/out/soak). Exit 0 when every pass criterion held, 1 with the reasons printed when
 * one did not (or a child failed), 2 on a bad option, 130 on Ctrl-C.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SOAK_DEFAULTS } from '../../core/defaults.ts';
import { PushbenchError } from '../../core/errors.ts';
import { killAllChildrenSync } from '../../runner/child.ts';
import { runSoak } from './run.ts';
import type { SoakReport } from './types.ts';

const HELP = `Usage: npm run soak -- [options]

  --quick          ~1 minute (${SOAK_DEFAULTS.quick.clientsPerProtocol} clients per protocol): the CI form; default ~10 minutes
                   (${SOAK_DEFAULTS.full.clientsPerProtocol} clients per protocol)
  --out DIR        where soak.json goes (default ${SOAK_DEFAULTS.outDir})
  -h, --help       this text`;

interface CliOptions {
  quick: boolean;
  outDir: string;
}

/** Parse argv; a bad option is PB_BAD_OPTION. */
export function parseCli(argv: string[]): CliOptions | 'help' {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) return 'help';
    if (values.out !== undefined && values.out.trim() === '')
      throw new PushbenchError('PB_BAD_OPTION', '--out: expected a folder');
    return { quick: Boolean(values.quick), outDir: values.out ?? SOAK_DEFAULTS.outDir };
  } catch (err) {
    if (err instanceof PushbenchError) throw err;
    throw new PushbenchError('PB_BAD_OPTION', err instanceof Error ? err.message : String(err));
  }
}

/** The figures, one block per kind, for the terminal. */
export function summary(r: SoakReport): string[] {
  const lines = [
    `soak${r.quick ? ' --quick' : ''}: ${Math.round(r.wallMs / 1000)} s wall, ${r.published.total} messages published ` +
      `(${r.published.bursts} bursts, ${r.published.burstMessagesAccepted}/${r.published.burstMessagesSent} accepted)`,
    '',
    'protocol    clients  expected  delivered  lost  gap-lost  dups  reconnects  faults: affected/detected/reconnected/caught up',
  ];
  for (const [p, f] of Object.entries(r.protocols)) {
    if (!f) continue;
    lines.push(
      `${p.padEnd(10)}  ${String(f.clients).padStart(7)}  ${String(f.expected).padStart(8)}  ${String(f.delivered).padStart(9)}  ` +
        `${String(f.lost).padStart(4)}  ${String(f.gapsLost).padStart(8)}  ${String(f.duplicates).padStart(4)}  ` +
        `${String(f.reconnects).padStart(10)}  ${f.faults.affected}/${f.faults.detected}/${f.faults.reconnected}/${f.faults.caughtUp}`,
    );
  }
  const s = r.server;
  lines.push(
    '',
    `server RSS ${s.rssMB.start} MB at start, ${s.rssMB.afterWarmUp} MB after warm-up, ${s.rssMB.end} MB at the end ` +
      `(${s.rssMB.growthPct >= 0 ? '+' : ''}${s.rssMB.growthPct} %)`,
    `server open fds ${s.fds.start} at start, ${s.fds.endOfLoad} under load, ${s.fds.afterClients} after the clients left`,
    `server event-loop p99 max ${s.eventLoopP99Ms.max} ms, median ${s.eventLoopP99Ms.median} ms; zombies reaped ${s.zombiesReaped}`,
    `retention ${r.settings.retention.ms / 1000} s / ${r.settings.retention.count} messages vs longest outage ` +
      `${r.retention.longestOutageMs / 1000} s (${r.retention.messagesInOutage} messages): ${r.retention.covered ? 'covered' : 'NOT covered'}`,
    '',
    `bad inputs: ${r.badInputs.answered} of ${r.badInputs.tried} answered as documented ` +
      `(${r.badInputs.inputs.length - r.badInputs.failing.length} of ${r.badInputs.inputs.length} kinds)`,
  );
  for (const b of r.badInputs.inputs) {
    const ok = b.answered === b.tried;
    lines.push(
      `  ${ok ? 'ok  ' : 'FAIL'} ${b.name.padEnd(22)} ${b.answered}/${b.tried}  expected ${b.expected}` +
        (ok ? '' : `; got ${b.got}`),
    );
  }
  lines.push('', r.pass ? 'soak: PASS' : `soak: FAIL (${r.failures.length})`);
  for (const f of r.failures) lines.push(`  - ${f}`);
  return lines;
}

async function main(): Promise<number> {
  let cli: CliOptions | 'help';
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (err) {
    const e = err as PushbenchError;
    console.error(`soak: ${e.code}: ${e.message}\n\n${HELP}`);
    return 2;
  }
  if (cli === 'help') {
    console.log(HELP);
    return 0;
  }
  const outDir = path.resolve(cli.outDir);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (err) {
    console.error(`soak: PB_BAD_OPTION: --out ${cli.outDir}: ${(err as Error).message}`);
    return 2;
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let report: SoakReport;
  try {
    report = await runSoak({ quick: cli.quick, log: (l) => console.error(l), signal: abort.signal });
  } catch (err) {
    console.error(`soak: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return abort.signal.aborted ? 130 : 1;
  }
  const file = path.join(outDir, 'soak.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  console.log(summary(report).join('\n'));
  console.log(`\nsoak.json: ${file}`);
  if (abort.signal.aborted) return 130;
  return report.pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    killAllChildrenSync();
    process.exit(1);
  },
);
