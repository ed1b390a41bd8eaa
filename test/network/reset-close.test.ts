import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { nextErrorOrClose, observe, Resources, readExactly, sleep, until } from './helpers.ts';

const res = new Resources();
afterEach(() => res.closeAll());

describe('reset fault', () => {
  it('destroys both sides of open connections with RST', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    const seen = [nextErrorOrClose(client), nextErrorOrClose(server)];
    proxy.apply({ kind: 'reset' });
    assert.deepEqual(await Promise.all(seen), ['ECONNRESET', 'ECONNRESET']);
    await until(() => proxy.connections()[0].closedAtMs !== undefined, 5_000, 'the link to close');
  });

  it('while active, resets new connections at accept without reaching the target; then lets them through', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const fault = proxy.apply({ kind: 'reset' });
    // The RST may beat the client's own 'connect' event: watch for it from the start.
    const client = connect({ port, host: '127.0.0.1' });
    res.add(() => {
      client.destroy();
    });
    assert.equal(await nextErrorOrClose(client), 'ECONNRESET');
    assert.equal(target.count(), 0);
    fault.remove();
    const { client: c2, server: s2 } = await res.pair(port, target);
    c2.write('ok');
    assert.equal((await readExactly(s2, 2)).toString(), 'ok');
  });
});

describe('close fault', () => {
  it('ends both sides of open connections with FIN', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    const atClient = observe(client);
    const atServer = observe(server);
    const ended = [once(client, 'end'), once(server, 'end')];
    proxy.apply({ kind: 'close' });
    await Promise.all(ended);
    assert.equal(atClient.errorCode, undefined);
    assert.equal(atServer.errorCode, undefined);
    // Both peers answer with their own FIN: the link closes without waiting for the grace timer.
    client.end();
    server.end();
    await until(() => proxy.connections()[0].closedAtMs !== undefined, 1_500, 'the link to close');
  });

  it('while active, ends new connections at accept; destroys peers that never end after closeGraceMs', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target, { closeGraceMs: 200 });
    const open = await res.pair(port, target);
    proxy.apply({ kind: 'close' });
    const client = await res.client(port);
    await once(client, 'end');
    await sleep(50);
    assert.equal(target.count(), 1, 'the target saw the connection accepted during the fault');
    // The half-open peers of the first pair never end: the grace timer closes the link.
    await until(() => proxy.connections().every((c) => c.closedAtMs !== undefined), 3_000, 'grace close');
    assert.ok(open.client.readableEnded);
  });
});
