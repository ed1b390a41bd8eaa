/**
 * Broadcast a WebSocket text message built once: `Sender.frame` makes the header
 * and we write the same [header, payload] Buffers to every peer's socket, exactly
 * as ws's own `Sender.sendFrame` does (cork, write, write, uncork). This is only
 * done when ws would write synchronously itself (OPEN, no permessage-deflate, no
 * queued/compressing frame), so byte counts and ordering are unchanged; otherwise
 * it falls back to `ws.send`.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import * as wsModule from 'ws';

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
const SENDER_IDLE = 0;

/** A text message ready to be written to many sockets. */
export interface PreparedFrame {
  payload: Buffer;
  frame: Buffer[];
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
  return { payload, frame };
}

/** Send a prepared frame to one peer (direct write when safe, else ws.send); false when not open. */
export function sendPrepared(ws: WebSocket, prepared: PreparedFrame): boolean {
  if (ws.readyState !== ws.OPEN) return false;
  const w = ws as unknown as WsInternals;
  const socket = w._socket;
  const sender = w._sender;
  const direct =
    socket !== null &&
    sender !== undefined &&
    sender._state === SENDER_IDLE &&
    sender._queue.length === 0 &&
    Object.keys(w._extensions).length === 0;
  if (!direct) {
    ws.send(prepared.payload, { binary: false });
    return true;
  }
  socket.cork();
  for (const buf of prepared.frame) socket.write(buf);
  socket.uncork();
  return true;
}
