/**
 * Poll answers (`PollResponse` JSON) built from the source's pre-serialized
 * envelopes and cached per (since[, client]) until the window moves (next
 * message or eviction): a thousand pollers asking "after 41" cost one build.
 * The cache is bounded in bytes (`pollCacheBytes`, docs/servers.md): the oldest
 * answers go first, and an answer larger than a quarter of the budget is built
 * for its request and never kept, so many distinct (since, client) polls over a
 * large window cannot each pin a copy of it.
 */
import { gzipSync } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import type { MessageSource, Slice } from './source.ts';

export interface PollAnswer {
  body: string;
  /** Envelopes in the answer. */
  count: number;
  /** The body gzipped, built on first use (httpCompression) and cached with the answer. */
  gzipped?: Buffer;
  /** True while the answer is in the cache (its gzip is then booked against the budget). */
  cached?: boolean;
  /** The whole HTTP response of this answer, built on first use (long-poll.ts), per Date second. */
  wire?: WireAnswer;
}

/** One answer as node:http + fastify write it: status line and headers, then the body. */
export interface WireAnswer {
  /** The Date header's value it was built with. */
  date: string;
  keepAliveS: number;
  /** Status line and headers up to the blank line. */
  head: string;
  /** head + body, one Buffer for every response that sends it. */
  bytes: Buffer;
}

/**
 * The complete keep-alive 200 answer for `a`, byte for byte what fastify's reply.send with
 * poll-answer's content type and node:http write (lower-case headers set by fastify, then
 * node's Date, Connection and Keep-Alive). Rebuilt when the second (Date) or the keep-alive
 * timeout changes; shared by every response sending this answer in that second.
 */
export function buildWireAnswer(body: string, keepAliveS: number): WireAnswer {
  const date = utcDate();
  const payload = Buffer.from(body);
  const head =
    'HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\n' +
    `content-length: ${payload.length}\r\nDate: ${date}\r\nConnection: keep-alive\r\n` +
    `Keep-Alive: timeout=${keepAliveS}\r\n\r\n`;
  return { date, keepAliveS, head, bytes: Buffer.concat([Buffer.from(head, 'latin1'), payload]) };
}

let dateCache = '';
let dateSecond = -1;

/** The HTTP Date of now, as node:http writes it (one string per second). */
function utcDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateCache = new Date(second * 1000).toUTCString();
  }
  return dateCache;
}

/** True when an Accept-Encoding header value accepts gzip (q=0 refuses it). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') return false;
    return !params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p));
  });
}

const MAX_CACHED = 1_024;
/** An answer larger than this share of the budget is not cached. */
const LARGEST_SHARE = 4;

/** Serialize a slice as a PollResponse without re-serializing the envelopes. */
export function pollBody(slice: Slice): string {
  const { info, entries } = slice;
  let body = '{"messages":[';
  for (let i = 0; i < entries.length; i++) body += (i ? ',' : '') + entries[i].json;
  body += `],"lastSeq":${info.lastSeq},"oldestSeq":${info.oldestSeq}`;
  if (info.gap) body += `,"gap":{"from":${info.gap.from},"to":${info.gap.to}}`;
  return body + '}';
}

/** Bytes an answer holds (body characters, one byte each for ASCII JSON, plus its gzip). */
function answerBytes(a: PollAnswer): number {
  return a.body.length + (a.gzipped?.length ?? 0) + (a.wire?.bytes.length ?? 0);
}

export class PollAnswers {
  private readonly cache = new Map<string, PollAnswer>();
  private cachedLast = -1;
  private cachedOldest = -1;
  private cachedBytes = 0;

  /** budgetBytes: the most the cached answers may hold together. */
  constructor(
    private readonly source: MessageSource,
    private readonly budgetBytes = 32 * 1024 * 1024,
  ) {}

  /** Bytes the cached answers hold now (at most the budget). */
  get bytes(): number {
    return this.cachedBytes;
  }

  /** Answers cached now. */
  get size(): number {
    return this.cache.size;
  }

  /** Send a poll answer as JSON, gzipped when the server compresses and the client accepts it. */
  send(reply: FastifyReply, answer: PollAnswer, gzip: boolean): FastifyReply {
    reply.type('application/json; charset=utf-8');
    if (!gzip) return reply.send(answer.body);
    if (!answer.gzipped) {
      answer.gzipped = gzipSync(answer.body);
      if (answer.cached) {
        this.cachedBytes += answer.gzipped.length;
        this.trim();
      }
    }
    return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(answer.gzipped);
  }

  /**
   * The prebuilt keep-alive HTTP response of an answer (buildWireAnswer), kept with the answer
   * for the current second and booked against the budget while the answer is cached.
   */
  wire(answer: PollAnswer, keepAliveS: number): WireAnswer {
    const w = answer.wire;
    if (w && w.date === utcDate() && w.keepAliveS === keepAliveS) return w;
    const next = buildWireAnswer(answer.body, keepAliveS);
    if (answer.cached) this.cachedBytes += next.bytes.length - (w?.bytes.length ?? 0);
    answer.wire = next;
    if (answer.cached) this.trim();
    return next;
  }

  private clear(): void {
    for (const a of this.cache.values()) a.cached = false;
    this.cache.clear();
    this.cachedBytes = 0;
  }

  /** Drop the oldest answers until the cache fits its budget. */
  private trim(): void {
    for (const [key, a] of this.cache) {
      if (this.cachedBytes <= this.budgetBytes && this.cache.size <= MAX_CACHED) return;
      this.cache.delete(key);
      a.cached = false;
      this.cachedBytes -= answerBytes(a);
    }
  }

  /** The answer for a client polling after `since` (undefined: subscribe, no backlog). */
  answer(since: number | undefined, client: string): PollAnswer {
    const last = this.source.lastSeq;
    const oldest = this.source.oldestSeq;
    if (last !== this.cachedLast || oldest !== this.cachedOldest) {
      this.clear();
      this.cachedLast = last;
      this.cachedOldest = oldest;
    }
    // Addressed messages in the window make answers differ per client.
    const key = this.source.hasAddressed ? `${since ?? '-'}|${client}` : `${since ?? '-'}`;
    let hit = this.cache.get(key);
    if (!hit) {
      const slice = this.source.slice(since, client);
      hit = { body: pollBody(slice), count: slice.entries.length };
      if (hit.body.length <= this.budgetBytes / LARGEST_SHARE) {
        hit.cached = true;
        this.cache.set(key, hit);
        this.cachedBytes += hit.body.length;
        this.trim();
      }
    }
    return hit;
  }

  /** True when a poll after `since` would return at least one message for client. */
  hasMessages(since: number | undefined, client: string): boolean {
    return this.answer(since, client).count > 0;
  }
}
