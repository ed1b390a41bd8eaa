/**
 * startServer: one fastify 5 instance serving any subset of the four push
 * protocols (one plugin each, servers/protocols.ts) behind one MessageSource,
 * plus POST /publish, GET /stats, GET /metrics, the demo page at GET / and, when
 * given its folder (benchPageDir), the browser benchmark page at GET /bench/.
 * close() shuts down within shutdownTimeoutMs: websockets closed with 1001,
 * SSE streams ended, held long-polls answered, stragglers destroyed.
 */
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ProtocolName } from '../core/types.ts';
import { browserPageRoute } from './browser-page.ts';
import { ServerContext, type ZombieEvent } from './context.ts';
import { demoPageRoute } from './demo-page.ts';
import { installErrorHandlers } from './http-errors.ts';
import { ByteMeter } from './meter.ts';
import { metricsRoute } from './metrics.ts';
import { resolveOptions, type ServerOptions } from './options.ts';
import { ProcessSampler } from './process-stats.ts';
import { PROTOCOL_PLUGINS } from './protocols.ts';
import { publishRoute } from './publish.ts';
import { MessageSource } from './source.ts';
import { buildStats, type ServerStats, statsRoute } from './stats.ts';

export type { ServerOptions } from './options.ts';
export type { ServerStats } from './stats.ts';

export interface RunningServer {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  port: number;
  source: MessageSource;
  /** The /stats JSON of docs/wire.md. */
  stats(): ServerStats;
  /** Every dead connection the server freed (the stats carry only the latest 1,000). */
  zombieEvents(): ZombieEvent[];
  /** Graceful shutdown, < shutdownTimeoutMs (2 s). Idempotent. */
  close(): Promise<void>;
}

/** Route config: which protocol a route serves (for byte accounting). */
interface RouteConfig {
  protocol?: ProtocolName;
}

/** Attribute every request's socket bytes to the protocol of its route. */
function installMetering(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const protocol = (req.routeOptions.config as RouteConfig).protocol ?? null;
    ctx.meter.claim(req.raw.socket, protocol);
    if (protocol) ctx.count(protocol).requests++;
    done();
  });
  app.addHook('onResponse', (req, _reply, done) => {
    ctx.meter.settleSocket(req.raw.socket);
    done();
  });
}

/** Start serving; binds options.host (127.0.0.1) on options.port (0 = any free port). */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const opts = resolveOptions(options);
  const source = new MessageSource(opts);
  const ctx = new ServerContext(opts, source, new ByteMeter());
  const sampler = new ProcessSampler();
  const app = Fastify({
    logger: false,
    routerOptions: { maxParamLength: 1_000 },
    bodyLimit: opts.publishBodyLimitBytes,
  });
  const sockets = new Set<Socket>();
  // One shared 'close' listener (it fires once): no closure per connection.
  function forgetSocket(this: Socket): void {
    sockets.delete(this);
  }
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', forgetSocket);
  });

  installErrorHandlers(app);
  installMetering(app, ctx);
  for (const protocol of opts.protocols) {
    await app.register(async (scope) => PROTOCOL_PLUGINS[protocol](scope, ctx));
  }
  publishRoute(app, ctx);
  const stats = () => buildStats(ctx, sampler);
  statsRoute(app, stats);
  metricsRoute(app, stats);
  await demoPageRoute(app);
  if (opts.benchPageDir) await browserPageRoute(app, opts.benchPageDir);

  await app.listen({ host: opts.host, port: opts.port });
  sampler.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= shutdown(app, ctx, sockets, sampler);
    return closing;
  };
  const zombieEvents = () => [...ctx.zombieEvents];
  return { url: `http://${host}:${port}`, port, source, stats, zombieEvents, close };
}

async function shutdown(
  app: FastifyInstance,
  ctx: ServerContext,
  sockets: Set<Socket>,
  sampler: ProcessSampler,
) {
  ctx.shuttingDown = true;
  ctx.source.stopPacer();
  // Last resort: whatever is still open shortly before the deadline is destroyed.
  const hard = setTimeout(
    () => {
      for (const s of sockets) s.destroy();
    },
    Math.max(0, ctx.options.shutdownTimeoutMs - 250),
  );
  try {
    await ctx.runClosers();
    await app.close();
  } finally {
    clearTimeout(hard);
    sampler.stop();
  }
}
