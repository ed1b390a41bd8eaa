/**
 * An SSE event's bytes, built once per message for every stream: the event text and
 * the same text already wrapped as one HTTP/1.1 chunk (`<hex length>\r\n…\r\n`), so
 * that a broadcast costs each stream a single `socket.write` of a shared Buffer —
 * byte for byte what `res.write(text)` would have sent, without Node formatting the
 * chunk header and issuing a four-part writev per stream.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface PreparedEvent {
  /** The event as is (a response without chunked encoding, e.g. to an HTTP/1.0 client). */
  raw: Buffer;
  /** The event as one chunk of a chunked response. */
  chunked: Buffer;
}

/** Prepare `text` (one or more complete events) for many streams. */
export function prepareEvent(text: string): PreparedEvent {
  const raw = Buffer.from(text);
  const chunked = Buffer.from(`${raw.length.toString(16)}\r\n${text}\r\n`);
  return { raw, chunked };
}

/**
 * Where prepared events may be written directly: the response's socket once its head
 * went out and nothing of it is queued (always so right after the first res.write of
 * a response that owns its socket); null otherwise (then res.write is used).
 */
export function directStreamSocket(res: ServerResponse): Socket | null {
  const socket = res.socket;
  if (!socket || !res.headersSent || res.writableLength !== socket.writableLength) return null;
  return socket;
}

/** Write a prepared event to one stream (`socket` = directStreamSocket(res), computed once). */
export function writeEvent(res: ServerResponse, socket: Socket | null, event: PreparedEvent): void {
  if (socket !== null) socket.write(res.chunkedEncoding ? event.chunked : event.raw);
  else res.write(event.raw);
}
