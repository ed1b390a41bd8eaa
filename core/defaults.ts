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
  /** Generated payloads: `random` (incompressible) or `json` (a realistic, compressible object). */
  payload: 'random' as 'random' | 'json',
  pattern: 'constant' as 'constant' | 'poisson' | 'burst',
  /** burst pattern: messages per burst (the rate stays the average). */
  burstSize: 10,
  /** Retention window: by count and by age. */
  retentionCount: 10_000,
  retentionMs: 120_000,
  /**
   * Retention window by size: the JSON characters of the retained envelopes (docs/servers.md).
   * A resume's backlog and a poll answer are at most this big, well below V8's string limit.
   */
  retentionBytes: 64 * 1024 * 1024,
  /** Poll answers cached (shared by short- and long-poll) hold at most this many bytes together. */
  pollCacheBytes: 32 * 1024 * 1024,
  /** long-poll `wait` default and cap. */
  longPollWaitMs: 25_000,
  longPollMaxWaitMs: 60_000,
  sseKeepAliveMs: 15_000,
  sseRetryMs: 1_000,
  /** Protocol-level ping to find zombies; a peer that misses one pong is terminated. */
  serverPingIntervalMs: 10_000,
  /** Client frames are heartbeats only: keep small. */
  wsMaxPayloadBytes: 4 * 1024,
  /**
   * WebSocket upgrades (and socket.io) whose Origin header is not one of these, nor the server's
   * own origin, are refused 403 PB_BAD_ORIGIN; a request without Origin (not a browser) passes.
   * Empty: no check (docs/servers.md).
   */
  wsAllowedOrigins: [] as string[],
  /** WebSocket (and socket.io over WebSocket) permessage-deflate. */
  perMessageDeflate: false,
  /** gzip of SSE streams (flushed after every event) and poll answers, for clients that accept it. */
  httpCompression: false,
  /** socket.io: Socket.IO's own heartbeat (its defaults: 25 s / 20 s). */
  socketioPingIntervalMs: 25_000,
  socketioPingTimeoutMs: 20_000,
  publishBodyLimitBytes: 64 * 1024,
  /** Per-connection send buffer beyond which a non-reading client is dropped. */
  sendBufferLimitBytes: 1024 * 1024,
  /**
   * A request (headers and body) must arrive within this, else 408 and the connection closes
   * (Node's requestTimeout; checked every quarter of it, at most every second).
   */
  requestTimeoutMs: 30_000,
  /**
   * Open connections the server accepts; one more is answered 503 PB_TOO_MANY_CONNECTIONS
   * (WebSocket: close 1013). Below the 20,000 open files a process gets (docs/servers.md).
   */
  maxConnections: 19_000,
  /** Shutdown must finish within this. */
  shutdownTimeoutMs: 2_000,
};

export const HEARTBEAT_DEFAULTS = {
  /**
   * How the client proves liveness: 'json' `{"type":"ping","t"}` → `{"type":"pong","t"}`;
   * 'text' sends pingText and expects pongText (the article's "ping" → "pong"); 'protocol'
   * a WebSocket ping frame and its pong; 'none' no heartbeat (only a closed socket is noticed).
   */
  form: 'json' as 'json' | 'text' | 'protocol' | 'none',
  pingText: 'ping',
  pongText: 'pong',
  intervalMs: 3_000,
  timeoutMs: 3_000,
  /** 'terminate' destroys the socket at once; 'close' is the article's ws.close(). */
  giveUp: 'terminate' as 'terminate' | 'close',
  /** 'close' give-up: how long ws waits for the close handshake before destroying (ws's own default). */
  closeTimeoutMs: 30_000,
};

/** socket.io clients: start over WebSocket, or over HTTP long-polling and upgrade (`polling`). */
export const SOCKETIO_DEFAULTS = {
  transport: 'websocket' as 'websocket' | 'polling',
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
  /** After the source stops: the drain's upper limit, raised per protocol to its slowest path (runner/protocol-run.ts drainLimitMs). */
  drainMs: 2_000,
  ratePerS: 10,
  sizeBytes: 256,
  /**
   * Event-loop delay p99 (in the measured window) above this flags the server or the generator
   * saturated; the scenario's `saturation.eventLoopP99` (docs/scenarios.md "saturation").
   */
  saturationMs: 50,
  /** A message source that published a message later than this after its scheduled time fell behind. */
  sourceLagMs: 100,
  /** server.memoryKBPerConnection is reported only from this many open connections (below: RSS noise). */
  memoryMinConnections: 500,
  outDir: 'reports/out',
  seed: 1,
};

/** Lower bound for HDR histograms: 1 µs .. 1 h, 3 significant digits. */
export const HISTOGRAM = {
  lowestUs: 1,
  highestUs: 3_600_000_000,
  significantDigits: 3,
};

