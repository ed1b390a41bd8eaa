/**
 * The prebuilt broadcast (servers/ws-frame.ts) reads ws internals. When they are missing or
 * shaped differently, every frame must still arrive through ws.send / ws.ping, with one warning.
 * Real sockets on 127.0.0.1 port 0; the internals are removed on the server's real ws object.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { directSocket, prepareText, sendPing, sendPrepared } from '../../servers/ws-frame.ts';

type Internals = Record<string, unknown>;

describe('ws-frame: fallback to ws.send when ws internals are not as expected', () => {
  let wss: WebSocketServer;
  const clients: WebSocket[] = [];

  before(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await once(wss, 'listening');
  });
  after(async () => {
    for (const c of clients) c.terminate();
    for (const ws of wss.clients) ws.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });

  /** A connected pair: the server side's ws object and the client. */
  async function pair(): Promise<{ server: WebSocket; client: WebSocket }> {
    const port = (wss.address() as { port: number }).port;
    const connected = once(wss, 'connection');
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    clients.push(client);
    const [[server]] = (await Promise.all([connected, once(client, 'open')])) as [[WebSocket], unknown];
    return { server, client };
  }

  /** Send `text` the prebuilt way and resolve with what the client received. */
  async function roundTrip(server: WebSocket, client: WebSocket, text: string): Promise<string> {
    const received = once(client, 'message');
    assert.equal(sendPrepared(server, prepareText(text)), true);
    const [data] = (await received) as [Buffer];
    return data.toString();
  }

  test('intact internals: the direct path (a socket), the message arrives', async () => {
    const { server, client } = await pair();
    assert.notEqual(directSocket(server), null);
    assert.equal(await roundTrip(server, client, '{"seq":1}'), '{"seq":1}');
  });

  test('missing or reshaped fields: no direct socket, ws.send delivers, one warning in all', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const breakages: Array<[string, (w: Internals) => () => void]> = [
      [
        '_extensions as a Map',
        (w) => {
          // ws reads _extensions['permessage-deflate'] itself, so a Map keeps it working.
          const saved = w._extensions;
          w._extensions = new Map();
          return () => {
            w._extensions = saved;
          };
        },
      ],
      [
        '_socket deleted',
        (w) => {
          const saved = w._socket;
          delete w._socket;
          return () => {
            w._socket = saved;
          };
        },
      ],
      [
        '_sender without _state / _queue',
        (w) => {
          // ws itself keeps working (its methods run on the real sender); only the fields we
          // read look different.
          const real = w._sender as object;
          w._sender = new Proxy(real, {
            get(target, key) {
              if (key === '_state' || key === '_queue') return undefined;
              const v = Reflect.get(target, key, target);
              return typeof v === 'function' ? v.bind(target) : v;
            },
          });
          return () => {
            w._sender = real;
          };
        },
      ],
    ];
    let n = 0;
    for (const [what, breakIt] of breakages) {
      const { server, client } = await pair();
      const restore = breakIt(server as unknown as Internals);
      try {
        const socket = directSocket(server);
        assert.equal(socket, null, `${what}: no direct writes`);
        n++;
        assert.equal(await roundTrip(server, client, `{"seq":${n}}`), `{"seq":${n}}`, what);
        const pinged = once(client, 'ping');
        assert.equal(sendPing(server, socket), true);
        await pinged;
      } finally {
        restore();
      }
    }
    assert.equal(warn.mock.callCount(), 1, 'said once per process');
    assert.match(
      String(warn.mock.calls[0].arguments[0]),
      /ws internals changed \(ws\._extensions .*ws\.send/,
    );
  });
});
