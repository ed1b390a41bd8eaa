/**
 * The protocol registry: one plugin file per protocol; adding one = a new file
 * and one line here (plus its name in core/types.ts PROTOCOLS).
 */
import type { FastifyInstance } from 'fastify';
import type { ProtocolName } from '../core/types.ts';
import type { ServerContext } from './context.ts';
import { longPoll } from './long-poll.ts';
import { shortPoll } from './short-poll.ts';
import { socketIo } from './socket-io.ts';
import { sse } from './sse.ts';
import { websocket } from './websocket.ts';

export type ProtocolPlugin = (app: FastifyInstance, ctx: ServerContext) => void | Promise<void>;

export const PROTOCOL_PLUGINS: Record<ProtocolName, ProtocolPlugin> = {
  'short-poll': shortPoll,
  'long-poll': longPoll,
  sse,
  websocket,
  'socket.io': socketIo,
};
