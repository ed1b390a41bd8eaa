/**
 * reset: destroys both sides with RST (ECONNRESET at the client and the server). Acts on
 * the connections open when applied and, while active, on every new connection at accept
 * (the client is reset before the proxy connects to the server).
 */
import type { ConnectionToxicDefinition } from '../types.ts';

export const reset: ConnectionToxicDefinition = {
  scope: 'connection',
  params: {},
  act: (_params, conn) => conn.reset(),
};
