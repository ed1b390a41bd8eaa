/**
 * Reading a target's messages through JSON pointers (RFC 6901): `seq` (a whole number, or a
 * string of one), `t` (publish time, epoch ms) and optionally `data` (the payload; absent: the
 * whole message text is the payload). A message they cannot read is counted `unparsed` with
 * its first example kept (results.json `delivery.unparsed`, docs/targets.md).
 */
import type { Envelope } from '../../core/types.ts';

/** "/a/b~1c" → ['a', 'b/c']; throws a TypeError for a pointer that is not "" or starts without "/". */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new TypeError(`JSON pointer must start with "/": ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function at(value: unknown, tokens: string[]): unknown {
  let v = value;
  for (const t of tokens) {
    if (Array.isArray(v)) {
      if (!/^(0|[1-9]\d*)$/.test(t)) return undefined;
      v = v[Number(t)];
    } else if (typeof v === 'object' && v !== null && Object.hasOwn(v, t)) {
      v = (v as Record<string, unknown>)[t];
    } else return undefined;
  }
  return v;
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

export class MessageReader {
  private readonly seq: string[];
  private readonly t: string[];
  private readonly data: string[] | undefined;

  constructor(pointers: { seq: string; t: string; data?: string }) {
    this.seq = parsePointer(pointers.seq);
    this.t = parsePointer(pointers.t);
    this.data = pointers.data === undefined ? undefined : parsePointer(pointers.data);
  }

  /** The envelope in `text`, or undefined when it is not JSON or a pointer finds no usable value. */
  read(text: string): Envelope | undefined {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    return this.readValue(value, text);
  }

  /** The envelope in an already parsed value (`text`: its source, the payload when there is no data pointer). */
  readValue(value: unknown, text?: string): Envelope | undefined {
    const seq = asNumber(at(value, this.seq));
    const t = asNumber(at(value, this.t));
    if (seq === undefined || !Number.isSafeInteger(seq) || seq < 1 || t === undefined) return undefined;
    let data: string;
    if (this.data === undefined) data = text ?? JSON.stringify(value);
    else {
      const d = at(value, this.data);
      if (d === undefined) return undefined;
      data = typeof d === 'string' ? d : JSON.stringify(d);
    }
    return { seq, t, data };
  }
}
