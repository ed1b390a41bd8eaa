/**
 * Child process of teardown.test.ts: runs the scenario named in argv[2], prints one JSON
 * report line, then must exit by itself. Each scenario ends a connection while bytes, a FIN
 * or an RST are in flight through a fault: a socket the proxy fails to close keeps its link
 * open and (Node 20) spins the process at 100 % CPU at exit, so the parent watches the exit.
 */
import type { Socket } from 'node:net';
import type { FaultProxy } from '../../network/proxy.ts';
import { resetSocket } from '../../network/reset-socket.ts';
import { observe, Resources, sleep, type Target, until } from './helpers.ts';

/** A peer that keeps sending while the fault holds the other side's bytes. */
const SEND_EVERY_MS = 20;
/** Long enough for the proxy to read the FIN/RST of a peer that has just closed. */
const SETTLE_MS = 200;

interface Setup {
  res: Resources;
  target: Target;
  proxy: FaultProxy;
  port: number;
}

/** Make `socket` send 100 bytes every SEND_EVERY_MS until it closes. */
function keepSending(socket: Socket): void {
  socket.on('data', () => {}); // read, so that its own close is a FIN, not an RST
  const timer = setInterval(() => {
    if (socket.writable) socket.write('x'.repeat(100));
  }, SEND_EVERY_MS);
  socket.on('close', () => clearInterval(timer));
}

/** What a scenario saw that the parent checks too (e.g. the far peer's end and error). */
type Facts = Record<string, unknown>;

/** Bytes read up to the peer's FIN. */
async function readUntilEnd(seen: ReturnType<typeof observe>): Promise<number> {
  await until(() => seen.ended || seen.closed, 3_000, 'the FIN');
  return seen.bytes;
}

/**
 * After the peer's FIN, write once: the write fails (ECONNRESET/EPIPE) only if the peer also
 * sent an RST. A socket that has read its FIN stops reading, so only a write can tell.
 */
async function writeAfterEnd(socket: Socket, seen: ReturnType<typeof observe>): Promise<string> {
  await readUntilEnd(seen);
  await sleep(SETTLE_MS); // an RST sent right after the FIN has arrived by now (loopback)
  socket.write('?');
  await until(() => seen.errorCode !== undefined, 1_000, 'an error on write').catch(() => {});
  return seen.errorCode ?? 'none';
}

