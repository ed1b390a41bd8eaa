/**
 * The bare WebSocket baseline (docs/perf.md, comparison 1): a `ws` server whose broadcast is
 * a loop of `ws.send(json)` over its clients, nothing else — no heartbeat, no resume,
 * no accounting, no slow-consumer check.
 */
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { nowMs } from '../../../core/clock.ts';
import { BareSource } from './source.ts';
import type { BareOptions, BareServer } from './types.ts';

/** Start the bare ws server on 127.0.0.1, any free port; clients connect to `${url}/ws`. */
export async function startBareWs(opts: BareOptions): Promise<BareServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(wss, 'listening');
  const releases: number[] = [];
  const source = new BareSource(opts.ratePerS, opts.sizeBytes, (json) => {
    const at = nowMs();
    for (const ws of wss.clients) ws.send(json);
    releases.push(nowMs() - at);
  });
  const address = wss.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => wss.clients.size,
    startSource: () => source.start(),
    stopSource: () => source.stop(),
    takeReleaseMs: () => releases.splice(0),
    close: () => {
      source.stop();
      for (const ws of wss.clients) ws.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}
