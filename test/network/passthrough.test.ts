import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { nextErrorOrClose, Resources, readExactly, until } from './helpers.ts';

const res = new Resources();
afterEach(() => res.closeAll());

describe('proxy without faults', () => {
  it('passes bytes unchanged both ways and counts them exactly', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    const up = randomBytes(1024 * 1024 + 7);
    const down = randomBytes(512 * 1024 + 3);
    const [atServer, atClient] = await Promise.all([
      readExactly(server, up.length),
      readExactly(client, down.length),
      client.write(up),
      server.write(down),
    ]);
    assert.ok(atServer.equals(up), 'client → server bytes changed');
    assert.ok(atClient.equals(down), 'server → client bytes changed');
    const [conn] = proxy.connections();
    assert.equal(conn.bytesUp, up.length);
    assert.equal(conn.bytesDown, down.length);
    assert.equal(conn.lane, 'main');
    assert.equal(conn.clientPort, client.localPort);
    assert.equal(conn.closedAtMs, undefined);
    assert.deepEqual(proxy.totals(), { bytesUp: up.length, bytesDown: down.length, connections: 1 });
  });

  it('propagates half-closes and records the close time', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    client.end('bye');
    assert.equal((await readExactly(server, 3)).toString(), 'bye');
    await once(server, 'end');
    server.end('ok');
    assert.equal((await readExactly(client, 2)).toString(), 'ok');
    await once(client, 'end');
    await until(() => proxy.connections()[0].closedAtMs !== undefined, 5_000, 'the link to close');
    const [conn] = proxy.connections();
    assert.ok(conn.closedAtMs! >= conn.openedAtMs);
    assert.equal(conn.bytesUp, 3);
    assert.equal(conn.bytesDown, 2);
  });

  it('passes a client reset on to the server as ECONNRESET', async () => {
    const target = await res.target();
    const { port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    const seen = nextErrorOrClose(server);
    client.resetAndDestroy();
    assert.equal(await seen, 'ECONNRESET');
  });

  it('resets the client when the target refuses the connection', async () => {
    const target = await res.target();
    const { port } = await res.proxy(target);
    await new Promise<void>((done) => target.server.close(() => done()));
    const client = await res.client(port);
    assert.equal(await nextErrorOrClose(client), 'ECONNRESET');
  });

  it('keeps the newest closed connections and folds older ones into totals', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target, { maxClosedConnections: 3 });
    for (let i = 0; i < 6; i++) {
      const { client, server } = await res.pair(port, target);
      client.end('0123456789');
      await readExactly(server, 10);
      server.end();
      await once(client, 'close');
    }
    await until(() => proxy.totals().connections === 6 && proxy.connections().length === 3, 5_000, 'links');
    await until(() => proxy.connections().every((c) => c.closedAtMs !== undefined), 5_000, 'closes');
    assert.deepEqual(
      proxy.connections().map((c) => c.id),
      [4, 5, 6],
    );
    assert.deepEqual(proxy.totals(), { bytesUp: 60, bytesDown: 0, connections: 6 });
    assert.deepEqual(proxy.totals('main'), { bytesUp: 60, bytesDown: 0, connections: 6 });
    assert.deepEqual(proxy.totals('other'), { bytesUp: 0, bytesDown: 0, connections: 0 });
  });

  it('close() closes every connection and every lane', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const other = await proxy.lane('other');
    const pairs = [await res.pair(port, target), await res.pair(other, target)];
    // Both ends are half-open capable: seeing 'end' is seeing the proxy close its side.
    const ended = pairs.flatMap(({ client, server }) => [once(client, 'end'), once(server, 'end')]);
    await proxy.close();
    await Promise.all(ended);
    for (const p of [port, other]) {
      const socket = connect({ port: p, host: '127.0.0.1' });
      const [err] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
      assert.equal(err.code, 'ECONNREFUSED');
    }
  });

  it('rejects bad options with PB_BAD_OPTION', async () => {
    const target = await res.target();
    const { FaultProxy } = await import('../../network/proxy.ts');
    assert.throws(
      () => new FaultProxy({ target: { host: '10.0.0.1', port: 0 }, highWaterBytes: 10 }),
      (err: { code: string; problems: string[] }) => {
        assert.equal(err.code, 'PB_BAD_OPTION');
        assert.equal(err.problems.length, 3);
        assert.match(err.problems[0], /^target\.host: 10\.0\.0\.1 is not a loopback address/);
        return true;
      },
    );
    const { proxy } = await res.proxy(target);
    await assert.rejects(proxy.lane('bad name'), { code: 'PB_BAD_OPTION' });
  });
});
