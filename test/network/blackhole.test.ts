import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { nextErrorOrClose, observe, Resources, readExactly, sleep, until } from './helpers.ts';

const res = new Resources();
afterEach(() => res.closeAll());

/** How long we watch a blackhole for leaks; long enough for any forwarded byte to arrive on loopback. */
const WATCH_MS = 500;

describe('blackhole fault', () => {
  it('lets nothing pass and closes nothing while it lasts, then delivers what it held', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    const fault = proxy.apply({ kind: 'blackhole' });
    const atClient = observe(client);
    const atServer = observe(server);
    const up = randomBytes(1000);
    const down = randomBytes(1000);
    client.write(up);
    server.write(down);
    await sleep(WATCH_MS);
    assert.deepEqual(atServer, { bytes: 0, ended: false, closed: false });
    assert.deepEqual(atClient, { bytes: 0, ended: false, closed: false });
    const gotUp = readExactly(server, 1005);
    const gotDown = readExactly(client, 1005);
    fault.remove();
    client.write('after');
    server.write('after');
    assert.ok((await gotUp).equals(Buffer.concat([up, Buffer.from('after')])));
    assert.ok((await gotDown).equals(Buffer.concat([down, Buffer.from('after')])));
  });

  it('hides a client close from the server until it is removed', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const finPair = await res.pair(port, target);
    const rstPair = await res.pair(port, target);
    const fault = proxy.apply({ kind: 'blackhole', direction: 'up' });
    const finSeen = observe(finPair.server);
    const rstSeen = observe(rstPair.server);
    finPair.client.end();
    rstPair.client.resetAndDestroy();
    await sleep(WATCH_MS);
    assert.deepEqual(finSeen, { bytes: 0, ended: false, closed: false });
    assert.deepEqual(rstSeen, { bytes: 0, ended: false, closed: false });
    fault.remove();
    await until(() => finSeen.ended, 5_000, 'the held FIN');
    await until(() => rstSeen.errorCode === 'ECONNRESET', 5_000, 'the held RST');
  });

  it('stops reading the sender once highWaterBytes are held, and loses nothing', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    const fault = proxy.apply({ kind: 'blackhole', direction: 'up' });
    const payload = randomBytes(8 * 1024 * 1024);
    client.write(payload);
    await sleep(WATCH_MS);
    const readByProxy = proxy.connections()[0].bytesUp;
    // 64 KiB high water + at most one read (64 KiB): the rest waits in the client's and the kernel's buffers.
    assert.ok(readByProxy <= 256 * 1024, `proxy read ${readByProxy} bytes during the blackhole`);
    assert.ok(client.writableLength > 0, 'the client should still be buffering');
    const got = readExactly(server, payload.length);
    fault.remove();
    assert.ok((await got).equals(payload));
    assert.equal(proxy.connections()[0].bytesUp, payload.length);
  });

  it('leaves new connections open but silent', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const fault = proxy.apply({ kind: 'blackhole' });
    const { client, server } = await res.pair(port, target);
    const atServer = observe(server);
    client.write('hello?');
    await sleep(WATCH_MS);
    assert.equal(atServer.bytes, 0);
    const got = readExactly(server, 6);
    fault.remove();
    assert.equal((await got).toString(), 'hello?');
    assert.notEqual(await Promise.race([nextErrorOrClose(client), sleep(50).then(() => 'open')]), 'close');
  });
});
