/**
 * Shared types: the wire envelope, protocol names and the results.json schema
 * (`pushbench/results@1`, see core/results.schema.json and docs/report.md). Field names are a contract:
 * extend, never rename.
 */

/** The envelope every protocol carries. `t` is epoch ms with a sub-ms fraction. */
export interface Envelope {
  seq: number;
  t: number;
  /** Addressed push: the client id; absent for broadcast. */
  to?: string;
  data: string;
}

export const PROTOCOLS = ['short-poll', 'long-poll', 'sse', 'websocket', 'socket.io'] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];

/** What runs and servers use when no protocol list is given: the textbook four (socket.io on request). */
export const DEFAULT_PROTOCOLS: readonly ProtocolName[] = ['short-poll', 'long-poll', 'sse', 'websocket'];

export function isProtocolName(value: string): value is ProtocolName {
  return (PROTOCOLS as readonly string[]).includes(value);
}

/**
 * What every protocol answers first (polling: every answer) so that a client knows
 * where it joined and whether its resume point fell out of the retention window.
 */
export interface ResumeInfo {
  /** Highest seq published so far (0 when nothing was published). */
  lastSeq: number;
  /** Oldest seq still retained (lastSeq + 1 when the window is empty). */
  oldestSeq: number;
  /** Present when the requested `since` was older than the window: these seqs are gone. */
  gap?: { from: number; to: number };
  /**
   * WebSocket / SSE hello, once the source addresses messages: the last seq <= lastSeq meant
   * for this client (broadcast or addressed to it). Holding it means the backlog is in.
   */
  lastForClient?: number;
}

/** Body of `GET /poll` and `GET /long-poll`. */
export interface PollResponse extends ResumeInfo {
  messages: Envelope[];
}

/** WebSocket / SSE control messages (envelopes carry no `type`). */
export type ControlMessage =
  | ({ type: 'hello' } & ResumeInfo)
  | { type: 'ping'; t: number }
  | { type: 'pong'; t: number }
  | { type: 'error'; code: string; message: string };

// ---------------------------------------------------------------- results.json

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface TimingSummary {
  p50: number;
  p99: number;
  max: number;
}

export interface Delivery {
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** Clients still behind the last message meant for them when the drain's limit passed (their misses are in `lost`). */
  behindAtEnd?: string[];
  /** Target runs: messages the profile's JSON pointers could not read (one sample in `errors`' note). */
  unparsed?: number;
}

export interface Bytes {
  clientToServer: number;
  serverToClient: number;
  payload: number;
  overhead: number;
  perDeliveredMessage: number;
}

export interface FaultRecord {
  kind: string;
  atMs: number;
  forMs: number;
  clients: number;
}

export interface TimeseriesPoint {
  /** Seconds since the start of measurement. */
  t: number;
  connected: number;
  delivered: number;
  p50: number;
  p99: number;
  bytesIn: number;
  bytesOut: number;
  /** Server CPU % and RSS MB in this bucket (extension, optional). */
  serverCpuPct?: number;
  serverRssMB?: number;
}

/** How the message source kept its schedule over the run (start → stop of the pacer). */
export interface SourceFigures {
  /** Messages whose scheduled publish time passed while the source ran. */
  scheduled: number;
  /** Messages it published (the rest were still overdue when it stopped). */
  published: number;
  /** Published messages per second of pacing. */
  ratePerS: number;
  /** Worst publish time − scheduled time (ms): how far behind the source fell. */
  maxLagMs: number;
}

/** Counters the figures above would hide (results.json `runs[].counters`, README "What a run measures"). */
export interface RunCounters {
  /** Deliveries whose receive time was before the envelope's `t` (clock skew); recorded as 1 µs. */
  negativeLatencies: number;
  /** Open connections the clients declared dead (each reconnect event, kept or not). */
  connectionsLost: number;
  /** Of those, connections never reopened by the end of the run (connectionsLost − completed reconnects). */
  neverReopened: number;
  /** Messages lost to a resume gap (older than the server's retention window); included in delivery.lost. */
  gapsLost: number;
  /** Deliveries received before the warm-up ended: counted delivered, kept out of the latency histograms. */
  warmUpSkipped: number;
}

