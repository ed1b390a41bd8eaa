/**
 * Protocol name → client class: adding a protocol is one file and one line here.
 */
import type { ProtocolName } from '../core/types.ts';
import type { BaseClient, ClientConfig, PushClient } from './client.ts';
import { LongPollClient } from './long-poll.ts';
import type { Recorder } from './metrics.ts';
import { ShortPollClient } from './short-poll.ts';
import { SocketIoClient } from './socket-io.ts';
import { SseClient } from './sse.ts';
import { WebSocketClient } from './websocket.ts';

export type { ClientConfig, ClientSettings, ClientState, PushClient } from './client.ts';
export { clientConfig, DEFAULT_CLIENT_SETTINGS } from './client.ts';

const CLIENTS: Record<ProtocolName, new (config: ClientConfig, recorder: Recorder) => BaseClient> = {
  'short-poll': ShortPollClient,
  'long-poll': LongPollClient,
  sse: SseClient,
  websocket: WebSocketClient,
  'socket.io': SocketIoClient,
};

/** A simulated client of config.protocol, recording into `recorder` (not started yet). */
export function createClient(config: ClientConfig, recorder: Recorder): PushClient {
  const Client = CLIENTS[config.protocol];
  if (!Client) throw new TypeError(`unknown protocol ${JSON.stringify(config.protocol)}`);
  return new Client(config, recorder);
}
