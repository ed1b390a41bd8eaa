/**
 * Poll answers (`PollResponse` JSON) built from the source's pre-serialized
 * envelopes and cached per (since[, client]) until the window moves (next
 * message or eviction): a thousand pollers asking "after 41" cost one build.
 */
import type { MessageSource, Slice } from './source.ts';

export interface PollAnswer {
  body: string;
  /** Envelopes in the answer. */
  count: number;
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
