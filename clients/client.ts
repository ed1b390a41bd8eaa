/**
 * The shared part of every simulated client, written once: the state machine connecting →
 * open → dead → backoff → connecting, exponential backoff with jitter, reconnect events and the
 * events 'open' (atMs), 'dead' (reason, atMs), 'message' (env, atMs). The delivery rules
 * (subscribe point, dedupe, out-of-order, steady vs recovered, gaps, resume point, catch-up)
 * are the client core's (clients/core/delivery.ts), the same module the browser page and the
 * Artillery processor run (docs/clients.md, "One delivery core"). A protocol file only opens
 * connections and reports what happened through opened() / deliver() / advanceTo() /
 * alive() / failed(); teardown() closes what it opened.
 */
import { EventEmitter } from 'node:events';
import { nowMs } from '../core/clock.ts';
import {
  BACKOFF_DEFAULTS,
  CLIENT_DEFAULTS,
  HEARTBEAT_DEFAULTS,
  SERVER_DEFAULTS,
  SOCKETIO_DEFAULTS,
} from '../core/defaults.ts';
import type { Envelope, ProtocolName, ResumeInfo } from '../core/types.ts';
import { Backoff } from './core/backoff.ts';
import { DeliveryCore } from './core/delivery.ts';
import type { HeaderProfile } from './headers.ts';
import type { Recorder } from './metrics.ts';
import type { ClientStats, ReconnectEvent } from './report-types.ts';

export interface ClientConfig {
  id: string;
  protocol: ProtocolName;
  /** e.g. http://127.0.0.1:PORT (the server or a proxy lane). */
  baseUrl: string;
  pollIntervalMs: number;
  /**
   * short-poll: the schedule's phase, epoch ms modulo pollIntervalMs (slots at phase + k ×
   * interval); unset: slots anchored at the first poll. The fleet and the browser host give
   * each client its own random phase (pollPhaseMs() in clients/short-poll.ts).
   */
  pollPhaseMs?: number;
  pollTimeoutMs: number;
  longPollWaitMs: number;
  longPollMarginMs: number;
  sseKeepAliveMs: number;
  sseIdleFactor: number;
  heartbeat: typeof HEARTBEAT_DEFAULTS;
  backoff: typeof BACKOFF_DEFAULTS;
  headers: HeaderProfile;
  /** `/ws?client=ID` (default) or the article's `/websocket/ID`. */
  wsPath?: 'ws' | 'websocket';
  /** websocket and socket.io: offer permessage-deflate (the server decides). */
  perMessageDeflate?: boolean;
  /** short-poll, long-poll, sse: send Accept-Encoding: gzip (gzip answers are decoded either way). */
  httpCompression?: boolean;
  /** socket.io: the server's heartbeat (bounds the connect) and the transport to start with. */
  socketio: { pingIntervalMs: number; pingTimeoutMs: number; transport: 'websocket' | 'polling' };
  /** A server pushbench did not start, spoken to through a profile (clients/target/, docs/targets.md). */
  target?: TargetClientConfig;
}

/** What a target client needs from the scenario's `target:` (profile defaults already applied). */
export interface TargetClientConfig {
  /** Profile name (clients/profiles/registry.ts): its framing hooks are looked up by it. */
  profile: string;
  /** Path (and query) on the target, `{channel}` filled in; `{client}` is the client's id. */
  path: string;
  resume: string;
  message: { seq: string; t: string; data?: string };
  /** socket.io: the event carrying messages. */
  event?: string;
}

/** ClientConfig without the per-client fields (what a scenario / generator config carries). */
export type ClientSettings = Omit<ClientConfig, 'id' | 'protocol' | 'baseUrl'>;

/** Client settings from core/defaults (heartbeat and backoff as nested objects). */
export const DEFAULT_CLIENT_SETTINGS: ClientSettings = {
  pollIntervalMs: CLIENT_DEFAULTS.pollIntervalMs,
  pollTimeoutMs: CLIENT_DEFAULTS.pollTimeoutMs,
  longPollWaitMs: CLIENT_DEFAULTS.longPollWaitMs,
  longPollMarginMs: CLIENT_DEFAULTS.longPollMarginMs,
  sseKeepAliveMs: CLIENT_DEFAULTS.sseKeepAliveMs,
  sseIdleFactor: CLIENT_DEFAULTS.sseIdleFactor,
  heartbeat: { ...HEARTBEAT_DEFAULTS },
  backoff: { ...BACKOFF_DEFAULTS },
  headers: CLIENT_DEFAULTS.headers,
  wsPath: 'ws',
  perMessageDeflate: false,
  httpCompression: false,
  socketio: {
    pingIntervalMs: SERVER_DEFAULTS.socketioPingIntervalMs,
    pingTimeoutMs: SERVER_DEFAULTS.socketioPingTimeoutMs,
    transport: SOCKETIO_DEFAULTS.transport,
  },
};

