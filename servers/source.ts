/**
 * The message source every server reads from: strictly increasing `seq`, publish
 * time `t` (epoch ms with sub-ms fraction), optional `to`, a bounded retention
 * window (by count and by age) with an O(1) "everything after seq N" lookup (seqs
 * are contiguous, so the index is arithmetic), and an all-time `countFor` index.
 * Each envelope is serialized to JSON once, here; servers reuse that string.
 * Emits 'message' (env: Envelope, json: string) after the envelope is retained.
 */
import { EventEmitter } from 'node:events';
import { nowMs } from '../core/clock.ts';
import { SERVER_DEFAULTS } from '../core/defaults.ts';
import type { Envelope, PollResponse, ResumeInfo } from '../core/types.ts';
import { Pacer, type PacerStats, type Pattern } from './pacer.ts';
import type { PayloadKind } from './payloads.ts';
import { SeqIndex } from './seq-index.ts';

export interface SourceOptions {
  ratePerS: number;
  sizeBytes: number;
  pattern: Pattern;
  burstSize: number;
  retentionCount: number;
  retentionMs: number;
  /** The retained envelopes' JSON characters at most (the newest message is always kept). */
  retentionBytes: number;
  seed?: number;
  payload?: PayloadKind;
}

/** A retained message and its JSON (serialized once). */
export interface Entry {
  env: Envelope;
  json: string;
}

/** The messages after a seq for one client, plus where the window stands. */
export interface Slice {
  info: ResumeInfo;
  entries: Entry[];
}

/** Compact the retention array once this many evicted slots pile up at its head. */
const COMPACT_AT = 1024;

export class MessageSource extends EventEmitter {
  private readonly opts: SourceOptions;
  private readonly entries: Entry[] = [];
  private head = 0;
  private seq = 0;
  private addressedRetained = 0;
  private retainedChars = 0;
  private readonly index = new SeqIndex();
  private readonly pacer: Pacer;
  private addressedIds: string[] | null = null;
  private roundRobin = 0;

  constructor(opts: Partial<SourceOptions> = {}) {
    super();
    this.opts = {
      ratePerS: SERVER_DEFAULTS.ratePerS,
      sizeBytes: SERVER_DEFAULTS.sizeBytes,
      pattern: SERVER_DEFAULTS.pattern,
      burstSize: SERVER_DEFAULTS.burstSize,
      retentionCount: SERVER_DEFAULTS.retentionCount,
      retentionMs: SERVER_DEFAULTS.retentionMs,
      retentionBytes: SERVER_DEFAULTS.retentionBytes,
      payload: SERVER_DEFAULTS.payload,
      seed: 1,
      ...opts,
    };
    this.setMaxListeners(0);
    this.pacer = new Pacer({ ...this.opts, seed: this.opts.seed ?? 1 }, (data, scheduledAtMs) =>
      this.publish(data, { to: this.nextPacedTarget(), t: scheduledAtMs }),
    );
  }

  /**
   * Append a message (broadcast, or addressed with `to`) and emit it. `t` defaults to now;
   * the pacer passes the message's scheduled time (docs/wire.md "Envelope").
   */
  publish(data: string, opts: { to?: string; t?: number } = {}): Envelope {
    const t = opts.t ?? nowMs();
    const env: Envelope =
      opts.to === undefined ? { seq: ++this.seq, t, data } : { seq: ++this.seq, t, to: opts.to, data };
    const entry: Entry = { env, json: JSON.stringify(env) };
    this.entries.push(entry);
    this.retainedChars += entry.json.length;
    if (env.to !== undefined) this.addressedRetained++;
    this.index.add(env.seq, env.to);
    this.prune(nowMs());
    this.emit('message', env, entry.json);
    return env;
  }

  /** Start the pacer (no-op when ratePerS is 0 or already running). */
  startPacer(): void {
    this.pacer.start();
  }

  stopPacer(): void {
    this.pacer.stop();
  }

