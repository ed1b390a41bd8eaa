/**
 * What crosses between the Node host and a browser page (clients/browser/page/*.js): the
 * PageConfig the host starts a page with, and the PageBatch the page reports through the
 * exposed function. Times are epoch ms on the page's clock (performance.timeOrigin +
 * performance.now(), the clock of the envelope's `t`).
 */
import type { ClientConfig } from '../client.ts';
import type { ClientStats, ReconnectEvent } from '../report-types.ts';

/** Settings of one page's client: ClientConfig without the base URL (the page's own origin), headers (the browser sends its own) and wsPath. */
export interface PageConfig extends Omit<ClientConfig, 'baseUrl' | 'headers' | 'wsPath'> {
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

/** The page's counters: ClientStats without the byte meter (the proxy counts the page's bytes). */
export type PageStats = Omit<ClientStats, 'id' | 'meter' | 'subscribedAfterSeq' | 'firstOpenAtMs'> & {
  subscribedAfterSeq?: number;
  firstOpenAtMs?: number;
};

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
