/**
 * The server side of a run against a target (docs/targets.md): nothing is started. It checks
 * that the target answers (PB_TARGET_UNREACHABLE within seconds, naming the URL), publishes the
 * source's envelopes by POST to the publish URL at the source's rate (publish mode), samples the
 * server's CPU / RSS from /proc when a pid is given, and counts what each client should have
 * received: the seqs published after its first message, publishes that failed excluded.
 */
import net from 'node:net';
import { PushbenchError } from '../core/errors.ts';
import type { SourceFigures } from '../core/types.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { ScenarioTarget } from '../scenarios/target.ts';
import { Pacer } from '../servers/pacer.ts';
import { sampleProcessTree } from './proc-stats.ts';
import type { ServerSample } from './server-figures.ts';

/** How long the reachability check waits for a TCP connect. */
const CONNECT_TIMEOUT_MS = 3_000;
/** Envelopes waiting for their POST at most; a publish beyond that is skipped and counted failed. */
const MAX_QUEUED = 1_000;
/** A publish POST that takes longer fails. */
const PUBLISH_TIMEOUT_MS = 5_000;

export class TargetServer {
  readonly target: ScenarioTarget;
  private pacer: Pacer | undefined;
  private seq = 0;
  private readonly failed = new Set<number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly failures: Record<string, number> = {};
  private readonly queue: Array<{ seq: number; t: number; data: string }> = [];
  private sending: Promise<void> | undefined;

  constructor(private readonly scenario: Scenario) {
    this.target = scenario.target!;
  }

  get mode(): 'publish' | 'observe' {
    return this.target.publishUrl ? 'publish' : 'observe';
  }

  /** Resolves when the target accepts a TCP connection; PB_TARGET_UNREACHABLE otherwise. */
  async check(): Promise<void> {
    await reachable(this.target.url);
    if (this.target.publishUrl && new URL(this.target.publishUrl).host !== new URL(this.target.url).host) {
      await reachable(this.target.publishUrl);
    }
    if (this.target.pid !== undefined && !sampleProcessTree(this.target.pid)) {
      throw new PushbenchError('PB_BAD_OPTION', `target.pid: no process ${this.target.pid} on this machine`);
    }
  }

  /** CPU / RSS of the target's pid (and children) now; undefined without a pid. */
  sample(): ServerSample | undefined {
    if (this.target.pid === undefined) return undefined;
    const s = sampleProcessTree(this.target.pid);
    if (!s) return undefined;
    return {
      atMs: Date.now(),
      cpuUserMs: s.cpuUserMs,
      cpuSystemMs: s.cpuSystemMs,
      rssMB: s.rssMB,
      eventLoopP99Ms: 0,
      connections: 0,
    };
  }

  /** Publish mode: start POSTing envelopes at the source's rate. */
  start(): void {
    if (this.mode !== 'publish' || this.pacer) return;
    const src = this.scenario.source;
    this.pacer = new Pacer(
      {
        ratePerS: src.ratePerS,
        sizeBytes: src.sizeBytes,
        pattern: src.pattern,
        burstSize: src.burstSize,
        seed: this.scenario.seed,
        payload: src.payload,
      },
      (data, scheduledAtMs) => this.publish(data, scheduledAtMs),
    );
    this.pacer.start();
  }

  /** Stop publishing; resolves with the last seq published (and the pacer's schedule) once every POST settled. */
  async stop(): Promise<{ lastSeq: number; pacer?: SourceFigures }> {
    this.pacer?.stop();
    await Promise.allSettled([...this.inFlight]);
    return { lastSeq: this.seq, ...(this.pacer ? { pacer: this.pacer.stats() } : {}) };
  }

  /** Publishes that failed, by reason ('http-500', 'ECONNREFUSED', 'timeout', 'overload'). */
  get publishFailures(): Record<string, number> {
    return { ...this.failures };
  }

  /** Seqs in (afterSeq, upToSeq] that were published (a failed POST published nothing). */
  expected(afterSeq: number, upToSeq: number): number {
    let n = Math.max(0, upToSeq - afterSeq);
    for (const s of this.failed) if (s > afterSeq && s <= upToSeq) n--;
    return n;
  }

  /**
   * Envelopes go out one POST at a time, in seq order (parallel POSTs can overtake each other
   * and the server would publish them out of order); `t` is the scheduled publish time, so a
   * slow publish endpoint shows in the latency rather than hiding (coordinated omission).
   */
  private publish(data: string, t: number): void {
    const seq = ++this.seq;
    if (this.queue.length >= MAX_QUEUED) {
      this.fail(seq, 'overload');
      return;
    }
    this.queue.push({ seq, t, data });
    if (this.sending) return;
    const p = this.drainQueue().finally(() => {
      this.sending = undefined;
      this.inFlight.delete(p);
    });
    this.sending = p;
    this.inFlight.add(p);
  }

  private async drainQueue(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      const { seq, t, data } = next;
      try {
        const res = await fetch(this.target.publishUrl!, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ seq, t, data }),
          signal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS),
        });
        await res.arrayBuffer();
        if (res.status >= 300) this.fail(seq, `http-${res.status}`);
      } catch (err) {
        const e = err as { name?: string; cause?: { code?: string } };
        this.fail(seq, e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? 'error'));
      }
    }
  }

  private fail(seq: number, why: string): void {
    this.failed.add(seq);
    this.failures[why] = (this.failures[why] ?? 0) + 1;
  }
}

/** A TCP connect to `url`'s host and port within CONNECT_TIMEOUT_MS, else PB_TARGET_UNREACHABLE naming it. */
export function reachable(url: string): Promise<void> {
  const u = new URL(url);
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  const port = Number(u.port || (secure ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const fail = (why: string) => {
      socket.destroy();
      reject(new PushbenchError('PB_TARGET_UNREACHABLE', `${url}: ${why}`));
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => fail(`no TCP connect within ${CONNECT_TIMEOUT_MS / 1000} s`));
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
  });
}
