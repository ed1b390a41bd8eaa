/**
 * A raw HTTP/1.1 exchange over one TCP socket, for the soak's bad inputs: the request goes out
 * byte for byte as given (a malformed URL like `//[`, a body sent slowly, a header too large),
 * which fetch would refuse or fix. Reads one answer: status, headers, body (content-length,
 * chunked or until close). Always bounded by `timeoutMs`; the socket is destroyed at the end.
 */
import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  host: string;
  port: number;
  /** The request bytes (head and body), or pieces sent `pieceEveryMs` apart (a slow body). */
  data: string | Buffer | Array<string | Buffer>;
  pieceEveryMs?: number;
  timeoutMs: number;
}

/** Send the request and read one answer; `null` when none came within timeoutMs (or the peer closed first). */
export function rawHttp(req: RawRequest): Promise<RawAnswer | { closed: true; afterMs: number } | null> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host: req.host, port: req.port });
    let buf = Buffer.alloc(0);
    let pieceTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (v: RawAnswer | { closed: true; afterMs: number } | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(pieceTimer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish(null), req.timeoutMs);
    socket.on('error', () => finish(parse(buf, true) ?? { closed: true, afterMs: Date.now() - started }));
    socket.on('close', () => finish(parse(buf, true) ?? { closed: true, afterMs: Date.now() - started }));
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const answer = parse(buf, false);
      if (answer) finish(answer);
    });
    socket.on('connect', () => {
      const pieces = Array.isArray(req.data) ? [...req.data] : [req.data];
      const next = () => {
        const piece = pieces.shift();
        if (piece === undefined || settled) return;
        socket.write(piece);
        if (pieces.length) pieceTimer = setTimeout(next, req.pieceEveryMs ?? 0);
      };
      next();
    });
  });
}

/** A complete answer in `buf`, or null (incomplete). `ended`: the peer closed, take what is there. */
function parse(buf: Buffer, ended: boolean): RawAnswer | null {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const [statusLine, ...lines] = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const rest = buf.subarray(headEnd + 4);
  if (headers['content-length'] !== undefined) {
    const len = Number(headers['content-length']);
    if (rest.length < len && !ended) return null;
    return { status, headers, body: rest.subarray(0, len).toString('utf8') };
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const body = dechunk(rest);
    if (body === null) return ended ? { status, headers, body: rest.toString('utf8') } : null;
    return { status, headers, body };
  }
  // 1xx/204/304 and upgrade refusals without a length: the head is the answer.
  if (status === 101 || status === 204 || status === 304 || ended) {
    return { status, headers, body: rest.toString('utf8') };
  }
  return null;
}

/** The body of a complete chunked encoding, or null when the last chunk has not arrived. */
function dechunk(b: Buffer): string | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = b.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(b.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return null;
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    if (b.length < lineEnd + 2 + size + 2) return null;
    parts.push(b.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
