/**
 * A generator's clients: built from a GeneratorConfig, started evenly over rampUpMs,
 * recorded by one Recorder, stopped together. runner/generator.ts wraps this in the
 * IPC protocol; tests use it in-process.
 */
import { PushbenchError } from '../core/errors.ts';
import { isLoopbackHost } from '../core/loopback.ts';
import { isProtocolName, type ProtocolName } from '../core/types.ts';
import {
  type ClientSettings,
  type ClientSettingsInput,
  clientConfig,
  DEFAULT_CLIENT_SETTINGS,
} from './client.ts';
import { Recorder } from './metrics.ts';
import { createClient, type PushClient } from './registry.ts';
import type { WorkerReport } from './report-types.ts';
import { pollPhaseMs } from './short-poll.ts';

/** What the runner sends in `{type:'init', config}`. Client settings are flat, like ClientConfig. */
export interface GeneratorConfig extends Partial<Omit<ClientSettings, 'heartbeat' | 'backoff'>> {
  workerIndex: number;
  protocol: ProtocolName;
  clientIds: string[];
  /** The server (or, once the proxy is integrated, what the proxy forwards to). */
  targetUrl: string;
  heartbeat?: Partial<ClientSettings['heartbeat']>;
  backoff?: Partial<ClientSettings['backoff']>;
  /** Clients start evenly spread over this. */
  rampUpMs: number;
  /** Epoch ms: latencies received before it are not recorded. */
  warmUpEndsAtMs: number;
  /** Epoch ms: the end of the measured window (requests per second count inside it). */
  measureEndsAtMs?: number;
  /** A non-loopback target is refused unless this is true. */
  allowRemote?: boolean;
}

export interface Progress {
  connected: number;
  delivered: number;
  p99Ms: number;
  atMs: number;
}

/** Ramp timer resolution (ms): clients due within one tick start together. */
const RAMP_TICK_MS = 10;

/** Check an init config; every problem reported at once (PB_BAD_OPTION), non-loopback refused. */
export function validateGeneratorConfig(config: GeneratorConfig): void {
  const c = (config ?? {}) as Partial<GeneratorConfig>;
  const problems: string[] = [];
  if (!Number.isInteger(c.workerIndex)) problems.push('workerIndex: expected an integer');
  if (typeof c.protocol !== 'string' || !isProtocolName(c.protocol))
    problems.push('protocol: expected a protocol name');
  if (!Array.isArray(c.clientIds) || !c.clientIds.every((id) => typeof id === 'string' && id !== '')) {
    problems.push('clientIds: expected a list of non-empty strings');
  } else if (new Set(c.clientIds).size !== c.clientIds.length) {
    problems.push('clientIds: expected unique ids');
  }
  if (!(typeof c.rampUpMs === 'number' && c.rampUpMs >= 0)) problems.push('rampUpMs: expected a number ≥ 0');
  if (typeof c.warmUpEndsAtMs !== 'number') problems.push('warmUpEndsAtMs: expected epoch ms');
  let host = '';
  try {
    host = new URL(String(c.targetUrl)).hostname;
  } catch {
    problems.push(
      `targetUrl: expected a URL such as http://127.0.0.1:8080, got ${JSON.stringify(c.targetUrl)}`,
    );
  }
  if (problems.length) throw new PushbenchError('PB_BAD_OPTION', problems.join('; '), problems);
  if (!c.allowRemote && !isLoopbackHost(host))
    throw new PushbenchError('PB_REMOTE_TARGET', `targetUrl: ${host} is not a loopback address`);
}

/** The client settings carried flat in a GeneratorConfig (only the keys clients know). */
function clientSettingsOf(config: GeneratorConfig): ClientSettingsInput {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_CLIENT_SETTINGS)) {
    const value = (config as unknown as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  if (config.target) out.target = config.target;
  return out as ClientSettingsInput;
}

export class Fleet {
  readonly recorder: Recorder;
  private readonly clients: PushClient[];
  private rampTimer: NodeJS.Timeout | undefined;
  private started = 0;

  /** `baseUrlFor` lets the proxy hook give each client its lane; default: config.targetUrl. */
  constructor(
    private readonly config: GeneratorConfig,
    baseUrlFor: (id: string, index: number) => string = () => config.targetUrl,
  ) {
    validateGeneratorConfig(config);
    this.recorder = new Recorder({
      workerIndex: config.workerIndex,
      protocol: config.protocol,
      warmUpEndsAtMs: config.warmUpEndsAtMs,
      measureEndsAtMs: config.measureEndsAtMs,
    });
    const settings = clientSettingsOf(config);
    const n = config.clientIds.length;
    this.clients = config.clientIds.map((id, i) => {
      const c = clientConfig({ id, protocol: config.protocol, baseUrl: baseUrlFor(id, i) }, settings);
      // short-poll: each client its own random phase against the source (clients/short-poll.ts).
      if (config.protocol === 'short-poll') c.pollPhaseMs = pollPhaseMs(i, n, c.pollIntervalMs);
      return createClient(c, this.recorder);
    });
  }

  get size(): number {
    return this.clients.length;
  }

  /** Start the clients evenly over rampUpMs (client i at i × rampUpMs / n). */
  start(): void {
    if (this.rampTimer || this.started > 0) return;
    const startAt = performance.now();
    const stepMs = this.clients.length > 0 ? this.config.rampUpMs / this.clients.length : 0;
    const tick = (): void => {
      const elapsed = performance.now() - startAt;
      while (this.started < this.clients.length && this.started * stepMs <= elapsed) {
        this.startOne(this.clients[this.started++]);
      }
      this.rampTimer = this.started < this.clients.length ? setTimeout(tick, RAMP_TICK_MS) : undefined;
    };
    tick();
  }

  /** connected / delivered / p99 of the last full second, for the runner's progress line. */
  progress(): Progress {
    const r = this.recorder;
    return { connected: r.connected, delivered: r.delivered, p99Ms: r.currentP99Ms(), atMs: Date.now() };
  }

  /** Ids of the clients whose highWaterSeq is below their target (the last message they should hold). */
  behind(targetOf: (id: string) => number): string[] {
    return this.clients.filter((c) => c.highWaterSeq < targetOf(c.id)).map((c) => c.id);
  }

  /** Stop every client (sockets closed), then the final report. */
  async stop(): Promise<WorkerReport> {
    clearTimeout(this.rampTimer);
    this.rampTimer = undefined;
    this.started = this.clients.length;
    await Promise.all(
      this.clients.map((c) => c.stop().catch(() => this.recorder.countError('client-crash'))),
    );
    const report = this.recorder.snapshot();
    this.recorder.close();
    return report;
  }

  private startOne(client: PushClient): void {
    try {
      client.start();
    } catch {
      this.recorder.countError('client-crash');
    }
  }
}