const SCENARIOS: Record<string, (s: Setup) => Promise<Facts>> = {
  /** The reported case: the client gives up during a blackhole while the server keeps sending. */
  async 'blackhole-client-destroyed'({ res, target, proxy, port }) {
    target.server.on('connection', keepSending);
    const { client } = await res.pair(port, target);
    client.write('hello');
    await sleep(SETTLE_MS);
    const fault = proxy.apply({ kind: 'blackhole' });
    client.write('during');
    await sleep(SETTLE_MS);
    client.destroy();
    // A connection opened during the blackhole and abandoned there.
    const late = await res.pair(port, target);
    late.client.write('GET / HTTP/1.1\r\n\r\n');
    await sleep(SETTLE_MS);
    late.client.destroy();
    await sleep(SETTLE_MS);
    fault.remove();
    return {};
  },

  /** The same during a flap's down phase: the up phase (a timer) delivers what was held. */
  async 'flap-client-destroyed'({ res, target, proxy, port }) {
    target.server.on('connection', keepSending);
    const { client } = await res.pair(port, target);
    proxy.apply({ kind: 'flap', downMs: 3 * SETTLE_MS, upMs: 60_000 });
    client.write('during');
    await sleep(SETTLE_MS);
    client.destroy();
    return {};
  },

  /** Mirror image: the server goes away during a blackhole while the client keeps sending. */
  async 'blackhole-server-destroyed'({ res, target, proxy, port }) {
    const { client, server } = await res.pair(port, target);
    server.on('data', () => {});
    keepSending(client);
    const fault = proxy.apply({ kind: 'blackhole' });
    server.write('during');
    await sleep(SETTLE_MS);
    server.destroy();
    await sleep(SETTLE_MS);
    fault.remove();
    return {};
  },

  /** Upstream blackholed: the client half-closes, then resets; FIN and RST are held, then sent at once. */
  async 'blackhole-fin-then-rst'({ res, target, proxy, port }) {
    const { client, server } = await res.pair(port, target);
    const atServer = observe(server);
    const fault = proxy.apply({ kind: 'blackhole', direction: 'up' });
    client.write('bye');
    client.end();
    await sleep(SETTLE_MS);
    client.resetAndDestroy();
    await sleep(SETTLE_MS);
    server.write('ping'); // the proxy learns of the RST only by writing to the reset socket
    await sleep(SETTLE_MS);
    fault.remove();
    return {
      serverBytes: await readUntilEnd(atServer),
      serverWriteError: await writeAfterEnd(server, atServer),
    };
  },

  /** A close fault and a reset fault in the same tick: the RST follows FINs not yet sent. */
  async 'close-then-reset'({ res, target, proxy, port }) {
    const { client, server } = await res.pair(port, target);
    const atClient = observe(client);
    const atServer = observe(server);
    proxy.apply({ kind: 'close' });
    proxy.apply({ kind: 'reset' });
    const [clientWriteError, serverWriteError] = await Promise.all([
      writeAfterEnd(client, atClient),
      writeAfterEnd(server, atServer),
    ]);
    return { clientWriteError, serverWriteError };
  },

  /** resetSocket() right after end(), no proxy: the FIN goes out, then the RST. */
  async 'reset-socket-after-end'({ res, target }) {
    const client = await res.client(target.port);
    const server = await target.accepted();
    const atServer = observe(server);
    client.write('bye');
    client.end();
    resetSocket(client);
    await until(() => client.closed, 3_000, 'the client socket to close');
    return {
      serverBytes: await readUntilEnd(atServer),
      serverWriteError: await writeAfterEnd(server, atServer),
    };
  },

  /** resetSocket() after end() with bytes still queued (no shutdown asked for yet): an RST at once. */
  async 'reset-socket-after-end-queued'({ res, target }) {
    const client = await res.client(target.port);
    const atClient = observe(client);
    (await target.accepted()).pause(); // the peer does not read: the bytes stay queued
    client.write(Buffer.alloc(8 * 1024 * 1024));
    client.end();
    const queuedBytes = client.writableLength;
    resetSocket(client);
    await until(() => atClient.closed, 3_000, 'the client socket to close');
    return { queuedBytes, clientError: atClient.errorCode ?? 'none' };
  },

  /** A close while a blackhole holds bytes (and the client's FIN): they are dropped, both peers get FIN. */
  async 'close-while-held'({ res, target, proxy, port }) {
    const { client, server } = await res.pair(port, target);
    const atClient = observe(client);
    const atServer = observe(server);
    for (const peer of [client, server]) peer.on('end', () => peer.end()); // answer the FIN, no grace wait
    proxy.apply({ kind: 'blackhole' });
    client.write('up');
    server.write('down');
    client.end();
    await sleep(SETTLE_MS);
    proxy.apply({ kind: 'close' });
    await until(() => atClient.ended && atServer.ended, 3_000, 'both peers to see FIN');
    return {
      clientBytes: atClient.bytes,
      serverBytes: atServer.bytes,
      errors: [atClient.errorCode, atServer.errorCode],
    };
  },

  /** A reset while a blackhole holds bytes and a FIN in both directions. */
  async 'reset-while-held'({ res, target, proxy, port }) {
    const { client, server } = await res.pair(port, target);
    proxy.apply({ kind: 'blackhole' });
    client.write('up');
    server.write('down');
    client.end();
    server.end();
    await sleep(SETTLE_MS);
    proxy.apply({ kind: 'reset' });
    return {};
  },
};

async function main(name: string): Promise<void> {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario ${JSON.stringify(name)}`);
  const res = new Resources();
  const target = await res.target();
  const { proxy, port } = await res.proxy(target);
  const facts = await scenario({ res, target, proxy, port });
  const allClosed = (): boolean => proxy.connections().every((c) => c.closedAtMs !== undefined);
  const linksClosed = await until(allClosed, 3_000, 'every link to close').then(
    () => true,
    () => false,
  );
  const openLinks = proxy.connections().filter((c) => c.closedAtMs === undefined).length;
  let started = performance.now();
  await res.closeAll(); // proxy.close() included
  const closeMs = performance.now() - started;
  started = performance.now();
  await sleep(50);
  const timerLagMs = performance.now() - started - 50;
  console.log(JSON.stringify({ scenario: name, linksClosed, openLinks, closeMs, timerLagMs, ...facts }));
}

await main(process.argv[2] ?? '');
