/**
 * What crosses between the Node host and a browser page (clients/browser/page/*.js): the
 * PageConfig the host starts a page with, and the PageBatch the page reports through the
 * exposed function. Times are epoch ms on the page's clock (performance.timeOrigin +
 * performance.now(), the clock of the envelope's `t`).
 */
import type { BACKOFF_DEFAULTS, HEARTBEAT_DEFAULTS } from '../../core/defaults.ts';
import type { ProtocolName } from '../../core/types.ts';
import type { ReconnectEvent } from '../report-types.ts';

/** Settings of one page's client (the page twin of ClientConfig, without headers: the browser sends its own). */
export interface PageConfig {
  id: string;
  protocol: ProtocolName;
  pollIntervalMs: number;
  pollTimeoutMs: number;
  longPollWaitMs: number;
  longPollMarginMs: number;
  sseKeepAliveMs: number;
  sseIdleFactor: number;
  heartbeat: typeof HEARTBEAT_DEFAULTS;
  backoff: typeof BACKOFF_DEFAULTS;
  /**
   * Epoch ms when the run's source stops publishing: the SSE idle watchdog stands down then
   * (EventSource hides keep-alive comments, so the drain's silence would look like a dead
   * stream). Absent: watch to the end.
   */
  sourceEndsAtMs?: number;
}

/** A ReconnectEvent as a page records it, with what only a browser can tell. */
export interface BrowserReconnectEvent extends ReconnectEvent {
  /** websocket: when the page called ws.close() on the connection it gave up on. */
  closeCalledAtMs?: number;
  /** websocket: the give-up mode in force ('close' waits for onclose, 'terminate' does not). */
  giveUp?: string;
  /** websocket: the CloseEvent of that connection (closeCompletedAtMs is when onclose fired). */
  closeCode?: number;
  closeReason?: string;
  wasClean?: boolean;
  /** websocket: the connection's first onerror. */
  errorAtMs?: number;
  /** sse: the browser reconnected by itself (EventSource retry with Last-Event-ID). */
  browserRetry?: boolean;
}

/** The page's counters (ClientStats without the byte meter: the proxy counts the page's bytes). */
export interface PageStats {
  subscribedAfterSeq?: number;
  lastSeq: number;
  highWaterSeq: number;
  delivered: number;
  recovered: number;
  duplicates: number;
  outOfOrder: number;
  gapsLost: number;
  payloadBytes: number;
  requests: number;
  emptyResponses: number;
  reconnects: number;
  connected: boolean;
  firstOpenAtMs?: number;
}

/** How late the page's 100 ms timer fired: the page's own saturation. */
export interface TimerLag {
  count: number;
  p99Ms: number;
  maxMs: number;
}

/** One report from a page (sink.js drain()). */
export interface PageBatch {
  id: string;
  atMs: number;
  stats: PageStats;
  /** [receivedAtMs, publishedAtMs, recovered (0 | 1)] per new delivery, flattened. */
  deliveries: number[];
  /** [atMs, rttMs] per pong, flattened. */
  pings: number[];
  /** Error counts by kind since the previous batch. */
  errors: Record<string, number>;
  /** Reconnect events new or changed since the previous batch: [index on the page, event]. */
  events: Array<[number, BrowserReconnectEvent]>;
  timerLag: TimerLag;
}
