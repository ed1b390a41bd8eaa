/**
 * Poll answers (`PollResponse` JSON) built from the source's pre-serialized
 * envelopes and cached per (since[, client]) until the window moves (next
 * message or eviction): a thousand pollers asking "after 41" cost one build.
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

/** Send a poll answer as JSON, gzipped when the server compresses and the client accepts it. */
export function sendAnswer(reply: FastifyReply, answer: PollAnswer, gzip: boolean): FastifyReply {
  reply.type('application/json; charset=utf-8');
  if (!gzip) return reply.send(answer.body);
  answer.gzipped ??= gzipSync(answer.body);
  return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(answer.gzipped);
}

const MAX_CACHED = 1_024;

/** Serialize a slice as a PollResponse without re-serializing the envelopes. */
export function pollBody(slice: Slice): string {
  const { info, entries } = slice;
  let body = '{"messages":[';
  for (let i = 0; i < entries.length; i++) body += (i ? ',' : '') + entries[i].json;
  body += `],"lastSeq":${info.lastSeq},"oldestSeq":${info.oldestSeq}`;
  if (info.gap) body += `,"gap":{"from":${info.gap.from},"to":${info.gap.to}}`;
  return body + '}';
}

export class PollAnswers {
  private readonly cache = new Map<string, PollAnswer>();
  private cachedLast = -1;
  private cachedOldest = -1;

  constructor(private readonly source: MessageSource) {}

  /** The answer for a client polling after `since` (undefined: subscribe, no backlog). */
  answer(since: number | undefined, client: string): PollAnswer {
    const last = this.source.lastSeq;
    const oldest = this.source.oldestSeq;
    if (last !== this.cachedLast || oldest !== this.cachedOldest || this.cache.size >= MAX_CACHED) {
      this.cache.clear();
      this.cachedLast = last;
      this.cachedOldest = oldest;
    }
    // Addressed messages in the window make answers differ per client.
    const key = this.source.hasAddressed ? `${since ?? '-'}|${client}` : `${since ?? '-'}`;
    let hit = this.cache.get(key);
    if (!hit) {
      const slice = this.source.slice(since, client);
      hit = { body: pollBody(slice), count: slice.entries.length };
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** True when a poll after `since` would return at least one message for client. */
  hasMessages(since: number | undefined, client: string): boolean {
    return this.answer(since, client).count > 0;
  }
}
