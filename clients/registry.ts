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
import { TargetLongPollClient } from './target/long-poll.ts';
import { TargetSocketIoClient } from './target/socket-io.ts';
import { TargetSseClient } from './target/sse.ts';
import { TargetWebSocketClient } from './target/websocket.ts';
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

/** Clients of a target that does not speak pushbench's wire (config.target; docs/targets.md). */
const TARGET_CLIENTS: Partial<
  Record<ProtocolName, new (config: ClientConfig, recorder: Recorder) => BaseClient>
> = {
  'long-poll': TargetLongPollClient,
  sse: TargetSseClient,
  websocket: TargetWebSocketClient,
  'socket.io': TargetSocketIoClient,
};

/** A simulated client of config.protocol, recording into `recorder` (not started yet). */
export function createClient(config: ClientConfig, recorder: Recorder): PushClient {
  const Client = config.target ? TARGET_CLIENTS[config.protocol] : CLIENTS[config.protocol];
  if (!Client) throw new TypeError(`unknown protocol ${JSON.stringify(config.protocol)}`);
  return new Client(config, recorder);
}
