/**
 * close: ends both sides with FIN (each sees a clean end). Acts on the connections open
 * when applied and, while active, on every new connection at accept (the client gets a
 * FIN before the proxy connects to the server). Bytes held by other faults are dropped.
 */
import type { ConnectionToxicDefinition } from '../types.ts';

export const close: ConnectionToxicDefinition = {
  scope: 'connection',
  params: {},
  act: (_params, conn) => conn.close(),
};
