/**
 * The run fields that say which variant of a protocol ran (results.json `payload`,
 * `compression`, `socketio`): set from the scenario, and for socket.io counted from the
 * reconnect events (what resumed each completed reconnect).
 */
import type { ReconnectEvent } from '../clients/report-types.ts';
import type { ProtocolName, RunResult } from '../core/types.ts';
import type { Scenario } from '../scenarios/schema.ts';

export function variantInfo(
  s: Scenario,
  protocol: ProtocolName,
  events: ReconnectEvent[],
): Pick<RunResult, 'payload' | 'compression' | 'socketio'> {
  const out: Pick<RunResult, 'payload' | 'compression' | 'socketio'> = { payload: s.source.payload };
  const ws = protocol === 'websocket' || protocol === 'socket.io';
  if (ws && s.compression.websocket === 'permessage-deflate') out.compression = 'permessage-deflate';
  if (!ws && s.compression.http === 'gzip') out.compression = 'gzip';
  if (protocol === 'socket.io') {
    const resumedBy = { recovery: 0, seq: 0 };
    for (const e of events) if (e.openAtMs !== undefined && e.resumedBy) resumedBy[e.resumedBy]++;
    out.socketio = {
      transport: s.socketio.transport,
      pingIntervalMs: s.socketio.pingIntervalMs,
      pingTimeoutMs: s.socketio.pingTimeoutMs,
      resumedBy,
    };
  }
  return out;
}
