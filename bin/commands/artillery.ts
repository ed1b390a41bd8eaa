/**
 * `pushbench artillery <scenario.yaml>`: write Artillery 2.0.21 scripts (one per protocol) and
 * their processor reproducing the scenario's clients; `pushbench artillery convert <out.json>`:
 * turn Artillery's JSON output (local, Fargate or Lambda) into results.json and the report.
 * Exit codes: 0 ok, 1 failure, 2 bad input.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { ARTILLERY_DEFAULTS, RUN_DEFAULTS } from '../../core/defaults.ts';
import { PushbenchError } from '../../core/errors.ts';
import { assertLoopbackTarget } from '../../core/loopback.ts';
import {
  DEFAULT_ARTILLERY_TARGET,
  exportCaveats,
  PROCESSOR_FILE,
  writeArtilleryFiles,
} from '../../engines/artillery-export.ts';
import { importArtillery } from '../../engines/artillery-import.ts';
import { writeReport } from '../../reports/write.ts';
import { formatTable } from '../../runner/table.ts';
import { applyOverrides, loadScenario, overridesFromFlags } from '../../scenarios/load.ts';

interface ArtilleryFlags {
  target?: string;
  out?: string;
  scenario?: string;
  protocols?: string;
  clients?: string;
  duration?: string;
  allowRemote?: boolean;
  report: boolean;
}

async function exportScripts(file: string, flags: ArtilleryFlags): Promise<void> {
  const target = flags.target ?? DEFAULT_ARTILLERY_TARGET;
  // A script aimed elsewhere is fine to write; running it locally against a remote host is the user's call.
  if (!flags.allowRemote) assertLoopbackTarget(target, false);
  const scenario = applyOverrides(
    await loadScenario(file),
    overridesFromFlags(flags as unknown as Record<string, unknown>),
  );
  const dir = flags.out ?? path.join(ARTILLERY_DEFAULTS.outDir, scenario.name);
  const scripts = await writeArtilleryFiles(scenario, dir, target);
  console.log(`wrote ${path.join(dir, PROCESSOR_FILE)}`);
  for (const [protocol, script] of scripts) {
    const note = protocol === 'sse' ? '  (SSE in a processor function: Artillery has no SSE engine)' : '';
    console.log(`wrote ${script}${note}`);
  }
  for (const c of exportCaveats(scenario)) console.log(`not reproduced: ${c}`);
  const first = [...scripts.values()][0];
  console.log(`\nrun one:   ARTILLERY_DISABLE_TELEMETRY=true npx artillery run --output out.json ${first}`);
  console.log('then:      npx pushbench artillery convert out.json');
}

async function convert(json: string | undefined, flags: ArtilleryFlags): Promise<void> {
  if (!json)
    throw new PushbenchError(
      'PB_BAD_OPTION',
      'artillery convert: expected the Artillery JSON file (artillery run --output out.json)',
    );
  const scenario = flags.scenario ? await loadScenario(flags.scenario) : undefined;
  const { file, results } = await importArtillery(json, {
    scenario,
    outDir: flags.out ?? RUN_DEFAULTS.outDir,
  });
  console.log(`${formatTable(results.runs)}\n`);
  console.log(`results: ${path.relative(process.cwd(), file)}`);
  if (flags.report) console.log(`report:  ${path.relative(process.cwd(), await writeReport(file))}`);
}

export function register(program: Command): void {
  program
    .command('artillery')
    .description(
      'write Artillery 2.0.21 scripts + processor for a scenario; or `artillery convert out.json` to bring Artillery output into results.json',
    )
    .argument('<scenario|convert>', 'scenario file (YAML), or "convert"')
    .argument('[json]', 'with convert: the Artillery JSON report (artillery run --output out.json)')
    .option(
      '--target <url>',
      `export: the pushbench server the scripts load (default ${DEFAULT_ARTILLERY_TARGET})`,
    )
    .option('--protocols <list>', "export: protocols to write scripts for (default: the scenario's)")
    .option('--clients <n>', "export: clients per protocol (default: the scenario's)")
    .option('--duration <time>', "export: measured duration (default: the scenario's)")
    .option(
      '--allow-remote',
      'export: allow a non-loopback --target (for a deployed server; see docs/engines.md)',
    )
    .option(
      '--out <dir>',
      `export: folder for the scripts (default ${ARTILLERY_DEFAULTS.outDir}/<name>); convert: results folder (default ${RUN_DEFAULTS.outDir})`,
    )
    .option('--scenario <file>', 'convert: the scenario the script came from (names the run, checks its SLO)')
    .option('--no-report', 'convert: do not render the HTML report')
    .action(async (first: string, json: string | undefined, flags: ArtilleryFlags) => {
      if (first === 'convert') await convert(json, flags);
      else if (json !== undefined)
        throw new PushbenchError(
          'PB_BAD_OPTION',
          `unexpected argument "${json}" (only convert takes a second file)`,
        );
      else await exportScripts(first, flags);
    });
}
