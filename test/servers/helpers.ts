/** Test helpers for servers: real sockets on 127.0.0.1, bounded waits, everything closable. */
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import type { ServerOptions } from '../../servers/app.ts';
import { type RunningServer, startServer } from '../../servers/app.ts';

/** Parsed JSON in tests: shapes are asserted, not typed. */
// biome-ignore lint/suspicious/noExplicitAny: test-only alias for parsed JSON
export type Json = any;

/** Start a server on port 0 with the generator off. */
export function testServer(options: ServerOptions = {}): Promise<RunningServer> {
  return startServer({ port: 0, ratePerS: 0, ...options });
}

/** Resolve when cond() holds; reject after timeoutMs (checked every 5 ms). */
export async function waitUntil(cond: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** GET on a fresh connection (closed after the answer) and parse JSON (status + body). */
export function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** A WebSocket client that records parsed messages. */
export class WsPeer {
  readonly messages: Json[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  readonly opened: Promise<void>;

  constructor(
    url: string,
    readonly ws = new WebSocket(url, { autoPong: true }),
  ) {
    this.ws.on('message', (d) => this.messages.push(JSON.parse(d.toString())));
    this.ws.on('error', () => {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  /** Envelopes only (no control messages). */
  envelopes(): Json[] {
    return this.messages.filter((m) => m.type === undefined);
  }

  async waitFor(pred: (m: Json[]) => boolean, timeoutMs = 3_000): Promise<void> {
    await waitUntil(() => pred(this.messages), timeoutMs, 'websocket messages');
  }

  close(): void {
    this.ws.terminate();
  }
}

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** A minimal SSE reader on http.get that parses events. */
export class SseReader {
  readonly events: SseEvent[] = [];
  raw = '';
  ended = false;
  status = 0;
  readonly req: http.ClientRequest;
  readonly response: Promise<http.IncomingMessage>;
  private buf = '';

  constructor(url: string, headers: Record<string, string> = {}) {
    this.req = http.get(url, { headers, agent: false });
    this.req.on('error', () => {});
    this.response = new Promise((resolve) =>
      this.req.once('response', (res) => {
        this.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.feed(chunk));
        res.on('end', () => {
          this.ended = true;
        });
        res.on('error', () => {});
        resolve(res);
      }),
    );
  }

  envelopes(): Json[] {
    return this.events.filter((e) => e.event === undefined).map((e) => JSON.parse(e.data));
  }

  async waitFor(pred: (e: SseEvent[]) => boolean, timeoutMs = 3_000): Promise<void> {
    await waitUntil(() => pred(this.events), timeoutMs, 'sse events');
  }

  close(): void {
    this.req.destroy();
  }

  private feed(chunk: string): void {
    this.raw += chunk;
    this.buf += chunk;
    let i = this.buf.indexOf('\n\n');
    while (i >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      const ev: SseEvent = { data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        const [field, ...rest] = line.split(': ');
        const value = rest.join(': ');
        if (field === 'id') ev.id = value;
        else if (field === 'event') ev.event = value;
        else if (field === 'data') {
          ev.data = value;
          hasData = true;
        }
      }
      if (hasData) this.events.push(ev);
      i = this.buf.indexOf('\n\n');
    }
  }
}

/** Send raw request bytes on a fresh TCP socket; resolve with everything read once the server closes. */
export function rawExchange(
  port: number,
  request: string,
): Promise<{ response: string; bytesWritten: number; bytesRead: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let response = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      response += d;
    });
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({ response, bytesWritten: socket.bytesWritten, bytesRead: socket.bytesRead }),
    );
  });
}
