/** soak.json, written by `npm run soak` (fields: docs/reliability.md). */
import type { ProtocolName } from '../../core/types.ts';

export const SOAK_SCHEMA_ID = 'pushbench/soak@1';

export interface SoakProtocol {
  clients: number;
  /** Messages the source published that each client should hold, summed over the clients. */
  expected: number;
  delivered: number;
  lost: number;
  /** Messages announced gone by a retention gap (lost because retention did not cover the outage). */
  gapsLost: number;
  duplicates: number;
  outOfOrder: number;
  behindAtEnd: string[];
  reconnects: number;
  /** Fault survival: clients in a fault window, of them those that declared a connection dead, reopened, caught up. */
  faults: { affected: number; detected: number; reconnected: number; caughtUp: number };
  errors?: Record<string, number>;
}

export interface SoakBadInput {
  name: string;
  input: string;
  rule: string;
  expected: string;
  tried: number;
  /** Answers that were the documented one. */
  answered: number;
  /** What came back the last time it was not the documented answer (else the last answer), with when it was sent (s, series clock). */
  got: string;
}

export interface SoakReport {
  schema: typeof SOAK_SCHEMA_ID;
  quick: boolean;
  startedAt: string;
  wallMs: number;
  environment: { node: string; platform: string; cpus: number; loadAvg1mStart: number; loadAvg1mEnd: number };
  settings: {
    protocols: ProtocolName[];
    clientsPerProtocol: number;
    rampUpMs: number;
    warmUpMs: number;
    durationMs: number;
    ratePerS: number;
    sizeBytes: number;
    flap: { percent: number; upMs: number; downMs: number; forMs: number };
    reset: { percent: number; everyMs: number; count: number };
    burst: { size: number; everyMs: number };
    probeEveryMs: number;
    retention: { count: number; ms: number };
  };
  published: { total: number; bursts: number; burstMessagesSent: number; burstMessagesAccepted: number };
  protocols: Partial<Record<ProtocolName, SoakProtocol>>;
  badInputs: { tried: number; answered: number; failing: string[]; inputs: SoakBadInput[] };
  server: {
    rssMB: { start: number; afterWarmUp: number; end: number; growthPct: number };
    /** Open file descriptors (/proc/PID/fd): before any client, at the end of the load, after the clients left. */
    fds: { start: number | null; endOfLoad: number | null; afterClients: number | null };
    eventLoopP99Ms: { max: number; median: number };
    zombiesReaped: number;
    /** One sample a second from the start of the ramp-up (s) to the end of the load. */
    series: Array<{
      atS: number;
      rssMB: number;
      fds: number | null;
      eventLoopP99Ms: number;
      connections: number;
    }>;
  };
  /** Whether retention held every outage: the longest a client could be cut off vs retention. */
  retention: { longestOutageMs: number; messagesInOutage: number; covered: boolean };
  pass: boolean;
  failures: string[];
}