  /** How the pacer kept its schedule: scheduled, published, rate, worst lag. */
  pacerStats(): PacerStats {
    return this.pacer.stats();
  }

  get pacing(): boolean {
    return this.pacer.running;
  }

  /** Generated messages go round-robin to these ids; null = broadcast. */
  setAddressedClients(ids: string[] | null): void {
    this.addressedIds = ids && ids.length > 0 ? [...ids] : null;
    this.roundRobin = 0;
  }

  get lastSeq(): number {
    return this.seq;
  }

  get oldestSeq(): number {
    this.prune(nowMs());
    return this.head < this.entries.length ? this.entries[this.head].env.seq : this.seq + 1;
  }

  /** Messages currently retained. */
  get retained(): number {
    this.prune(nowMs());
    return this.entries.length - this.head;
  }

  /** JSON characters of the retained messages (at most retentionBytes, or the newest message). */
  get retainedBytes(): number {
    this.prune(nowMs());
    return this.retainedChars;
  }

  /** True when some retained message is addressed (answers then differ per client). */
  get hasAddressed(): boolean {
    return this.addressedRetained > 0;
  }

  /** Messages for that client (broadcast or `to` = client; every message when client is undefined) after seq. */
  since(afterSeq: number | undefined, client?: string): PollResponse {
    const { info, entries } = this.slice(afterSeq, client);
    return { messages: entries.map((e) => e.env), ...info };
  }

  /** Like since() but with the serialized JSON of each message. */
  slice(afterSeq: number | undefined, client?: string): Slice {
    const oldestSeq = this.oldestSeq;
    const info: ResumeInfo = { lastSeq: this.seq, oldestSeq };
    if (afterSeq === undefined || afterSeq >= this.seq) return { info, entries: [] };
    if (afterSeq + 1 < oldestSeq) info.gap = { from: afterSeq + 1, to: oldestSeq - 1 };
    const first = this.head + Math.max(0, afterSeq + 1 - oldestSeq);
    const all = this.entries.slice(first);
    if (client === undefined || this.addressedRetained === 0) return { info, entries: all };
    return { info, entries: all.filter((e) => e.env.to === undefined || e.env.to === client) };
  }

  /** Messages addressed to client (or broadcast) with afterSeq < seq <= upToSeq, for any seq ever published. */
  countFor(client: string, afterSeq: number, upToSeq: number): number {
    return this.index.count(client, afterSeq, upToSeq);
  }

  /** The last seq <= upToSeq that `client` should hold (broadcast or addressed to it); 0 when none. */
  lastFor(client: string, upToSeq: number): number {
    return this.index.lastFor(client, upToSeq);
  }

  /**
   * The hello's `lastForClient` (docs/wire.md): the last seq so far meant for `client`, once any
   * message was addressed; {} while everything is broadcast (then it is `lastSeq`).
   */
  helloExtra(client: string | undefined): { lastForClient?: number } {
    if (client === undefined || !this.index.hasAddressed) return {};
    return { lastForClient: this.index.lastFor(client, this.seq) };
  }

  private nextPacedTarget(): string | undefined {
    if (!this.addressedIds) return undefined;
    return this.addressedIds[this.roundRobin++ % this.addressedIds.length];
  }

  /** Drop messages beyond retentionCount or retentionBytes, or older than retentionMs. */
  private prune(now: number): void {
    const minT = now - this.opts.retentionMs;
    while (
      this.head < this.entries.length &&
      (this.entries.length - this.head > this.opts.retentionCount ||
        this.entries[this.head].env.t < minT ||
        (this.retainedChars > this.opts.retentionBytes && this.head < this.entries.length - 1))
    ) {
      const gone = this.entries[this.head];
      if (gone.env.to !== undefined) this.addressedRetained--;
      this.retainedChars -= gone.json.length;
      this.entries[this.head] = undefined as unknown as Entry;
      this.head++;
    }
    if (this.head >= COMPACT_AT && this.head * 2 >= this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }
}
