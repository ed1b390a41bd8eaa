/**
 * `pushbench serve`: run the push servers in the foreground and print every
 * endpoint. Flags are validated together (PB_BAD_OPTION lists every problem);
 * SIGINT/SIGTERM shut down cleanly within 2 s and exit 0. The browser benchmark page is
 * served at /bench/ (its folder comes from clients/browser/, which servers/ cannot import).
 */
import type { Command } from 'commander';
import { benchPageDir } from '../../clients/browser/page-dir.ts';
import { SERVER_DEFAULTS } from '../../core/defaults.ts';
import { PushbenchError } from '../../core/errors.ts';
import { isLoopbackHost } from '../../core/loopback.ts';
import { DEFAULT_PROTOCOLS, isProtocolName, PROTOCOLS, type ProtocolName } from '../../core/types.ts';
import { parseRatePerS, parseSizeBytes } from '../../core/units.ts';
import { type RunningServer, type ServerOptions, startServer } from '../../servers/app.ts';

interface ServeFlags {
  protocols: string;
  port: string;
  host: string;
  rate: string;
  size: string;
  pattern: string;
  allowRemote?: boolean;
}

const PATTERNS = ['constant', 'poisson', 'burst'];

/** Turn CLI strings into ServerOptions; throws PB_BAD_OPTION naming every bad flag. */
export function parseServeFlags(flags: ServeFlags): ServerOptions {
  const problems: string[] = [];
  const protocols = flags.protocols
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of protocols)
    if (!isProtocolName(p))
      problems.push(`--protocols: unknown protocol "${p}" (expected ${PROTOCOLS.join(', ')})`);
  if (protocols.length === 0) problems.push('--protocols: expected at least one protocol');
  const port = /^\d{1,5}$/.test(flags.port) ? Number(flags.port) : Number.NaN;
  if (!(port >= 0 && port <= 65_535))
    problems.push(`--port: expected an integer 0-65535, got "${flags.port}"`);
  if (flags.host.trim() === '') problems.push('--host: expected a host name or address');
  const ratePerS = parseRatePerS(flags.rate);
  if (ratePerS === undefined)
    problems.push(`--rate: expected messages per second like 10 or "600/m", got "${flags.rate}"`);
  const sizeBytes = parseSizeBytes(flags.size);
  if (sizeBytes === undefined) problems.push(`--size: expected bytes like 256 or "1KB", got "${flags.size}"`);
  if (!PATTERNS.includes(flags.pattern))
    problems.push(`--pattern: expected one of ${PATTERNS.join(', ')}, got "${flags.pattern}"`);
  if (problems.length) throw new PushbenchError('PB_BAD_OPTION', problems.join('; '), problems);
  // Binding beyond loopback (0.0.0.0, ::, a LAN address) serves other machines: opt in, as
  // every other command's non-loopback address (core/loopback.ts has the one rule).
  if (!flags.allowRemote && !isLoopbackHost(flags.host))
    throw new PushbenchError(
      'PB_REMOTE_TARGET',
      `--host ${flags.host}: not a loopback address (127.0.0.0/8, ::1, localhost)`,
    );
  return {
    protocols: [...new Set(protocols)] as ProtocolName[],
    port,
    host: flags.host,
    ratePerS,
    sizeBytes,
    pattern: flags.pattern as ServerOptions['pattern'],
  };
}

/** Human-readable list of every endpoint of a running server. */
export function describeEndpoints(server: RunningServer, protocols: ProtocolName[]): string[] {
  const ws = server.url.replace(/^http/, 'ws');
  const lines: Record<ProtocolName, string[]> = {
    'short-poll': [`short-poll  GET ${server.url}/poll?since=N&client=ID`],
    'long-poll': [`long-poll   GET ${server.url}/long-poll?since=N&client=ID&wait=MS`],
    sse: [`sse         GET ${server.url}/sse?client=ID  (Last-Event-ID or since=N to resume)`],
    websocket: [
      `websocket   ${ws}/ws?client=ID&since=N`,
      `            ${ws}/websocket/ID  (the article's URL)`,
    ],
    'socket.io': [
      `socket.io   ${server.url}/socket.io/  (Socket.IO 4, auth {client, since}, event "envelope")`,
      `            ${server.url}/socket.io/socket.io.js  (its browser client)`,
    ],
  };
  return [
    `demo page   ${server.url}/`,
    ...protocols.flatMap((p) => lines[p]),
    `publish     POST ${server.url}/publish  {"to"?: ID, "data": "..."}`,
    `stats       GET ${server.url}/stats   metrics  GET ${server.url}/metrics`,
  ];
}

/** Start the servers, print the endpoints, stop cleanly on SIGINT/SIGTERM. */
export async function serve(options: ServerOptions): Promise<void> {
  const server = await startServer({ benchPageDir: benchPageDir(), ...options });
  if ((options.ratePerS ?? 0) > 0) server.source.startPacer();
  const protocols = options.protocols ?? [...DEFAULT_PROTOCOLS];
  console.log(`pushbench serving ${protocols.join(', ')} on ${server.url} (Ctrl-C to stop)`);
  for (const line of describeEndpoints(server, protocols)) console.log(`  ${line}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`\n${signal}: shutting down`);
      server.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.exit(0);
}

/** Register `serve`. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('run the push servers (short-poll, long-poll, sse, websocket) and print their URLs')
    .option(
      '--protocols <list>',
      `comma-separated protocols to serve (${PROTOCOLS.join(', ')})`,
      DEFAULT_PROTOCOLS.join(','),
    )
    .option('--port <n>', 'port (0 = any free port)', String(SERVER_DEFAULTS.port))
    .option('--host <addr>', 'address to bind', SERVER_DEFAULTS.host)
    .option(
      '--rate <n>',
      'generated messages per second (0: only POST /publish)',
      String(SERVER_DEFAULTS.ratePerS),
    )
    .option('--size <bytes>', 'payload size of generated messages', String(SERVER_DEFAULTS.sizeBytes))
    .option('--pattern <name>', 'constant | poisson | burst', SERVER_DEFAULTS.pattern)
    .option('--allow-remote', 'allow a --host beyond loopback (0.0.0.0, ::, a LAN address)', false)
    .action(async (flags: ServeFlags) => serve(parseServeFlags(flags)));
}
