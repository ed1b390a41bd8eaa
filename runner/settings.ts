/**
 * What a scenario means for each process: the server's options and the clients' settings.
 * One place, used by the runner, the browser host and the engines.
 */
import type { TargetClientConfig } from '../clients/client.ts';
import { targetProfile } from '../clients/profiles/registry.ts';
import type { ProtocolName } from '../core/types.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { ServerOptions } from '../servers/options.ts';
import type { AppliedFaultWindow } from './aggregate.ts';
import type { GeneratorFault } from './faults.ts';

/** The server options a scenario implies for one protocol's server process. */
export function scenarioServerOptions(s: Scenario, protocol: ProtocolName): ServerOptions {
  return {
    protocols: [protocol],
    ratePerS: s.source.ratePerS,
    sizeBytes: s.source.sizeBytes,
    pattern: s.source.pattern,
    burstSize: s.source.burstSize,
    retentionCount: s.server.retentionCount,
    retentionMs: s.server.retentionMs,
    longPollWaitMs: s.longPoll.waitMs,
    sseKeepAliveMs: s.sse.keepAliveMs,
    serverPingIntervalMs: s.server.serverPingIntervalMs,
    payload: s.source.payload,
    perMessageDeflate: s.compression.websocket === 'permessage-deflate',
    httpCompression: s.compression.http === 'gzip',
    socketioPingIntervalMs: s.socketio.pingIntervalMs,
    socketioPingTimeoutMs: s.socketio.pingTimeoutMs,
  };
}

/** The protocol settings every client (Node or browser page) takes from a scenario. */
export function scenarioClientSettings(s: Scenario) {
  return {
    pollIntervalMs: s.poll.intervalMs,
    pollTimeoutMs: s.poll.timeoutMs,
    longPollWaitMs: s.longPoll.waitMs,
    longPollMarginMs: s.longPoll.marginMs,
    sseKeepAliveMs: s.sse.keepAliveMs,
    sseIdleFactor: s.sse.idleFactor,
    heartbeat: s.heartbeat,
    backoff: s.backoff,
    perMessageDeflate: s.compression.websocket === 'permessage-deflate',
    httpCompression: s.compression.http === 'gzip',
    socketio: s.socketio,
  };
}

/**
 * A target's settings for one protocol's clients (docs/targets.md): `target` for the clients in
 * clients/target/; nothing for the pushbench profile, whose server speaks pushbench's own wire.
 */
export function targetClientSettings(s: Scenario, protocol: ProtocolName): { target?: TargetClientConfig } {
  const t = s.target;
  if (!t || targetProfile(t.profile)?.wire !== 'target') return {};
  return {
    target: {
      profile: t.profile,
      path: t.paths[protocol] ?? '/',
      resume: t.resume[protocol] ?? 'none',
      message: t.message,
      ...(t.event ? { event: t.event } : {}),
    },
  };
}

/** The scenario's fault windows as one process applies them: only its own clients in each. */
export function scenarioFaults(
  s: Scenario,
  windows: AppliedFaultWindow[],
  clientIds: string[],
): GeneratorFault[] {
  const mine = new Set(clientIds);
  return windows.map((w, i) => ({
    kind: w.kind,
    startMs: w.startMs,
    endMs: w.endMs,
    direction: s.faults[i].direction,
    params: s.faults[i].params,
    clientIds: [...w.clientIds].filter((id) => mine.has(id)),
  }));
}
