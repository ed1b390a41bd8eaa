/**
 * The bare SSE baseline (docs/perf.md, comparison 5): a `node:http` server whose broadcast
 * is a loop of `res.write(event)` over its open streams (the event text formatted once
 * per message), nothing else.
 */
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { nowMs } from '../../../core/clock.ts';
import { BareSource } from './source.ts';
import type { BareOptions, BareServer } from './types.ts';

/** Start the bare SSE server on 127.0.0.1, any free port; any GET path opens a stream. */
export async function startBareSse(opts: BareOptions): Promise<BareServer> {
  const streams = new Set<ServerResponse>();
  let seq = 0;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': hello\n\n');
    streams.add(res);
    req.socket.setNoDelay(true);
    res.once('close', () => streams.delete(res));
  });
  const releases: number[] = [];
  const source = new BareSource(opts.ratePerS, opts.sizeBytes, (json) => {
    const at = nowMs();
    const event = `id: ${++seq}\ndata: ${json}\n\n`;
    for (const res of streams) res.write(event);
    releases.push(nowMs() - at);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => streams.size,
    startSource: () => source.start(),
    stopSource: () => source.stop(),
    takeReleaseMs: () => releases.splice(0),
    close: () => {
      source.stop();
      for (const res of streams) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
