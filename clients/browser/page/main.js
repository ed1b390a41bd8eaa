/**
 * The page's entry: `window.pushbench.start(config)` starts one client (the host calls it
 * with a PageConfig, clients/browser/types.ts), `window.pushbench.stop()` closes it and
 * returns its last batch. Opened by hand with `?protocol=websocket` (or sse, short-poll,
 * long-poll, socket.io) it starts at once with the defaults below and shows its counters.
 */
import { LongPollClient, ShortPollClient } from './polling.js';
import { loadSocketIo, SocketIoClient } from './socket-io.js';
import { SseClient } from './sse.js';
import { WebSocketClient } from './websocket.js';

const CLIENTS = {
  'short-poll': ShortPollClient,
  'long-poll': LongPollClient,
  sse: SseClient,
  websocket: WebSocketClient,
  'socket.io': SocketIoClient,
};

/** The defaults of core/defaults.ts, for a page opened by hand. */
const MANUAL_DEFAULTS = {
  pollIntervalMs: 1000,
  pollTimeoutMs: 5000,
  longPollWaitMs: 25000,
  longPollMarginMs: 5000,
  sseKeepAliveMs: 15000,
  sseIdleFactor: 2,
  heartbeat: { intervalMs: 3000, timeoutMs: 3000, giveUp: 'close' },
  backoff: { initialMs: 500, factor: 2, maxMs: 10000, jitter: 0.5 },
  socketio: { pingIntervalMs: 25000, pingTimeoutMs: 20000, transport: 'websocket' },
};

let client;

function start(config) {
  const Client = CLIENTS[config.protocol];
  if (!Client) throw new Error(`unknown protocol ${JSON.stringify(config.protocol)}`);
  if (client) throw new Error('already started');
  client = new Client(config);
  client.start();
  return true;
}

function stop() {
  return client ? client.stop() : undefined;
}

const params = new URLSearchParams(location.search);
window.pushbench = { ready: false, start, stop, state: () => client?.state ?? 'idle' };
// socket.io pages load Socket.IO's bundle as part of the page load (its bytes are not the run's).
const preload = params.get('preload') === 'socket.io' ? loadSocketIo() : Promise.resolve();
preload.then(
  () => {
    window.pushbench.ready = true;
  },
  (err) => {
    document.getElementById('out').textContent = `could not load Socket.IO's bundle: ${err}`;
  },
);

const manual = params.get('protocol');
if (manual) {
  start({ ...MANUAL_DEFAULTS, id: `page-${Math.floor(Math.random() * 1e6)}`, protocol: manual });
  const out = document.getElementById('out');
  setInterval(() => {
    out.textContent = `${manual} · ${client.state}\n${JSON.stringify(client.stats, null, 2)}`;
  }, 500);
}
