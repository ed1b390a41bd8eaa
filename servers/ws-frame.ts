/**
 * Broadcast a WebSocket text message built once: `Sender.frame` makes the header, and
 * header + payload are joined into ONE Buffer per message. Each peer then costs a single
 * `socket.write(bytes)` of that shared Buffer — no per-peer encoding, framing, cork /
 * uncork or writev array (ws's own `send` does all four for every peer). This is only
 * done when ws would write synchronously itself (OPEN, no extension such as
 * permessage-deflate, no queued / compressing frame), so the bytes on the wire and
 * their order are exactly what `ws.send` would produce; otherwise it falls back to
 * `ws.send`. The server's protocol ping (empty payload) is prebuilt the same way.
 */
import type { Socket } from 'node:net';
import WebSocket, * as wsModule from 'ws';

interface SenderStatic {
  frame(
    data: Buffer,
    options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean },
  ): Buffer[];
}

/** ws internals we rely on (stable across ws 8; checked before use). */
interface WsInternals {
  _socket: Socket | null;
  _extensions: Record<string, unknown>;
  _sender: { _state: number; _queue: unknown[] } | undefined;
}

const Sender = (wsModule as unknown as { Sender: SenderStatic }).Sender;
const OPCODE_TEXT = 1;
const OPCODE_PING = 9;
const SENDER_IDLE = 0;
const OPEN = WebSocket.OPEN;

/** A text message ready to be written to many sockets. */
export interface PreparedFrame {
  payload: Buffer;
  /** The complete unmasked frame: header and payload in one Buffer. */
  bytes: Buffer;
}

/** Build the unmasked server→client text frame for `text` once. */
export function prepareText(text: string): PreparedFrame {
  const payload = Buffer.from(text);
  const frame = Sender.frame(payload, {
    fin: true,
    opcode: OPCODE_TEXT,
    mask: false,
    readOnly: true,
    rsv1: false,
  });
  return { payload, bytes: frame.length === 1 ? frame[0] : Buffer.concat(frame) };
}

/** The unmasked server→client ping with an empty payload (2 bytes), built once for every ping. */
const PING_FRAME = Buffer.concat(
  Sender.frame(Buffer.alloc(0), {
    fin: true,
    opcode: OPCODE_PING,
    mask: false,
    readOnly: false,
    rsv1: false,
  }),
);

/**
 * The socket prepared frames may be written to directly, or null when ws must frame
 * each message itself (an extension was negotiated). Fixed at the handshake: cache it.
 */
export function directSocket(ws: WebSocket): Socket | null {
  const w = ws as unknown as WsInternals;
  return w._socket && Object.keys(w._extensions).length === 0 ? w._socket : null;
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
  if (!writeDirect(ws, prepared.bytes, socket)) ws.send(prepared.payload, { binary: false });
  return true;
}

/** Send an empty protocol ping: the prebuilt 2-byte frame when safe, else ws.ping(); false when not open. */
export function sendPing(ws: WebSocket, socket: Socket | null = directSocket(ws)): boolean {
  if (ws.readyState !== OPEN) return false;
  if (!writeDirect(ws, PING_FRAME, socket)) ws.ping();
  return true;
}

/** Write a complete frame straight to the socket when ws would write synchronously itself. */
function writeDirect(ws: WebSocket, bytes: Buffer, socket: Socket | null): boolean {
  const sender = (ws as unknown as WsInternals)._sender;
  if (socket === null || sender === undefined || sender._state !== SENDER_IDLE || sender._queue.length > 0) {
    return false;
  }
  socket.write(bytes);
  return true;
}
