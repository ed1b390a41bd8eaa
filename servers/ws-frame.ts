/**
 * Broadcast a WebSocket text message built once: `Sender.frame` makes the header, and
 * header + payload are joined into ONE Buffer per message. Each peer then costs a single
 * `socket.write(bytes)` of that shared Buffer — no per-peer encoding, framing, cork /
 * uncork or writev array (ws's own `send` does all four for every peer). This is only
 * done when ws would write synchronously itself (OPEN, no extension such as
 * permessage-deflate, no queued / compressing frame), so the bytes on the wire and
 * their order are exactly what `ws.send` would produce; otherwise it falls back to
 * `ws.send`. The server's protocol ping (empty payload) is prebuilt the same way.
 *
 * `Sender.frame`, `_socket`, `_extensions` and `_sender` are ws internals (ws 8). Each is
 * checked before use: when one is missing or shaped differently (another ws version), every
 * frame goes through `ws.send` / `ws.ping` instead — the same bytes, at ws's own cost — and
 * the server says so once on stderr (docs/perf.md "What was made faster").
 */
import type { Socket } from 'node:net';
import WebSocket, * as wsModule from 'ws';

interface SenderStatic {
  frame(
    data: Buffer,
    options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean },
  ): Buffer[];
}

/** ws internals we rely on (ws 8; their shape is checked before use: usableInternals). */
interface WsInternals {
  _socket: Socket | null;
  _extensions: Record<string, unknown>;
  _sender: { _state: number; _queue: unknown[] } | undefined;
}

const Sender = (wsModule as unknown as { Sender?: Partial<SenderStatic> }).Sender;
const canFrame = typeof Sender?.frame === 'function';
let warned = false;

/** Say once per process that prebuilt frames are off, and why. */
function warnFallback(what: string): void {
  if (warned) return;
  warned = true;
  console.warn(
    `pushbench: ws internals changed (${what}); WebSocket broadcasts go through ws.send, one frame per peer`,
  );
}

if (!canFrame) warnFallback('ws.Sender.frame is not a function');

/** Build a frame with ws's own framing, or null when ws does not offer it. */
function frame(data: Buffer, opcode: number, readOnly: boolean): Buffer | null {
  if (!canFrame) return null;
  const parts = (Sender as SenderStatic).frame(data, {
    fin: true,
    opcode,
    mask: false,
    readOnly,
    rsv1: false,
  });
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
const OPCODE_TEXT = 1;
const OPCODE_PING = 9;
const SENDER_IDLE = 0;
const OPEN = WebSocket.OPEN;

/** A text message ready to be written to many sockets. */
export interface PreparedFrame {
  payload: Buffer;
  /** The complete unmasked frame: header and payload in one Buffer (null: ws.send frames it). */
  bytes: Buffer | null;
}

/** Build the unmasked server→client text frame for `text` once. */
export function prepareText(text: string): PreparedFrame {
  const payload = Buffer.from(text);
  return { payload, bytes: frame(payload, OPCODE_TEXT, true) };
}

/** The unmasked server→client ping with an empty payload (2 bytes), built once for every ping. */
const PING_FRAME = frame(Buffer.alloc(0), OPCODE_PING, false);

/** What is off about ws's internals on this socket, or null when direct writes are safe. */
function internalsProblem(w: Partial<WsInternals>): string | null {
  const socket = w._socket as Partial<Socket> | null | undefined;
  if (!socket || typeof socket.write !== 'function') return 'ws._socket is not a socket';
  const ext = w._extensions;
  // A plain object of negotiated extensions; anything else (a Map, say) could hide one.
  if (typeof ext !== 'object' || ext === null || Object.getPrototypeOf(ext) !== Object.prototype)
    return 'ws._extensions is not a plain object';
  const sender = w._sender as Partial<NonNullable<WsInternals['_sender']>> | undefined;
  if (typeof sender !== 'object' || sender === null) return 'ws._sender is missing';
  if (typeof sender._state !== 'number' || !Array.isArray(sender._queue))
    return 'ws._sender has no numeric _state and _queue array';
  return null;
}

/**
 * The socket prepared frames may be written to directly, or null when ws must frame
 * each message itself (an extension was negotiated). Fixed at the handshake: cache it.
 */
export function directSocket(ws: WebSocket): Socket | null {
  if (!canFrame) return null;
  const w = ws as unknown as Partial<WsInternals>;
  const problem = internalsProblem(w);
  if (problem !== null) {
    warnFallback(problem);
    return null;
  }
  return Object.keys(w._extensions as object).length === 0 ? (w._socket as Socket) : null;
}

/**
 * Send a prepared frame to one peer (one direct write when safe, else ws.send); false when
 * not open. `socket` is directSocket(ws), computed once per peer.
 */
export function sendPrepared(
  ws: WebSocket,
  prepared: PreparedFrame,
  socket: Socket | null = directSocket(ws),
): boolean {
  if (ws.readyState !== OPEN) return false;
  if (prepared.bytes === null || !writeDirect(ws, prepared.bytes, socket))
    ws.send(prepared.payload, { binary: false });
  return true;
}

/**
 * Send prepared frames to one peer, in order: ONE direct write of all their bytes when safe,
 * else ws.send each; `done` once the last is written. False when not open.
 */
export function sendPreparedBatch(
  ws: WebSocket,
  frames: PreparedFrame[],
  socket: Socket | null,
  done?: () => void,
): boolean {
  if (ws.readyState !== OPEN) return false;
  if (frames.length === 0) {
    done?.();
    return true;
  }
  const bytes = frames.every((f) => f.bytes !== null) ? frames.map((f) => f.bytes as Buffer) : null;
  if (bytes !== null && socket !== null && senderIdle(ws)) {
    socket.write(bytes.length === 1 ? bytes[0] : Buffer.concat(bytes), done && (() => done()));
    return true;
  }
  frames.forEach((f, i) => {
    ws.send(f.payload, { binary: false }, i === frames.length - 1 && done ? () => done() : undefined);
  });
  return true;
}

/** Send an empty protocol ping: the prebuilt 2-byte frame when safe, else ws.ping(); false when not open. */
export function sendPing(ws: WebSocket, socket: Socket | null = directSocket(ws)): boolean {
  if (ws.readyState !== OPEN) return false;
  if (PING_FRAME === null || !writeDirect(ws, PING_FRAME, socket)) ws.ping();
  return true;
}

/**
 * Write a complete frame straight to the socket when ws would write synchronously itself.
 * `socket` non-null means directSocket checked the internals' shape for this ws.
 */
function writeDirect(ws: WebSocket, bytes: Buffer, socket: Socket | null): boolean {
  if (socket === null || !senderIdle(ws)) return false;
  socket.write(bytes);
  return true;
}

/** ws writes synchronously itself: nothing queued or being compressed in its Sender. */
function senderIdle(ws: WebSocket): boolean {
  const sender = (ws as unknown as WsInternals)._sender as NonNullable<WsInternals['_sender']>;
  return sender._state === SENDER_IDLE && sender._queue.length === 0;
}