/** The HTML report (reports/): where it lands, how it is served, what counts as a regression. */
export const REPORT_DEFAULTS = {
  fileName: 'index.html',
  /** `npm run report` serves this folder's index.html (a symlink or a folder the runner updates). */
  latestDir: 'reports/out/latest',
  serveHost: '127.0.0.1',
  servePort: 8090,
  /** A baseline delta is a regression when it is worse by at least this share and the unit's noise floor. */
  regressionPct: 10,
};

/** Scenario fields that have no home above. */
export const SCENARIO_DEFAULTS = {
  name: 'default',
  /** Real browser pages (Chromium) added to each protocol run. */
  browsers: 0,
  /** Generated messages go to every client, or each to one client round-robin. */
  sourceMode: 'broadcast' as 'broadcast' | 'addressed',
};

/** What a `faults[]` entry of a scenario leaves out. */
export const FAULT_DEFAULTS = {
  direction: 'both' as 'up' | 'down' | 'both',
  /** Share of a run's clients the fault hits. */
  clientsPercent: 100,
  /** latency fault: ± this much per chunk. */
  jitterMs: 0,
  /** flap: the link is blackholed for downMs, then up for upMs, repeating. */
  flapUpMs: 2_000,
  flapDownMs: 1_000,
};

/** Fault proxy (network/proxy.ts). */
export const NETWORK_DEFAULTS = {
  listenHost: '127.0.0.1',
  /** Per connection and direction: bytes held (toxics + socket buffer) before the proxy stops reading the sender. */
  highWaterBytes: 64 * 1024,
  /** Closed connections listed one by one by connections(); older ones only count in totals(). */
  maxClosedConnections: 10_000,
  /** After a `close` fault ended both sides: how long to wait for the peers' FIN before destroying. */
  closeGraceMs: 2_000,
};

/** `pushbench capacity` (engines/): bounded probes, loopback only. */
export const CAPACITY_DEFAULTS = {
  protocols: ['short-poll', 'long-poll'] as Array<'short-poll' | 'long-poll' | 'sse' | 'websocket'>,
  /** The SLO a step must keep: p99 latency at most this. */
  sloP99Ms: 100,
  /** A step must achieve at least this share of its target request rate (else the server fell behind). */
  minAchievedShare: 0.95,
  /** Measured seconds of each step, after a short warm-up at the first rate. */
  stepDurationMs: 5_000,
  warmUpMs: 1_000,
  /** Upper bounds of one protocol's probe. */
  maxSteps: 10,
  maxProbeMs: 120_000,
  /** After the first failing step: this many bisection steps between the last good and the first bad. */
  refineSteps: 2,
  /** A failing step is measured once more before it counts (a shared machine has hiccups). */
  retries: 1,
  /** autocannon (short-poll, long-poll): fixed-rate steps start here and multiply. */
  startRatePerS: 500,
  rateFactor: 2,
  maxRatePerS: 200_000,
  connections: 50,
  requestTimeoutMs: 10_000,
  /** Client counts reported for these poll intervals: clients ≈ rate × interval. */
  intervalsMs: [1_000, 5_000, 10_000],
  /** sse, websocket: pushbench's own clients, stepped up. */
  startClients: 100,
  clientsFactor: 2,
  maxClients: 6_400,
  pushRampUpMs: 2_000,
  pushDrainMs: 1_000,
};

/** `pushbench run --engine artillery` and `pushbench artillery` (engines/). */
export const ARTILLERY_DEFAULTS = {
  /** Artillery's own start-up and shutdown on top of the scenario's time (it is slow to load). */
  startupAllowanceMs: 60_000,
  /** SIGTERM, then SIGKILL after this. */
  killGraceMs: 3_000,
  outDir: 'reports/out/artillery',
};

/** Real browser clients (clients/browser/, scenario `browsers`). */
export const BROWSER_DEFAULTS = {
  /** Debian's Chromium; PUSHBENCH_CHROMIUM overrides. */
  chromiumPath: '/usr/bin/chromium',
  launchTimeoutMs: 30_000,
  /** A polite close of Chromium gets this long; then every process of it is killed. */
  closeTimeoutMs: 5_000,
  /** Loading a page and its script through the proxy. */
  pageLoadTimeoutMs: 15_000,
  /** The runner's start (t0) waits this much longer when pages must load first (~0.7 s for 2 pages). */
  pageStartAllowanceMs: 1_500,
};