export interface RunResult {
  protocol: ProtocolName;
  engine: 'pushbench' | 'artillery' | 'browser' | string;
  clients: number;
  durationMs: number;
  latencyMs: LatencySummary;
  recoveredLatencyMs: LatencySummary;
  delivery: Delivery;
  bytes: Bytes;
  /** total / empty: the whole run; perSecond: requests sent inside the measured window ÷ its length. */
  requests: { total: number; empty: number; perSecond?: number };
  reconnects: {
    count: number;
    /** Clients inside at least one fault window. */
    affected?: number;
    /** Affected clients that declared a connection dead because of a fault. */
    detected?: number;
    /** Of those, clients whose every lost connection reopened / whose every backlog was delivered. */
    reconnected?: number;
    caughtUp?: number;
    /** Timings in ms; null when no client produced a sample (never 0s). */
    detectMs: TimingSummary | null;
    reconnectMs: TimingSummary | null;
    recoverMs: TimingSummary | null;
    zombieMs: TimingSummary | null;
    /** Dead connections (of a fault) the server freed / never freed during the run; null: short-poll holds none. */
    zombiesFreed?: number | null;
    zombiesNeverFreed?: number | null;
  };
  /** null: not measured (a target without a pid; docs/targets.md). */
  server: {
    cpuPct: number | null;
    rssMB: number | null;
    eventLoopP99Ms: number | null;
    /** The server's event-loop p99 in the measured window was over `saturationThresholdMs`. */
    saturated?: boolean;
    /** Extensions: cost side of the comparison (docs/perf.md "Cost figures in results.json"). */
    cpuMsPerDeliveredMessage?: number;
    /** null below RUN_DEFAULTS.memoryMinConnections open connections, or when RSS did not grow. */
    memoryKBPerConnection?: number | null;
  };
  generator: {
    /** null when not measured (the Artillery engine: its generator is Artillery's). */
    eventLoopP99Ms: number | null;
    /** The generator's event-loop p99 in the measured window was over `saturationThresholdMs`. */
    saturated: boolean;
    /**
     * Extension: CPU ms of the load-generating processes (pushbench's generators, Artillery,
     * the browser host with Chromium) over the measured window ÷ messages delivered in it;
     * null when not measured (docs/perf.md "Cost figures in results.json").
     */
    cpuMsPerDeliveredMessage?: number | null;
  };
  /**
   * The threshold both `saturated` flags were judged against: event-loop delay p99 (ms) in the
   * measured window (the scenario's `saturation.eventLoopP99`, default 50 ms). Absent in older files.
   */
  saturationThresholdMs?: number;
  counters?: RunCounters;
  /** The message source's schedule: envelope `t` is the scheduled time (docs/report.md "Source"). */
  source?: SourceFigures;
  faults: FaultRecord[];
  timeseries: TimeseriesPoint[];
  /** Extensions. */
  pingRttMs?: LatencySummary;
  /** Runs against a server pushbench did not start (docs/targets.md): which, and how it was driven. */
  target?: TargetRunInfo;
  /** websocket runs: the heartbeat form the clients used (json, text, protocol, none). */
  heartbeatForm?: 'json' | 'text' | 'protocol' | 'none';
  /** socket.io runs: transport, Socket.IO's heartbeat, and what resumed each reconnect. */
  socketio?: SocketIoRunInfo;
  /** The generated payload kind (random: incompressible, json: a realistic object). */
  payload?: 'random' | 'json';
  /** Compression on: permessage-deflate (websocket, socket.io) or gzip (sse, short-poll, long-poll). */
  compression?: 'permessage-deflate' | 'gzip';
  errors?: Record<string, number>;
  /** The first example of some error kinds (`unparsed`: a message the pointers could not read), at most 200 characters. */
  errorSamples?: Record<string, string>;
  slo?: { passed: boolean; breaches: string[] };
  notes?: string[];
  /** Extension: what real browser pages observed (engine "browser" runs only; docs/browser.md). */
  browser?: BrowserObservations;
}

/** results.json `runs[].target`: the server measured when it is not one of pushbench's own. */
export interface TargetRunInfo {
  profile: string;
  url: string;
  /** publish: pushbench POSTed every envelope (exact expected counts); observe: the target's own stream, loss from seq gaps. */
  mode: 'publish' | 'observe';
  /** The server's CPU / RSS were sampled from /proc for this pid (and its children); absent: not measured. */
  pid?: number;
  /** How a reconnecting client resumed (none: what was missed across a reconnect is lost, and counted). */
  resume: string;
}

