/**
 * websocket — `GET /ws?client=ID&since=N` and the article's `/websocket/:client`.
 * Pushes a hello, the backlog after `since`, then every envelope as a text frame
 * (built once per message for all peers). Answers the application heartbeat
 * ({"type":"ping","t"} → {"type":"pong","t"}, and the article's plain-text "ping" →
 * "pong"); sends protocol pings every
 * serverPingIntervalMs and terminates a peer that missed the previous pong (a
 * zombie reaped). Close codes: 1001 shutdown, 1009 frame too big (ws itself),
 * 4008 slow consumer.
 */

import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { nowMs } from '../core/clock.ts';
import { CLOSE_CODES, ERRORS, type ErrorCode, PushbenchError } from '../core/errors.ts';
import type { Envelope } from '../core/types.ts';
import { ClientIndex } from './client-index.ts';
import type { ServerContext } from './context.ts';
import { originAllowed } from './http-errors.ts';
import { SpreadTimer } from './spread.ts';
import { type PushQuery, parseQuery } from './validate.ts';
import {
  directSocket,
  type PreparedFrame,
  prepareText,
  sendPing,
  sendPrepared,
  sendPreparedBatch,
} from './ws-frame.ts';

interface Peer {
  ws: WebSocket;
  /** Where broadcast frames are written directly (ws-frame.ts), null: through ws.send. */
  socket: Socket | null;
  client: string;
  alive: boolean;
  lastSeenMs: number;
  /** While the resume backlog is written: the last seq sent so far; null once live. */
  after: number | null;
}

/**
 * Free what the upgrade left behind (~2 KB per connection, for the connection's life):
 * @fastify/websocket's per-connection 'error' listener, a closure over fastify's Request
 * and Reply (and so the upgrade's IncomingMessage and ServerResponse), only calls our
 * errorHandler, a no-op — a shared no-op listener does the same; and the never-ended
 * ServerResponse it routed the upgrade through stays attached to the socket: detach it.
 */
function releaseUpgrade(ws: WebSocket): void {
  ws.removeAllListeners('error');
  ws.on('error', ignoreError);
  const socket = (ws as unknown as { _socket?: { _httpMessage?: ServerResponse | null } })._socket;
  const res = socket?._httpMessage;
  if (res && typeof res.detachSocket === 'function') res.detachSocket(socket as unknown as Socket);
}

/** ws errors end in 'close' (and forget()); nothing to add. */
function ignoreError(): void {}

/** The most resume backlog written in one piece (bytes of payload): one socket write each. */
const CATCH_UP_PIECE_BYTES = 64 * 1024;

function queryOf(req: FastifyRequest): PushQuery {
  const params = req.params as Record<string, unknown>;
  return parseQuery(req.query, params.client !== undefined ? { pathClient: params.client } : {});
}