/** `npm run perf` (scripts/perf/): pushbench measured against bare baselines, side by side. */
export const PERF_DEFAULTS = {
  outDir: 'reports/out/perf',
  /** Fan-out comparisons (websocket, sse) at these client counts; --quick uses quickClients only. */
  fanoutClients: [1_000, 5_000],
  /** Generator overhead comparison: pushbench's clients vs minimal ones. */
  generatorClients: 1_000,
  quickClients: 200,
  ratePerS: 10,
  sizeBytes: 256,
  /** Fan-out trials are long (connect N, warm up, measure): fewer repetitions than the cheap comparisons. */
  repetitions: 3,
  cheapRepetitions: 5,
  quickRepetitions: 2,
  warmUpMs: 1_500,
  measureMs: 5_000,
  quickWarmUpMs: 500,
  quickMeasureMs: 1_500,
  /** Minimal receivers per receiver process (more processes for more clients). */
  clientsPerReceiver: 2_500,
  /** Handshakes in flight per receiver process while connecting. */
  connectConcurrency: 100,
  /** Polling: autocannon / wrk connections and seconds per measurement. */
  pollConnections: 50,
  pollDurationMs: 3_000,
  quickPollDurationMs: 1_000,
  /** Fault proxy: round trips per measurement, payload bytes. */
  proxyPings: 2_000,
  quickProxyPings: 300,
  proxyPayloadBytes: 64,
  /** pushbench's generators vs Artillery: WebSocket clients with the 3 s heartbeat, whole engine runs. */
  artilleryClients: 1_000,
  artilleryRampMs: 2_000,
  artilleryWarmUpMs: 2_000,
  artilleryMeasureMs: 10_000,
  quickArtilleryRampMs: 1_000,
  quickArtilleryWarmUpMs: 1_000,
  quickArtilleryMeasureMs: 3_000,
  artilleryHeartbeatIntervalMs: 3_000,
  /** Long polling vs a bare node:http long-poll: every publish releases every held request. */
  longPollClients: [1_000, 5_000],
  longPollRatePerS: 1,
  longPollMeasureMs: 10_000,
  quickLongPollRatePerS: 2,
  quickLongPollMeasureMs: 3_000,
  /** SSE and WebSocket fan-outs against nginx + nchan (one worker process); --quick: quickClients. */
  nchanClients: [1_000, 5_000],
  /** Ratio bounds (pushbench ÷ baseline), the targets of docs/perf.md. */
  targets: {
    fanoutLatencyP50Max: 0.9,
    fanoutCpuMax: 0.8,
    /** WebSocket fan-out completion (publish → the last peer's write returned), pushbench ÷ ws.send loop. */
    fanoutReleaseMax: 0.8,
    generatorOverheadMax: 1.15,
    pollRateMin: 0.9,
    /** Generator CPU per delivered message, pushbench ÷ Artillery; and p99 no worse. */
    artilleryGeneratorCpuMax: 0.5,
    artilleryLatencyP99Max: 1.0,
    /** Long-poll server CPU per delivered message and release time, pushbench ÷ bare. */
    longPollCpuMax: 1.0,
    longPollReleaseMax: 1.0,
    /** SSE and WebSocket server CPU per delivered message, pushbench ÷ nginx + nchan. */
    nchanCpuMax: 1.0,
  },
};

/** `npm run soak` (docs/reliability.md): every protocol at once against one server, with faults and bad inputs. */
export const SOAK_DEFAULTS = {
  outDir: 'reports/out/soak',
  /**
   * The full soak: ~10 minutes in all. The warm-up outlasts the retention age, so RSS after it
   * holds a full retention window: growth after that is what the server keeps, not what it fills.
   */
  full: {
    clientsPerProtocol: 20,
    rampUpMs: 5_000,
    warmUpMs: 150_000,
    durationMs: 420_000,
    retentionMs: 120_000,
    resetEveryMs: 30_000,
    burstEveryMs: 15_000,
    probeEveryMs: 2_000,
  },
  /** `--quick`, the CI form: ~1 minute. */
  quick: {
    clientsPerProtocol: 8,
    rampUpMs: 3_000,
    warmUpMs: 30_000,
    durationMs: 25_000,
    retentionMs: 25_000,
    resetEveryMs: 6_000,
    burstEveryMs: 6_000,
    probeEveryMs: 1_000,
  },
  ratePerS: 20,
  sizeBytes: 256,
  /** Share of each protocol's clients that flap for the whole run / that each reset hits (%). */
  flapPercent: 25,
  resetPercent: 25,
  flapUpMs: 2_000,
  flapDownMs: 1_000,
  /** Faults end this long before the measured time does, so every client can catch up. */
  faultTailMs: 5_000,
  /** Messages POSTed at once to /publish in each burst. */
  burstSize: 100,
  /** Pass: RSS at the end at most this much above RSS after warm-up. */
  rssGrowthMax: 0.1,
  /** After the clients left, how long the server's open fds may take to come back to the start's. */
  fdSettleMs: 5_000,
};