/** Settings as given: any subset, heartbeat / backoff partial too. */
export type ClientSettingsInput = Partial<Omit<ClientSettings, 'heartbeat' | 'backoff' | 'socketio'>> & {
  heartbeat?: Partial<ClientSettings['heartbeat']>;
  backoff?: Partial<ClientSettings['backoff']>;
  socketio?: Partial<ClientSettings['socketio']>;
};

/** A full ClientConfig: defaults, then `settings` (heartbeat / backoff merged key by key). */
export function clientConfig(
  base: Pick<ClientConfig, 'id' | 'protocol' | 'baseUrl'>,
  settings: ClientSettingsInput = {},
): ClientConfig {
  return {
    ...DEFAULT_CLIENT_SETTINGS,
    ...settings,
    heartbeat: { ...DEFAULT_CLIENT_SETTINGS.heartbeat, ...settings.heartbeat },
    backoff: { ...DEFAULT_CLIENT_SETTINGS.backoff, ...settings.backoff },
    socketio: { ...DEFAULT_CLIENT_SETTINGS.socketio, ...settings.socketio },
    ...base,
  };
}

export type ClientState = 'idle' | 'connecting' | 'open' | 'dead' | 'backoff' | 'stopped';

/** Events: 'open' (atMs), 'dead' (reason, atMs), 'message' (env, atMs). */
export interface PushClient extends EventEmitter {
  readonly id: string;
  readonly state: ClientState;
  readonly connected: boolean;
  /** lastSeq from the first hello / first poll answer. */
  readonly subscribedAfterSeq: number | undefined;
  /** Highest seq s such that all of the client's seqs ≤ s were received or counted lost. */
  readonly highWaterSeq: number;
  start(): void;
  /** Close every socket and timer; resolves when the sockets are closed. */
  stop(): Promise<void>;
}

export abstract class BaseClient extends EventEmitter implements PushClient {
  readonly id: string;
  protected readonly config: ClientConfig;
  protected readonly recorder: Recorder;
  protected readonly stats: ClientStats;
  private current: ClientState = 'idle';
  private readonly core: DeliveryCore<ReconnectEvent>;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastGoodAtMs = 0;
  /** A lost connection whose replacement has not opened yet. */
  private pending: ReconnectEvent | undefined;

  constructor(config: ClientConfig, recorder: Recorder) {
    super();
    this.id = config.id;
    this.config = config;
    this.recorder = recorder;
    this.stats = recorder.addClient(config.id);
    this.backoff = new Backoff(config.backoff);
    this.core = new DeliveryCore<ReconnectEvent>(config.id, this.stats, {
      byteLength: (text) => Buffer.byteLength(text, 'utf8'),
      countError: (kind) => this.recorder.countError(kind),
      caughtUp: (event, atMs) => {
        event.caughtUpAtMs = atMs;
      },
    });
  }

  get state(): ClientState {
    return this.current;
  }
  get connected(): boolean {
    return this.current === 'open';
  }
  get subscribedAfterSeq(): number | undefined {
    return this.stats.subscribedAfterSeq;
  }
  get highWaterSeq(): number {
    return this.stats.highWaterSeq;
  }

  /** Connect (once). */
  start(): void {
    if (this.current !== 'idle') return;
    this.current = 'connecting';
    this.safely(() => this.connect());
  }

  /** Close every socket and timer; the counters stay with the Recorder. */
  async stop(): Promise<void> {
    if (this.current === 'stopped') return;
    this.current = 'stopped';
    clearTimeout(this.retryTimer);
    this.recorder.setConnected(this.stats, false);
    try {
      await this.teardown('stop');
    } catch {
      this.recorder.countError('client-crash');
    }
    await this.stats.meter.destroyAll();
  }

  /** Open a connection (or send the first request); report through opened()/failed(). */
  protected abstract connect(): void;

  /**
   * Close what connect() opened. 'dead': the connection was declared dead (a returned
   * promise delays the reconnect until it settles: the 'close' give-up); 'stop': at once.
   */
  protected abstract teardown(mode: 'dead' | 'stop'): void | Promise<void>;

  /** Resume point for the next connection: undefined before the first subscribe. */
  protected resumeSeq(): number | undefined {
    return this.core.resumeSeq();
  }

  protected get stopped(): boolean {
    return this.current === 'stopped';
  }

  /** Epoch ms of the last byte received (the outage of a lost connection starts after it). */
  protected alive(atMs: number): void {
    this.lastGoodAtMs = atMs;
  }

  /**
   * The hello / first answer of a connection arrived: subscribe or resume. `resumedBy`
   * (socket.io): whether the protocol recovered the session itself or the seq resumed it.
   */
  protected opened(info: ResumeInfo, atMs: number, resumedBy?: 'recovery' | 'seq'): void {
    if (this.current !== 'connecting') return;
    this.alive(atMs);
    const { resumed, gapLost } = this.core.open(info);
    if (resumed) this.resumed(info, gapLost, atMs, resumedBy);
    this.current = 'open';
    this.backoff.reset();
    this.recorder.setConnected(this.stats, true);
    this.stats.firstOpenAtMs ??= atMs;
    this.emit('open', atMs);
  }

