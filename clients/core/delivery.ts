/**
 * The delivery rules every client kind shares, written once (docs/clients.md, "One delivery
 * core"): the subscribe point, dedupe and out-of-order counting (SeqWindow), steady vs recovered,
 * gaps and source restarts announced by resume info, the resume point, and when a reconnect is
 * caught up. Platform-free: no Node or browser API, no clock (every call gets its `atMs`), and the
 * payload's byte length comes from the caller (Buffer.byteLength in Node, a counting loop in the
 * page). The Node clients (clients/client.ts) import it; the browser page and the Artillery
 * processor get it bundled by esbuild (clients/core/bundle.ts), never as a copy.
 */
import { SeqWindow } from './seq-window.ts';

/** The counters the core keeps (a subset of a client's stats object, updated in place). */
export interface DeliveryStats {
  /** lastSeq of the first hello / first poll answer. */
  subscribedAfterSeq?: number;
  /** Highest seq s such that all of the client's seqs ≤ s were received or counted lost. */
  highWaterSeq: number;
  /** Highest seq seen (the window's max). */
  lastSeq: number;
  delivered: number;
  recovered: number;
  duplicates: number;
  outOfOrder: number;
  gapsLost: number;
  payloadBytes: number;
}

/** Resume info as the core reads it (a hello, a poll answer: core/types.ts ResumeInfo). */
export interface ResumePoint {
  lastSeq: number;
  gap?: { from: number; to: number };
  lastForClient?: number;
}

/** An envelope as the core reads it (core/types.ts Envelope). */
export interface EnvelopeLike {
  seq: number;
  t: number;
  data: string;
  to?: string;
}

/** Errors the core counts (the caller's error counter; names as in docs/clients.md). */
export type DeliveryError = 'message-before-hello' | 'bad-envelope' | 'misaddressed' | 'source-reset';

/**
 * What became of one envelope: 'steady' / 'recovered' were delivered (recovered: published
 * before the connection that brought it opened), 'duplicate' was counted as a repeat,
 * 'rejected' was counted as an error (no hello yet, malformed, addressed to another client).
 */
export type Verdict = 'steady' | 'recovered' | 'duplicate' | 'rejected';

export interface DeliveryHooks<E> {
  /** UTF-8 bytes of a payload. */
  byteLength(text: string): number;
  countError(kind: DeliveryError): void;
  /** The reconnect `event` given to awaitCatchUp() is caught up, at `atMs`. */
  caughtUp?(event: E, atMs: number): void;
}

/** What open() did: subscribed (the first connection) or resumed, and seqs a gap counted lost. */
export interface Opened {
  resumed: boolean;
  gapLost: number;
}

export class DeliveryCore<E = unknown> {
  private readonly id: string;
  private readonly stats: DeliveryStats;
  private readonly hooks: DeliveryHooks<E>;
  private readonly windowSeqs: number | undefined;
  private window: SeqWindow | undefined;
  /** Deliveries with seq ≤ this were published before the latest (re)open: recovered. */
  private recoverUpToSeq = 0;
  private catchUp: { seq: number; event: E } | undefined;
  /**
   * A connection without hello (a target, openWithoutHello): the window starts at the first
   * message, and after a reopen a delivery published (`t`) before the reopen is recovered; the
   * first one published after it means the backlog is in (ordered streams).
   */
  private byTime = false;
  private recoverBeforeMs = Number.NEGATIVE_INFINITY;

  /** `id`: the client's id (addressed envelopes for another id are misaddressed). */
  constructor(id: string, stats: DeliveryStats, hooks: DeliveryHooks<E>, windowSeqs?: number) {
    this.id = id;
    this.stats = stats;
    this.hooks = hooks;
    this.windowSeqs = windowSeqs;
  }

  /** A first hello / answer arrived: deliveries count from now on. */
  get subscribed(): boolean {
    return this.window !== undefined;
  }

  /** Highest seq seen or settled by a gap (the subscribe point before any). */
  get maxSeq(): number {
    return this.window ? this.window.maxSeq : 0;
  }

  /** Resume point for the next connection (`since` / Last-Event-ID): undefined before subscribing. */
  resumeSeq(): number | undefined {
    return this.window === undefined ? undefined : this.stats.highWaterSeq;
  }

  /** The hello / first answer of a connection: subscribe (the first time) or resume. */
  open(info: ResumePoint): Opened {
    if (this.window === undefined) {
      this.subscribe(info.lastSeq);
      return { resumed: false, gapLost: 0 };
    }
    const gapLost = this.applyResumeInfo(info);
    this.recoverUpToSeq = info.lastSeq;
    return { resumed: true, gapLost };
  }

