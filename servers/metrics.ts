/**
 * `GET /metrics`: the same figures as /stats in the Prometheus text format
 * (version 0.0.4), names carrying their unit.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerStats } from './stats.ts';

type Sample = [labels: Record<string, string>, value: number];

function family(name: string, type: 'gauge' | 'counter', help: string, samples: Sample[]): string {
  let out = `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
  for (const [labels, value] of samples) {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`)
      .join(',');
    out += `${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 0}\n`;
  }
  return out;
}

/** Render stats as Prometheus text. */
export function prometheusText(s: ServerStats): string {
  const per = (pick: (p: NonNullable<ServerStats['protocols']['websocket']>) => number): Sample[] =>
    Object.entries(s.protocols).map(([protocol, p]) => [{ protocol }, pick(p!)]);
  return [
    family(
      'pushbench_connections',
      'gauge',
      'Open connections per protocol.',
      per((p) => p.connections),
    ),
    family(
      'pushbench_messages_sent_total',
      'counter',
      'Envelopes pushed to clients.',
      per((p) => p.messagesSent),
    ),
    family(
      'pushbench_messages_received_total',
      'counter',
      'Messages (WebSocket frames) received from clients.',
      per((p) => p.messagesReceived),
    ),
    family(
      'pushbench_bytes_sent_total',
      'counter',
      'Socket bytes written (headers and framing included).',
      per((p) => p.bytesSent),
    ),
    family(
      'pushbench_bytes_received_total',
      'counter',
      'Socket bytes read (headers and framing included).',
      per((p) => p.bytesReceived),
    ),
    family(
      'pushbench_requests_total',
      'counter',
      'HTTP requests (WebSocket: upgrade requests).',
      per((p) => p.requests),
    ),
    family(
      'pushbench_slow_consumers_total',
      'counter',
      'Connections cut because the client stopped reading.',
      per((p) => p.slowConsumers),
    ),
    family('pushbench_zombies_reaped_total', 'counter', 'Dead peers terminated by the server heartbeat.', [
      [{}, s.zombies.reaped],
    ]),
    family('pushbench_source_last_seq', 'gauge', 'Highest seq published.', [[{}, s.source.lastSeq]]),
    family('pushbench_source_retained', 'gauge', 'Messages in the retention window.', [
      [{}, s.source.retained],
    ]),
    family('process_cpu_percent', 'gauge', 'CPU % of one core over the last second.', [
      [{}, s.process.cpuPct],
    ]),
    family('process_cpu_user_seconds_total', 'counter', 'User CPU time.', [[{}, s.process.cpuUserMs / 1000]]),
    family('process_cpu_system_seconds_total', 'counter', 'System CPU time.', [
      [{}, s.process.cpuSystemMs / 1000],
    ]),
    family('process_resident_memory_bytes', 'gauge', 'Resident set size.', [
      [{}, Math.round(s.process.rssMB * 1024 * 1024)],
    ]),
    family('nodejs_eventloop_delay_p99_seconds', 'gauge', 'Event-loop delay p99 over the last second.', [
      [{}, s.process.eventLoopP99Ms / 1000],
    ]),
  ].join('');
}

/** Register GET /metrics. */
export function metricsRoute(app: FastifyInstance, stats: () => ServerStats): void {
  app.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(prometheusText(stats())),
  );
}
