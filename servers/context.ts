/**
 * What every protocol plugin shares: the resolved options, the message source,
 * the byte meter, per-protocol counters, the zombie log and the shutdown hooks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SERVER_DEFAULTS } from '../core/defaults.ts';
import type { ProtocolName } from '../core/types.ts';
import type { ByteMeter } from './meter.ts';
import { PollAnswers } from './poll-answer.ts';
import type { MessageSource } from './source.ts';

export type ResolvedOptions = typeof SERVER_DEFAULTS & { protocols: ProtocolName[]; benchPageDir?: string };

export interface ProtocolCounters {
  messagesSent: number;
  messagesReceived: number;
  requests: number;
  /** Connections cut because the client stopped reading (send buffer over the limit). */
  slowConsumers: number;
}

export interface ZombieEvent {
  protocol: ProtocolName;
  client: string;
  /** Epoch ms when the server freed the connection. */
  atMs: number;
  /** Epoch ms of the last sign of life (pong or open). */
  lastSeenMs: number;
}

/** Keep the zombie log bounded (the count keeps counting); GET /stats shows the latest 1,000. */
const MAX_ZOMBIE_EVENTS = 200_000;
export const ZOMBIE_EVENTS_IN_STATS = 1_000;

export class ServerContext {
  readonly counters = new Map<ProtocolName, ProtocolCounters>();
  readonly zombieEvents: ZombieEvent[] = [];
  zombiesReaped = 0;
  /** Poll answers shared by short-poll and long-poll (cached per since). */
  readonly polls: PollAnswers;
  shuttingDown = false;
  /** Bound to loopback: requests must name a loopback Host (servers/app.ts, DNS rebinding). */
  checksHost = true;
  /** Connections accepted beyond maxConnections: their requests are refused (servers/app.ts). */
  readonly overLimit = new WeakSet<object>();
  /**
   * A route's way to take a request before fastify routes it (servers/long-poll.ts: held
   * long polls); returns true when it did. Set by at most one route.
   */
  directRequest?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Called at shutdown, before the HTTP server closes: end streams, answer held polls, close sockets. */
  private readonly closers: Array<() => Promise<void> | void> = [];

  constructor(
    readonly options: ResolvedOptions,
    readonly source: MessageSource,
    readonly meter: ByteMeter,
  ) {
    this.polls = new PollAnswers(source, options.pollCacheBytes);
    for (const p of options.protocols) {
      this.counters.set(p, { messagesSent: 0, messagesReceived: 0, requests: 0, slowConsumers: 0 });
    }
  }

  /** Counters of an enabled protocol. */
  count(protocol: ProtocolName): ProtocolCounters {
    const c = this.counters.get(protocol);
    if (!c) throw new TypeError(`protocol ${protocol} is not enabled`);
    return c;
  }

  recordZombie(event: ZombieEvent): void {
    this.zombiesReaped++;
    this.zombieEvents.push(event);
    if (this.zombieEvents.length > MAX_ZOMBIE_EVENTS) this.zombieEvents.shift();
  }

  onShutdown(closer: () => Promise<void> | void): void {
    this.closers.push(closer);
  }

  /** Run every shutdown hook (in parallel). */
  async runClosers(): Promise<void> {
    await Promise.all(this.closers.map(async (c) => c()));
  }
}
