/**
 * Server child-process entry: `node --import tsx servers/main.ts`. Options come as
 * JSON in env PUSHBENCH_SERVER_OPTIONS (ServerOptions). Speaks the children's one IPC
 * convention (core/child-ipc.ts): sends `{type:'listening', url, port}` once bound, answers
 * requests `{type, id, ...}` with `{type:'reply', id, result | error}` and exits 0 after a
 * clean shutdown on SIGTERM, `{type:'shutdown'}` or a lost IPC channel (the parent
 * died: never left orphaned). SIGINT is left to the runner when it has an IPC channel.
 */
import { type ChildRequest, childMain, replyError } from '../core/child-ipc.ts';
import { PushbenchError } from '../core/errors.ts';
import { type RunningServer, type ServerOptions, startServer } from './app.ts';

const FORCE_EXIT_MS = 3_000;

// tsx turns on source-mapped stack traces. Node builds an 'aborted' error (and its stack)
// for every SSE stream or held long-poll whose client goes away; with source maps that
// costs ~100 µs of CPU per connection (10,000 streams closing: a 1.5 s stall). This
// process never prints a stack, so plain stacks are enough.
process.setSourceMapsEnabled(false);

type Handler = (server: RunningServer, req: ChildRequest) => unknown;

const HANDLERS: Record<string, Handler> = {
  stats: (s) => s.stats(),
  /** Every dead connection the server freed (up to 200,000), not only the latest 1,000. */
  zombies: (s) => s.zombieEvents(),
  'source-start': (s) => {
    s.source.startPacer();
    return { lastSeq: s.source.lastSeq };
  },
  'source-stop': (s) => {
    s.source.stopPacer();
    return { lastSeq: s.source.lastSeq, pacer: s.source.pacerStats() };
  },
  'set-addressed': (s, req) => {
    const ids = req.ids;
    if (ids !== null && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) {
      throw new PushbenchError('PB_BAD_OPTION', 'set-addressed: ids must be a list of strings or null');
    }
    s.source.setAddressedClients(ids as string[] | null);
    return { ok: true };
  },
  count: (s, req) => {
    if (!Array.isArray(req.queries))
      throw new PushbenchError('PB_BAD_OPTION', 'count: queries must be a list');
    return (req.queries as Array<{ client: string; afterSeq: number; upToSeq: number }>).map((q) =>
      s.source.countFor(String(q.client), Number(q.afterSeq), Number(q.upToSeq)),
    );
  },
  'last-for': (s, req) => {
    if (!Array.isArray(req.clients))
      throw new PushbenchError('PB_BAD_OPTION', 'last-for: clients must be a list');
    return (req.clients as unknown[]).map((c) => s.source.lastFor(String(c), Number(req.upToSeq)));
  },
  publish: (s, req) => {
    if (typeof req.data !== 'string')
      throw new PushbenchError('PB_BAD_BODY', 'publish: data must be a string');
    return s.source.publish(req.data, typeof req.to === 'string' ? { to: req.to } : {});
  },
};

function readOptions(): ServerOptions {
  const raw = process.env.PUSHBENCH_SERVER_OPTIONS;
  if (!raw) return {};
  try {
    return JSON.parse(raw) as ServerOptions;
  } catch {
    throw new PushbenchError('PB_BAD_OPTION', 'PUSHBENCH_SERVER_OPTIONS is not valid JSON');
  }
}

/** Start the server and serve IPC until told (or forced) to stop. */
async function main(): Promise<void> {
  const server = await startServer(readOptions());
  const requests: Record<string, (req: ChildRequest) => unknown> = {};
  for (const [type, handler] of Object.entries(HANDLERS)) requests[type] = (req) => handler(server, req);
  const child = childMain({
    name: 'pushbench server',
    // Also runs on its own (no IPC channel): then SIGINT stops it.
    requireIpc: false,
    // Each request is answered at once (a stats sample never waits behind another).
    serial: false,
    requests,
    messages: { shutdown: () => void child.exitAfterShutdown(0) },
    shutdown: async () => {
      // close() is bounded by shutdownTimeoutMs; this is the belt to its braces.
      setTimeout(() => process.exit(0), FORCE_EXIT_MS).unref();
      await server.close();
      if (process.connected) process.disconnect();
    },
  });
  child.send({ type: 'listening', url: server.url, port: server.port });
  if (!process.send) console.log(`pushbench server listening on ${server.url}`);
}

main().catch((err) => {
  const e = replyError(err);
  console.error(`pushbench server: ${e.code}: ${e.message}`);
  process.send?.({ type: 'error', error: e });
  process.exit(err instanceof PushbenchError && err.code === 'PB_BAD_OPTION' ? 2 : 1);
});
