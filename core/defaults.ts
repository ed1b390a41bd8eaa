/**
 * Every default in one place, as data (units in the names). Servers, clients, the
 * runner, scenarios and the CLI spread these in once: `{ ...SERVER_DEFAULTS, ...options }`.
 */

export const SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  /** Generated messages per second (0: only POST /publish). */
  ratePerS: 10,
  sizeBytes: 256,
  pattern: 'constant' as 'constant' | 'poisson' | 'burst',
  /** burst pattern: messages per burst (the rate stays the average). */
  burstSize: 10,
  /** Retention window: by count and by age. */
  retentionCount: 10_000,
  retentionMs: 120_000,
  /** long-poll `wait` default and cap. */
  longPollWaitMs: 25_000,
  longPollMaxWaitMs: 60_000,
  sseKeepAliveMs: 15_000,
  sseRetryMs: 1_000,
  /** Protocol-level ping to find zombies; a peer that misses one pong is terminated. */
  serverPingIntervalMs: 10_000,
  /** Client frames are heartbeats only: keep small. */
  wsMaxPayloadBytes: 4 * 1024,
  perMessageDeflate: false,
  publishBodyLimitBytes: 64 * 1024,
  /** Per-connection send buffer beyond which a non-reading client is dropped. */
  sendBufferLimitBytes: 1024 * 1024,
  /** Shutdown must finish within this. */
  shutdownTimeoutMs: 2_000,
};

export const HEARTBEAT_DEFAULTS = {
  intervalMs: 3_000,
  timeoutMs: 3_000,
  /** 'terminate' destroys the socket at once; 'close' is the article's ws.close(). */
  giveUp: 'terminate' as 'terminate' | 'close',
};

export const BACKOFF_DEFAULTS = {
  initialMs: 500,
  factor: 2,
  maxMs: 10_000,
  /** ±50 % jitter. */
  jitter: 0.5,
};

export const CLIENT_DEFAULTS = {
  pollIntervalMs: 1_000,
  /** Short-poll request timeout. */
  pollTimeoutMs: 5_000,
  longPollWaitMs: 25_000,
  /** long-poll request timeout = wait + this margin. */
  longPollMarginMs: 5_000,
  /** SSE: silence longer than keepAlive × this factor means dead. */
  sseIdleFactor: 2,
  sseKeepAliveMs: 15_000,
  headers: 'minimal' as 'minimal' | 'browser',
};

export const RUN_DEFAULTS = {
  clients: 100,
  durationMs: 30_000,
  rampUpMs: 3_000,
  warmUpMs: 2_000,
  /** After the source stops: time for in-flight messages to land before counting. */
  drainMs: 2_000,
  ratePerS: 10,
  sizeBytes: 256,
  /** Generator event-loop delay p99 above this flags the run as saturated. */
  saturationMs: 50,
  outDir: 'reports/out',
  seed: 1,
};

/** Lower bound for HDR histograms: 1 µs .. 1 h, 3 significant digits. */
export const HISTOGRAM = {
  lowestUs: 1,
  highestUs: 3_600_000_000,
  significantDigits: 3,
};