/** Register /ws and /websocket/:client (and the @fastify/websocket plugin). */
export async function websocket(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const counters = ctx.count('websocket');
  const limit = ctx.options.sendBufferLimitBytes;
  const peers = new Set<Peer>();
  const byClient = new ClientIndex<Peer>();

  await app.register(fastifyWebsocket, {
    options: { maxPayload: ctx.options.wsMaxPayloadBytes, perMessageDeflate: ctx.options.perMessageDeflate },
    // ws closes with 1009 itself on an oversized frame; let that close frame go out.
    errorHandler: () => {},
    preClose(done) {
      this.websocketServer.close();
      done();
    },
  });

  function forget(peer: Peer): void {
    peers.delete(peer);
    pinger.delete(peer);
    byClient.delete(peer.client, peer);
  }

  /** True (and the peer is cut with 4008) when it holds more unsent bytes than the limit. */
  function cutIfSlow(peer: Peer): boolean {
    if (peer.ws.bufferedAmount <= limit) return false;
    counters.slowConsumers++;
    forget(peer);
    peer.ws.close(CLOSE_CODES.SLOW_CONSUMER, 'slow consumer');
    peer.ws.terminate();
    return true;
  }

  function sendControl(peer: Peer, message: object): void {
    if (!cutIfSlow(peer) && peer.ws.readyState === peer.ws.OPEN) peer.ws.send(JSON.stringify(message));
  }

  function sendError(peer: Peer, code: ErrorCode, detail: string): void {
    sendControl(peer, { type: 'error', code, message: `${ERRORS[code].message}: ${detail}` });
  }

  function onFrame(peer: Peer, raw: RawData, isBinary: boolean): void {
    counters.messagesReceived++;
    if (isBinary) {
      sendError(peer, 'PB_WS_BINARY', 'the heartbeat is a text frame');
      return;
    }
    if (raw instanceof Buffer && raw.length === 4 && raw.toString() === 'ping') {
      if (!cutIfSlow(peer) && peer.ws.readyState === peer.ws.OPEN) peer.ws.send('pong');
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(raw.toString());
    } catch {
      sendError(peer, 'PB_WS_BAD_JSON', 'expected {"type":"ping","t":<number>} or the text ping');
      return;
    }
    const m = msg as { type?: unknown; t?: unknown } | null;
    if (m && m.type === 'ping' && typeof m.t === 'number') sendControl(peer, { type: 'pong', t: m.t });
    else if (m && m.type === 'ping') sendError(peer, 'PB_WS_UNKNOWN_TYPE', 'ping needs a numeric "t"');
    else sendError(peer, 'PB_WS_UNKNOWN_TYPE', `got type ${JSON.stringify(m?.type ?? null)}`);
  }

  function connect(ws: WebSocket, req: FastifyRequest): void {
    const q = queryOf(req);
    const peer: Peer = {
      ws,
      socket: directSocket(ws),
      client: q.client,
      alive: true,
      lastSeenMs: nowMs(),
      after: q.since ?? null,
    };
    if (ctx.shuttingDown) {
      ws.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
      return;
    }
    if (ctx.overLimit.has(req.raw.socket)) {
      ws.close(CLOSE_CODES.TRY_AGAIN_LATER, 'connection limit reached');
      return;
    }
    releaseUpgrade(ws);
    const slice = ctx.source.slice(q.since, q.client);
    ws.send(JSON.stringify({ type: 'hello', ...slice.info, ...ctx.source.helloExtra(q.client) }));
    peers.add(peer);
    byClient.add(peer.client, peer);
    pinger.add(peer);
    // Shared listeners (the peer found through a WeakMap): no closures per connection.
    peerOf.set(ws, peer);
    ws.on('close', onClose);
    ws.on('message', onMessageFrame);
    ws.on('pong', onPong);
    catchUp(peer);
  }

  /**
   * Write the resume backlog in pieces of at most CATCH_UP_PIECE_BYTES, each ONE socket write
   * of its frames (ws-frame.ts sendPreparedBatch), the next once that piece is on the socket;
   * a piece ends early where the connection would hold more than half the send-buffer limit
   * unsent (docs/servers.md, slow consumers). A reconnect burst thus costs one write per peer and piece, not one per
   * message. Live messages meanwhile come through the same cursor, in order. When the cursor
   * reaches the newest message the peer is live.
   */
  function catchUp(peer: Peer): void {
    if (peer.after === null || peer.ws.readyState !== peer.ws.OPEN || !peers.has(peer)) return;
    const { entries } = ctx.source.slice(peer.after, peer.client);
    const piece: PreparedFrame[] = [];
    let bytes = 0;
    for (const entry of entries) {
      if (piece.length > 0 && (bytes >= CATCH_UP_PIECE_BYTES || peer.ws.bufferedAmount + bytes > limit / 2))
        break;
      const frame = prepareText(entry.json);
      piece.push(frame);
      bytes += frame.payload.length;
      peer.after = entry.env.seq;
    }
    counters.messagesSent += piece.length;
    // Every retained message after the cursor is written: the next one goes out live.
    if (piece.length === entries.length) {
      peer.after = null;
      sendPreparedBatch(peer.ws, piece, peer.socket);
    } else sendPreparedBatch(peer.ws, piece, peer.socket, () => catchUp(peer));
  }

  const peerOf = new WeakMap<WebSocket, Peer>();
  function onClose(this: WebSocket): void {
    const peer = peerOf.get(this);
    if (peer) forget(peer);
  }
  function onMessageFrame(this: WebSocket, raw: RawData, isBinary: boolean): void {
    const peer = peerOf.get(this);
    if (peer) onFrame(peer, raw, isBinary);
  }
  function onPong(this: WebSocket): void {
    const peer = peerOf.get(this);
    if (!peer) return;
    peer.alive = true;
    peer.lastSeenMs = nowMs();
  }

  const onMessage = (env: Envelope, json: string) => {
    const targets = env.to === undefined ? peers : byClient.get(env.to);
    if (!targets || targets.size === 0) return;
    const prepared = prepareText(json);
    let sent = 0;
    for (const peer of targets) {
      // A peer still writing its backlog gets this message through its cursor (catchUp).
      if (peer.after !== null) cutIfSlow(peer);
      else if (!cutIfSlow(peer) && sendPrepared(peer.ws, prepared, peer.socket)) sent++;
    }
    counters.messagesSent += sent;
  };
  ctx.source.on('message', onMessage);

  // Every peer is pinged once per interval, a slice of the peers per tick (servers/spread.ts),
  // and reaped one interval after a missed pong.
  const pinger = new SpreadTimer<Peer>(ctx.options.serverPingIntervalMs, (peer) => {
    if (!peer.alive) {
      forget(peer);
      ctx.recordZombie({
        protocol: 'websocket',
        client: peer.client,
        atMs: nowMs(),
        lastSeenMs: peer.lastSeenMs,
      });
      peer.ws.terminate();
      return;
    }
    peer.alive = false;
    if (!cutIfSlow(peer)) sendPing(peer.ws, peer.socket);
  });

  ctx.onShutdown(async () => {
    pinger.stop();
    ctx.source.off('message', onMessage);
    await closeAll(peers, ctx.options.shutdownTimeoutMs / 2);
  });

  // A plain GET (no Upgrade) gets 426 with the error shape instead of the plugin's empty 404.
  for (const url of ['/ws', '/websocket/:client']) {
    app.route({
      method: 'GET',
      url,
      config: { protocol: 'websocket' },
      preValidation: async (req: FastifyRequest) => {
        queryOf(req);
        const origin = req.headers.origin;
        if (!originAllowed(ctx.options.wsAllowedOrigins, origin, req.headers.host)) {
          throw new PushbenchError(
            'PB_BAD_ORIGIN',
            `${JSON.stringify(origin?.slice(0, 200))} is not in wsAllowedOrigins`,
          );
        }
      },
      handler: async (_req, reply) => {
        const pe = new PushbenchError('PB_UPGRADE_REQUIRED', 'send Upgrade: websocket');
        return reply
          .code(pe.status)
          .header('upgrade', 'websocket')
          .type('application/json; charset=utf-8')
          .send(pe.toJSON());
      },
      wsHandler: connect,
    });
  }
}

/** Close every peer with 1001, then terminate whoever has not closed within graceMs. */
async function closeAll(peers: Set<Peer>, graceMs: number): Promise<void> {
  const open = [...peers].map((p) => p.ws);
  const closed = open.map(
    (ws) =>
      new Promise<void>((resolve) =>
        ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve()),
      ),
  );
  for (const ws of open) ws.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([Promise.all(closed), grace]);
  clearTimeout(timer);
  for (const ws of open) ws.terminate();
}