/** socket.io runs (results.json `runs[].socketio`). */
export interface SocketIoRunInfo {
  transport: 'websocket' | 'polling';
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Completed reconnects resumed by Socket.IO's connection state recovery / by the envelope seq. */
  resumedBy: { recovery: number; seq: number };
}

/** What Chromium pages observed in a run (engine "browser"). Times in ms. */
export interface BrowserObservations {
  /** Chromium's version. */
  version: string;
  pages: number;
  /** TCP connections the pages opened through their proxies once loaded (page loads excluded). */
  connections: number;
  /** websocket: ws.close() → onclose, per given-up open connection whose onclose fired. */
  oncloseDelayMs: TimingSummary & { count: number };
  /** websocket: ws.close() calls whose onclose had not fired when the run ended. */
  oncloseMissing: number;
  /** Why connections were declared lost ('heartbeat-timeout', 'closed:1006', 'sse-error', …), counted. */
  reasons: Record<string, number>;
  /** websocket: CloseEvent codes of lost connections, counted. */
  closeCodes: Record<string, number>;
  /** onerror events seen by the pages (WebSocket and EventSource). */
  errorEvents: number;
  /** sse: reconnects the EventSource made by itself (with Last-Event-ID). */
  browserRetries: number;
  /** How late the pages' 100 ms timer fired: their main thread's own saturation. */
  timerLagMs: { p99: number; max: number };
  /** Lost connections one by one (at most 50), times relative to the start of measurement. */
  events: BrowserEventRecord[];
}

/** One lost connection as a page saw it; times in ms since the start of measurement. */
export interface BrowserEventRecord {
  page: string;
  reason: string;
  deadAtMs: number;
  /** The fault's start → deadAtMs, when a fault window explains the loss. */
  detectMs?: number;
  closeCalledAtMs?: number;
  oncloseAtMs?: number;
  oncloseDelayMs?: number;
  closeCode?: number;
  wasClean?: boolean;
  errorAtMs?: number;
  openAtMs?: number;
  caughtUpAtMs?: number;
  browserRetry?: boolean;
}

export interface Results {
  schema: 'pushbench/results@1';
  scenario: Record<string, unknown>;
  environment: { node: string; cpus: number; os: string; startedAt: string };
  runs: RunResult[];
  /** Extension: the capacity probes (docs/engines.md). */
  capacity?: unknown;
}

export const RESULTS_SCHEMA_ID = 'pushbench/results@1';

// ---------------------------------------------------------------- capacity (extension, docs/engines.md)

/** One step of a capacity probe: a fixed request rate (autocannon) or a client count (push). Latency in ms. */
export interface CapacityStep {
  /** autocannon probes: target requests per second and what was achieved (autocannon's own count). */
  ratePerS?: number;
  achievedRatePerS?: number;
  /** push probes: concurrent clients. */
  clients?: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  /** push probes: messages lost. */
  lost?: number;
  serverCpuPct: number;
  /** CPU used by the load generator (autocannon in the CLI process, or the generator processes), % of one core. */
  generatorCpuPct?: number;
  generatorSaturated?: boolean;
  passed: boolean;
  /** Measurements of this step: a failing step is measured again (CAPACITY_DEFAULTS.retries). */
  attempts?: number;
  /** Why a step failed ("p99 142ms > 100ms", "achieved 83% of the rate", "3 errors"). */
  reasons: string[];
}

/** The result of one protocol's probe, in the shape reports/capacity.ts reads. */
export interface CapacityProbeResult {
  protocol: ProtocolName;
  method: 'autocannon' | 'clients';
  points: CapacityStep[];
  /** autocannon: highest rate that kept the SLO (null: not even the lowest step). */
  maxRatePerS?: number | null;
  /** autocannon: clients that rate carries at each poll interval (ms → clients). */
  clientsAtIntervalMs?: Record<string, number>;
  /** push: largest client count that kept the SLO. */
  maxClients?: number | null;
  /** The search stopped because of a bound (max steps, time, max rate) rather than a failing step. */
  bounded?: string;
  notes: string[];
}

/** results.json `capacity`: the probes and the SLO they were held to. */
export interface CapacitySection {
  slo: { p50Ms?: number; p90Ms?: number; p99Ms?: number; maxMs?: number };
  stepDurationMs: number;
  probes: CapacityProbeResult[];
  notes: string[];
}