  /**
   * A connection without hello is up (docs/targets.md "What is measured"): the first one
   * subscribes at its first message; a reopen (`event`: its reconnect event) recovers what was
   * published before `atMs` and is caught up at the first delivery published after it.
   */
  openWithoutHello(atMs: number, event?: E): void {
    this.byTime = true;
    if (event === undefined) return;
    this.recoverBeforeMs = atMs;
    this.catchUp = { seq: Number.POSITIVE_INFINITY, event };
  }

  /** A steady-state answer with resume info (every poll answer): gaps, source restarts. */
  answer(info: ResumePoint): void {
    if (this.window) this.applyResumeInfo(info);
  }

  /** An envelope arrived (any order, maybe a repeat) at `atMs`. */
  deliver(env: EnvelopeLike, atMs: number): Verdict {
    if (this.window === undefined) {
      if (!this.byTime || !Number.isSafeInteger(env.seq) || env.seq < 1) {
        this.hooks.countError(this.byTime ? 'bad-envelope' : 'message-before-hello');
        return 'rejected';
      }
      this.subscribe(env.seq - 1);
    }
    const window = this.window!;
    if (!Number.isSafeInteger(env.seq) || typeof env.t !== 'number' || typeof env.data !== 'string') {
      this.hooks.countError('bad-envelope');
      return 'rejected';
    }
    if (env.to !== undefined && env.to !== this.id) {
      this.hooks.countError('misaddressed');
      return 'rejected';
    }
    const seen = window.accept(env.seq);
    const s = this.stats;
    if (seen === 'duplicate') {
      s.duplicates++;
      return 'duplicate';
    }
    if (seen === 'out-of-order') s.outOfOrder++;
    else if (env.seq > s.highWaterSeq) s.highWaterSeq = env.seq;
    s.delivered++;
    s.lastSeq = window.maxSeq;
    s.payloadBytes += this.hooks.byteLength(env.data);
    const recovered = this.byTime ? env.t < this.recoverBeforeMs : env.seq <= this.recoverUpToSeq;
    if (recovered) s.recovered++;
    if (this.catchUp) {
      if (!this.byTime) this.checkCaughtUp(atMs);
      else if (!recovered) {
        const { event } = this.catchUp;
        this.catchUp = undefined;
        this.hooks.caughtUp?.(event, atMs);
      }
    }
    return recovered ? 'recovered' : 'steady';
  }

  /** Everything for this client up to `seq` was received or counted (a poll answer's lastSeq). */
  advanceTo(seq: number, atMs: number): void {
    if (seq > this.stats.highWaterSeq) this.stats.highWaterSeq = seq;
    if (this.catchUp) this.checkCaughtUp(atMs);
  }

  /**
   * A resumed connection's `event` is caught up once highWaterSeq reaches the reopen's last seq
   * for this client (addressed: lastForClient, the server's own last seq for it); maybe at once.
   */
  awaitCatchUp(info: ResumePoint, event: E, atMs: number): void {
    this.catchUp = { seq: info.lastForClient ?? info.lastSeq, event };
    this.checkCaughtUp(atMs);
  }

  /** The connection was lost: no catch-up pending; returns the resume point it leaves. */
  lost(): number {
    this.catchUp = undefined;
    return this.stats.highWaterSeq;
  }

  private subscribe(lastSeq: number): void {
    const s = this.stats;
    s.subscribedAfterSeq = lastSeq;
    s.highWaterSeq = lastSeq;
    s.lastSeq = lastSeq;
    this.recoverUpToSeq = lastSeq;
    this.window = new SeqWindow(lastSeq, this.windowSeqs);
  }

  /** Source restarts and gaps announced by resume info; returns the seqs counted lost. */
  private applyResumeInfo(info: ResumePoint): number {
    const s = this.stats;
    const window = this.window!;
    if (info.lastSeq < s.highWaterSeq) {
      // The source restarted (seqs went backwards): start over after its lastSeq.
      this.hooks.countError('source-reset');
      window.reset(info.lastSeq);
      s.highWaterSeq = info.lastSeq;
    }
    const gap = info.gap;
    if (!gap || gap.to < gap.from) return 0;
    const lost = gap.to - gap.from + 1;
    s.gapsLost += lost;
    window.skipTo(gap.to);
    if (gap.to > s.highWaterSeq) s.highWaterSeq = gap.to;
    return lost;
  }

  private checkCaughtUp(atMs: number): void {
    const c = this.catchUp!;
    if (this.stats.highWaterSeq < c.seq) return;
    this.catchUp = undefined;
    this.hooks.caughtUp?.(c.event, atMs);
  }
}

/** A payload's UTF-8 length without allocating (what Buffer.byteLength counts), for platforms without Buffer. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
