/**
 * `GET /stats`: the ServerStats JSON of docs/wire.md (per-protocol connections,
 * messages, socket bytes, requests; zombies reaped; process cost).
 */
import type { FastifyInstance } from 'fastify';
import type { ProtocolName } from '../core/types.ts';
import { type ServerContext, ZOMBIE_EVENTS_IN_STATS, type ZombieEvent } from './context.ts';
import type { ProcessSampler, ProcessStats } from './process-stats.ts';

export interface ProtocolStats {
  connections: number;
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  requests: number;
  /** Extension: connections cut because the client stopped reading. */
  slowConsumers: number;
}

export interface ServerStats {
  source: { lastSeq: number; oldestSeq: number; published: number; retained: number };
  protocols: Partial<Record<ProtocolName, ProtocolStats>>;
  zombies: { reaped: number; events: ZombieEvent[] };
  process: ProcessStats;
}

/** Snapshot every figure (bytes include connections still open). */
export function buildStats(ctx: ServerContext, sampler: ProcessSampler): ServerStats {
  const protocols: Partial<Record<ProtocolName, ProtocolStats>> = {};
  for (const [protocol, c] of ctx.counters) {
    const bytes = ctx.meter.totalsFor(protocol);
    protocols[protocol] = {
      connections: ctx.meter.connections(protocol),
      messagesSent: c.messagesSent,
      messagesReceived: c.messagesReceived,
      bytesSent: bytes.bytesSent,
      bytesReceived: bytes.bytesReceived,
      requests: c.requests,
      slowConsumers: c.slowConsumers,
    };
  }
  const { source } = ctx;
  return {
    source: {
      lastSeq: source.lastSeq,
      oldestSeq: source.oldestSeq,
      published: source.lastSeq,
      retained: source.retained,
    },
    protocols,
    zombies: { reaped: ctx.zombiesReaped, events: ctx.zombieEvents.slice(-ZOMBIE_EVENTS_IN_STATS) },
    process: sampler.snapshot(),
  };
}

/** Register GET /stats. */
export function statsRoute(app: FastifyInstance, stats: () => ServerStats): void {
  app.get('/stats', async (_req, reply) => reply.header('cache-control', 'no-store').send(stats()));
}
