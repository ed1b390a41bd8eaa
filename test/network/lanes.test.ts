import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { echo, observe, pingMs, Resources, readExactly, sleep } from './helpers.ts';

const res = new Resources();
afterEach(() => res.closeAll());

describe('lanes', () => {
  it('opens one port per lane, once', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const [again, other] = await Promise.all([proxy.lane('main'), proxy.lane('other')]);
    assert.equal(again, port);
    assert.notEqual(other, port);
  });

  it('applies a fault to the given lane only', async () => {
    const target = await res.target();
    const { proxy } = await res.proxy(target);
    const faulted = await proxy.lane('faulted');
    const clean = await proxy.lane('clean');
    proxy.apply({ kind: 'blackhole' }, ['faulted']);
    const f = await res.pair(faulted, target);
    const c = await res.pair(clean, target);
    const atFaulted = observe(f.server);
    f.client.write('lost?');
    c.client.write('fine');
    assert.equal((await readExactly(c.server, 4)).toString(), 'fine');
    await sleep(300);
    assert.equal(atFaulted.bytes, 0);
    assert.equal(proxy.totals('faulted').bytesUp, 5);
    assert.equal(proxy.totals('clean').bytesUp, 4);
    assert.deepEqual(
      proxy.connections().map((s) => s.lane),
      ['faulted', 'clean'],
    );
  });

  it('applies a fault without lanes to every lane, also lanes opened later', async () => {
    const target = await res.target();
    const { proxy } = await res.proxy(target);
    const fault = proxy.apply({ kind: 'latency', latencyMs: 100, direction: 'down' });
    assert.equal(fault.lanes, 'all');
    const late = await proxy.lane('late');
    const { client, server } = await res.pair(late, target);
    echo(server);
    assert.ok((await pingMs(client)) >= 98);
  });

  it('rejects lanes that were never opened', async () => {
    const target = await res.target();
    const { proxy } = await res.proxy(target);
    assert.throws(() => proxy.apply({ kind: 'blackhole' }, ['main', 'nope']), {
      code: 'PB_BAD_OPTION',
      problems: ['lanes[1]: no lane "nope"; open it with lane() first'],
    });
    assert.throws(() => proxy.apply({ kind: 'blackhole' }, []), { code: 'PB_BAD_OPTION' });
  });
});
