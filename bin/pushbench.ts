/**
 * pushbench CLI: wires the commands, nothing else. Each command is one file in
 * bin/commands/ exporting `register(program)`; adding a command = one file + one line here.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { PushbenchError } from '../core/errors.ts';

type Register = (program: Command) => void;

const COMMANDS: Array<() => Promise<{ register: Register }>> = [
  // one line per command: () => import('./commands/<name>.ts'),
  () => import('./commands/run.ts'),
  () => import('./commands/report.ts'),
  () => import('./commands/serve.ts'),
  () => import('./commands/capacity.ts'),
  () => import('./commands/artillery.ts'),
];

/** Build the program with every command registered (exported for tests). */
export async function buildProgram(): Promise<Command> {
  const program = new Command('pushbench')
    .description(
      'Compare real-time push protocols (short polling, long polling, SSE, WebSocket) under load and faults',
    )
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    // Commander's own errors (unknown flag, missing argument) throw instead of exiting 1:
    // main() turns them into exit code 2, like every other bad option. Subcommands inherit this.
    .exitOverride();
  for (const load of COMMANDS) (await load()).register(program);
  return program;
}

/** Print an error the user can act on: code, message, every problem; never a stack for bad input. */
export function reportError(err: unknown): number {
  // Commander has printed its message (and the help) already; --help and --version exit 0.
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof PushbenchError) {
    console.error(`pushbench: ${err.code}: ${err.message}`);
    for (const p of err.problems) console.error(`  - ${p}`);
    return err.code === 'PB_BAD_SCENARIO' || err.code === 'PB_BAD_OPTION' ? 2 : 1;
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return 1;
}

/** Run the CLI with `argv` (process.argv shape); sets process.exitCode on failure. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    const program = await buildProgram();
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

// `tsx bin/pushbench.ts …` (npm scripts) runs this file directly; bin/pushbench.js calls main().
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