  /**
   * A target's connection is up (no hello: WebSocket open, SSE 200, a long poll sent). The
   * first connection subscribes at its first message; a reopen is a resume whose backlog is
   * measured by publish time (docs/targets.md "What is measured"; the core's openWithoutHello).
   */
  protected openedTarget(atMs: number, resumedBy?: 'recovery' | 'seq'): void {
    if (this.current !== 'connecting') return;
    this.alive(atMs);
    const event = this.pending;
    this.pending = undefined;
    if (event) {
      this.stats.reconnects++;
      event.openAtMs = atMs;
      event.attempts = this.backoff.attempts - 1;
      event.reopenLastSeq = this.stats.highWaterSeq;
      if (resumedBy) event.resumedBy = resumedBy;
    }
    this.core.openWithoutHello(atMs, event);
    this.current = 'open';
    this.backoff.reset();
    this.recorder.setConnected(this.stats, true);
    this.stats.firstOpenAtMs ??= atMs;
    this.emit('open', atMs);
  }

  /** A steady-state answer carrying resume info (every poll answer): liveness, gaps. */
  protected answer(info: ResumeInfo, atMs: number): void {
    this.alive(atMs);
    this.core.answer(info);
  }

  /** An envelope arrived (any order, maybe a repeat). */
  protected deliver(env: Envelope, atMs: number): void {
    const verdict = this.core.deliver(env, atMs);
    if (verdict === 'duplicate' || verdict === 'rejected') return;
    this.recorder.recordDelivery(atMs, env.t, verdict === 'recovered');
    // emit() without a listener is one property lookup; listenerCount() costs more per message.
    this.emit('message', env, atMs);
  }

  /** Everything for this client up to `seq` has been received or counted (a poll answer's lastSeq). */
  protected advanceTo(seq: number, atMs: number): void {
    this.core.advanceTo(seq, atMs);
  }

  /** The connection (or the attempt) is dead: tear down, back off, reconnect. */
  protected failed(reason: string, atMs: number): void {
    if (this.current !== 'open' && this.current !== 'connecting') return;
    const wasOpen = this.current === 'open';
    this.current = 'dead';
    this.recorder.setConnected(this.stats, false);
    this.recorder.countError(reason);
    const resumeAfterSeq = this.core.lost();
    if (wasOpen) {
      this.pending = this.recorder.addReconnect({
        client: this.id,
        reason,
        lastGoodAtMs: this.lastGoodAtMs,
        deadAtMs: atMs,
        attempts: 0,
        resumeAfterSeq,
      });
    }
    this.emit('dead', reason, atMs);
    const done = this.teardownAfterDeath();
    if (!done) {
      this.scheduleRetry();
      return;
    }
    const event = this.pending;
    done
      .catch(() => this.recorder.countError('client-crash'))
      .finally(() => {
        if (event && wasOpen) event.closeCompletedAtMs = nowMs();
        this.scheduleRetry();
      });
  }

  /** teardown('dead'), never throwing; a promise when the reconnect must wait for it. */
  private teardownAfterDeath(): Promise<void> | undefined {
    try {
      const done = this.teardown('dead');
      return done instanceof Promise ? done : undefined;
    } catch {
      this.recorder.countError('client-crash');
      return undefined;
    }
  }

  /** Run a callback; a throw is counted and treated as a dead connection, never a crash. */
  protected safely(fn: () => void): void {
    try {
      fn();
    } catch {
      this.crashed();
    }
  }

  /** What a throw inside the client means (safely() and per-message handlers that inline it). */
  protected crashed(): void {
    // failed() counts its reason; a crash outside a live connection is counted here.
    if (this.current === 'open' || this.current === 'connecting') this.failed('client-crash', nowMs());
    else this.recorder.countError('client-crash');
  }

  /** A lost connection's replacement opened: complete its reconnect event. */
  private resumed(info: ResumeInfo, gapLost: number, atMs: number, resumedBy?: 'recovery' | 'seq'): void {
    const event = this.pending;
    this.pending = undefined;
    if (!event) return;
    this.stats.reconnects++;
    if (resumedBy) event.resumedBy = resumedBy;
    event.openAtMs = atMs;
    event.attempts = this.backoff.attempts - 1;
    event.reopenLastSeq = info.lastSeq;
    if (gapLost > 0) event.gapLost = gapLost;
    this.core.awaitCatchUp(info, event, atMs);
  }

  private scheduleRetry(): void {
    if (this.current === 'stopped') return;
    this.current = 'backoff';
    this.retryTimer = setTimeout(() => {
      if (this.current !== 'backoff') return;
      this.current = 'connecting';
      this.safely(() => this.connect());
    }, this.backoff.next());
  }
}
