/**
 * startServer: one fastify 5 instance serving any subset of the four push
 * protocols (one plugin each, servers/protocols.ts) behind one MessageSource,
 * plus POST /publish, GET /stats, GET /metrics, the demo page at GET / and, when
 * given its folder (benchPageDir), the browser benchmark page at GET /bench/.
 * close() shuts down within shutdownTimeoutMs: websockets closed with 1001,
 * SSE streams ended, held long-polls answered, stragglers destroyed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { PushbenchError } from '../core/errors.ts';
import { isLoopbackHost, isLoopbackHostHeader } from '../core/loopback.ts';
import type { ProtocolName } from '../core/types.ts';
import { browserPageRoute } from './browser-page.ts';
import { ServerContext, type ZombieEvent } from './context.ts';
import { demoPageRoute } from './demo-page.ts';
import { clientErrorHandler, frameworkErrors, installErrorHandlers } from './http-errors.ts';
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

/**
 * Against DNS rebinding: a server bound to loopback answers only requests whose Host header
 * names a loopback host (421 PB_BAD_HOST otherwise, WebSocket upgrades included). A server
 * bound beyond loopback (serve --host 0.0.0.0 --allow-remote) is meant to be reached by other
 * names and skips the check. socket.io's engine checks the same in its allowRequest.
 */
function installHostCheck(app: FastifyInstance, ctx: ServerContext): void {
  if (!ctx.checksHost) return;
  app.addHook('onRequest', (req, reply, done) => {
    if (isLoopbackHostHeader(req.headers.host)) return done();
    const pe = new PushbenchError(
      'PB_BAD_HOST',
      `got ${JSON.stringify((req.headers.host ?? '').slice(0, 100))}`,
    );
    reply
      .code(pe.status)
      .header('connection', 'close')
      .type('application/json; charset=utf-8')
      .send(pe.toJSON());
  });
}

/**
 * A request on a connection over maxConnections gets 503 PB_TOO_MANY_CONNECTIONS and the
 * connection closes; a WebSocket upgrade is let through and closed with 1013 (servers/websocket.ts).
 */
function installConnectionLimit(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onRequest', (req, reply, done) => {
    // Shutting down: 503 PB_SHUTTING_DOWN; SSE answers 204 and WebSocket closes 1001 themselves.
    if (ctx.shuttingDown && req.headers.upgrade === undefined && !req.url.startsWith('/sse')) {
      const pe = new PushbenchError('PB_SHUTTING_DOWN');
      reply
        .code(pe.status)
        .header('connection', 'close')
        .type('application/json; charset=utf-8')
        .send(pe.toJSON());
      return;
    }
    if (!ctx.overLimit.has(req.raw.socket) || req.headers.upgrade !== undefined) return done();
    const pe = new PushbenchError(
      'PB_TOO_MANY_CONNECTIONS',
      `maxConnections is ${ctx.options.maxConnections}`,
    );
    reply
      .code(pe.status)
      .header('connection', 'close')
      .type('application/json; charset=utf-8')
      .send(pe.toJSON());
  });
}

/**
 * A route may take a request before fastify routes it (ServerContext.directRequest; the held
 * long polls of servers/long-poll.ts): fastify's own 'request' listener runs only when it did not.
 */
function installDirectRequests(app: FastifyInstance, ctx: ServerContext): void {
  const [fastifyHandler] = app.server.listeners('request') as Array<
    (req: IncomingMessage, res: ServerResponse) => void
  >;
  if (!fastifyHandler) return;
  app.server.removeListener('request', fastifyHandler);
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!ctx.directRequest?.(req, res)) fastifyHandler(req, res);
  });
}

/** Attribute every request's socket bytes to the protocol of its route. */
function installMetering(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const protocol = (req.routeOptions.config as RouteConfig).protocol ?? null;
    ctx.meter.claim(req.raw.socket, protocol);
    if (protocol) ctx.count(protocol).requests++;
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    ctx.meter.settleSocket(req.raw.socket);
    // A refused WebSocket upgrade (400, 421, 503 …): the connection is not kept for another request.
    if (req.headers.upgrade !== undefined && reply.statusCode >= 400) req.raw.socket.end();
    done();
  });
}

/** Start serving; binds options.host (127.0.0.1) on options.port (0 = any free port). */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const opts = resolveOptions(options);
  const source = new MessageSource(opts);
  const ctx = new ServerContext(opts, source, new ByteMeter());
  ctx.checksHost = isLoopbackHost(opts.host);
  const sampler = new ProcessSampler();
  // A request must arrive (headers and body) within requestTimeoutMs; Node checks every interval.
  const checkEveryMs = Math.max(25, Math.min(1_000, Math.floor(opts.requestTimeoutMs / 4)));
  const app = Fastify({
    logger: false,
    routerOptions: { maxParamLength: 1_000 },
    bodyLimit: opts.publishBodyLimitBytes,
    requestTimeout: opts.requestTimeoutMs,
    http: {
      requestTimeout: opts.requestTimeoutMs,
      headersTimeout: opts.requestTimeoutMs,
      connectionsCheckingInterval: checkEveryMs,
    },
    clientErrorHandler,
    frameworkErrors,
    // During shutdown the hook below answers 503 in the error shape, not fastify's own body.
    return503OnClosing: false,
  });
  const sockets = new Set<Socket>();
  // One shared 'close' listener (it fires once): no closure per connection.
  function forgetSocket(this: Socket): void {
    sockets.delete(this);
  }
  app.server.on('connection', (socket: Socket) => {
    // Over the limit: accepted, answered 503 / closed 1013 (installConnectionLimit), then closed.
    if (sockets.size >= opts.maxConnections) ctx.overLimit.add(socket);
    sockets.add(socket);
    socket.on('close', forgetSocket);
  });

  installDirectRequests(app, ctx);
  installErrorHandlers(app);
  installHostCheck(app, ctx);
  installConnectionLimit(app, ctx);
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
