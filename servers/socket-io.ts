/**
 * socket.io — a Socket.IO 4 server (npm `socket.io`) on the same HTTP server, path
 * `/socket.io/`. The handshake's `auth` carries `{ client, since? }`. Every envelope is ONE
 * `envelope` event: broadcasts through `io.emit`, addressed ones through the client's room
 * (`io.to(client)`), so connection state recovery can replay them. On connect the server
 * emits `hello` (`ResumeInfo` + `recovered`): when Socket.IO recovered the session it has
 * already replayed the missed events itself; otherwise the backlog after `since` (the
 * envelope seq) follows the hello. Heartbeat is Socket.IO's own (pingInterval /
 * pingTimeout); both transports are served (`polling` upgrades to `websocket`).
 * Compression: permessage-deflate (perMessageDeflate); polling answers are not gzipped.
 * A peer whose ping timed out is recorded as a zombie reaped.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Server, type Socket } from 'socket.io';
import { nowMs } from '../core/clock.ts';
import { PushbenchError } from '../core/errors.ts';
import { isLoopbackHostHeader } from '../core/loopback.ts';
import type { ServerContext } from './context.ts';
import { originAllowed } from './http-errors.ts';
import { parseQuery } from './validate.ts';

export const SOCKET_IO_PATH = '/socket.io/';
/** The event every envelope travels in, and the first event of a connection. */
export const SOCKET_IO_EVENTS = { envelope: 'envelope', hello: 'hello' } as const;

type UpgradeListener = (this: unknown, req: IncomingMessage, socket: NetSocket, head: Buffer) => void;

interface Auth {
  client?: unknown;
  since?: unknown;
}

function isSocketIo(req: IncomingMessage): boolean {
  return req.url?.startsWith(SOCKET_IO_PATH) ?? false;
}

/** Mount Socket.IO on the fastify HTTP server. */
export function socketIo(app: FastifyInstance, ctx: ServerContext): void {
  const counters = ctx.count('socket.io');
  const o = ctx.options;
  const foreign = new Set(app.server.listeners('upgrade'));
  const io = new Server(app.server, {
    path: SOCKET_IO_PATH,
    serveClient: true,
    transports: ['polling', 'websocket'],
    pingInterval: o.socketioPingIntervalMs,
    pingTimeout: o.socketioPingTimeoutMs,
    perMessageDeflate: o.perMessageDeflate ? { threshold: 0 } : false,
    httpCompression: false,
    maxHttpBufferSize: o.wsMaxPayloadBytes,
    // Other paths' upgrades are not ours: leave them alone.
    destroyUpgrade: false,
    connectionStateRecovery: { maxDisconnectionDuration: o.retentionMs, skipMiddlewares: true },
    // Over maxConnections, a Host that is not loopback on a loopback server (DNS rebinding), or
    // an Origin outside wsAllowedOrigins:
    // engine.io refuses the request itself (403, its own body).
    allowRequest: (req, callback) => {
      if (ctx.overLimit.has(req.socket)) callback('connection limit reached', false);
      else if (ctx.checksHost && !isLoopbackHostHeader(req.headers.host))
        callback('Host is not loopback', false);
      else if (!originAllowed(o.wsAllowedOrigins, req.headers.origin, req.headers.host))
        callback('Origin not allowed', false);
      else callback(null, true);
    },
  });

  // Byte accounting: engine.io answers its own requests, outside fastify's hooks.
  const meterRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!isSocketIo(req)) return;
    ctx.meter.claim(req.socket, 'socket.io');
    counters.requests++;
    res.once('finish', () => ctx.meter.settleSocket(req.socket));
  };
  const meterUpgrade = (req: IncomingMessage, socket: NetSocket) => {
    if (!isSocketIo(req)) return;
    ctx.meter.claim(socket, 'socket.io');
    counters.requests++;
  };
  app.server.prependListener('request', meterRequest);
  app.server.prependListener('upgrade', meterUpgrade);
  const ours = new Set(app.server.listeners('upgrade').filter((l) => !foreign.has(l)));
  // Other upgrade handlers (the websocket plugin routes every upgrade through fastify and
  // answers unknown paths with 404) must not see socket.io's: wrap them once all are mounted.
  app.addHook('onReady', (done) => {
    for (const listener of app.server.listeners('upgrade') as UpgradeListener[]) {
      if (ours.has(listener)) continue;
      app.server.off('upgrade', listener);
      app.server.on(
        'upgrade',
        function (this: unknown, req: IncomingMessage, socket: NetSocket, head: Buffer) {
          if (!isSocketIo(req)) listener.call(this, req, socket, head);
        },
      );
    }
    done();
  });

  io.use((socket, next) => {
    if (ctx.shuttingDown) return next(new Error('server shutting down'));
    try {
      const auth = (socket.handshake.auth ?? {}) as Auth;
      parseQuery({ client: auth.client, since: auth.since === undefined ? undefined : String(auth.since) });
      next();
    } catch (err) {
      // docs/wire.md: the connect_error names PB_BAD_QUERY, in its message and as data.error.
      const pe = err instanceof PushbenchError ? err : new PushbenchError('PB_BAD_QUERY', String(err));
      next(Object.assign(new Error(`${pe.code}: ${pe.message}`), { data: pe.toJSON() }));
    }
  });

  io.on('connection', (socket: Socket) => {
    const auth = socket.handshake.auth as Auth;
    const q = parseQuery({
      client: auth.client,
      since: auth.since === undefined ? undefined : String(auth.since),
    });
    socket.data.client = q.client;
    const openedAtMs = nowMs();
    let lastSeenMs = openedAtMs;
    socket.conn.on('packet', (packet: { type: string }) => {
      if (packet.type === 'pong') lastSeenMs = nowMs();
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'ping timeout') {
        ctx.recordZombie({ protocol: 'socket.io', client: q.client, atMs: nowMs(), lastSeenMs });
      }
    });
    if (socket.recovered) {
      // Socket.IO replayed the missed events (rooms included) before this handler ran.
      socket.emit(SOCKET_IO_EVENTS.hello, {
        type: 'hello',
        ...ctx.source.slice(undefined).info,
        ...ctx.source.helloExtra(q.client),
        recovered: true,
      });
      return;
    }
    socket.join(q.client);
    const slice = ctx.source.slice(q.since, q.client);
    socket.emit(SOCKET_IO_EVENTS.hello, {
      type: 'hello',
      ...slice.info,
      ...ctx.source.helloExtra(q.client),
      recovered: false,
    });
    for (const e of slice.entries) socket.emit(SOCKET_IO_EVENTS.envelope, e.env);
    counters.messagesSent += slice.entries.length;
  });

  ctx.source.on('message', (env) => {
    if (env.to === undefined) {
      counters.messagesSent += io.sockets.sockets.size;
      io.emit(SOCKET_IO_EVENTS.envelope, env);
    } else {
      counters.messagesSent += io.sockets.adapter.rooms.get(env.to)?.size ?? 0;
      io.to(env.to).emit(SOCKET_IO_EVENTS.envelope, env);
    }
  });

  ctx.onShutdown(async () => {
    app.server.off('request', meterRequest);
    app.server.off('upgrade', meterUpgrade);
    io.disconnectSockets(true);
    // io.close() would close the HTTP server too: fastify does that.
    io.engine.close();
  });
}
