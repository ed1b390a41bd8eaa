import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientIndex } from '../../servers/client-index.ts';

const ids = (set: ReadonlySet<{ id: number }> | undefined) =>
  set ? [...set].map((c) => c.id).sort() : undefined;

test('a client index finds every open connection of a client, and drops a client with none left', () => {
  const index = new ClientIndex<{ id: number }>();
  const [a, b, c, d] = [1, 2, 3, 4].map((id) => ({ id }));
  index.add('x', a);
  assert.deepEqual(ids(index.get('x')), [1], 'one connection');
  index.add('x', a);
  assert.deepEqual(ids(index.get('x')), [1], 'added twice, held once');
  index.add('x', b);
  index.add('x', c);
  index.add('y', d);
  assert.deepEqual(ids(index.get('x')), [1, 2, 3], 'three connections of one client');
  assert.deepEqual(ids(index.get('y')), [4], 'another client apart');
  index.delete('x', b);
  assert.deepEqual(ids(index.get('x')), [1, 3]);
  index.delete('x', d);
  assert.deepEqual(ids(index.get('x')), [1, 3], "deleting another client's connection changes nothing");
  index.delete('x', a);
  index.delete('x', c);
  assert.equal(index.has('x'), false, 'no connection left: the client is gone');
  assert.equal(index.get('x'), undefined);
  index.delete('y', a);
  assert.deepEqual(
    ids(index.get('y')),
    [4],
    'deleting a connection the client does not hold changes nothing',
  );
  index.delete('y', d);
  assert.equal(index.has('y'), false);
  // Held once per message (a long poll): add and delete again and again.
  for (let i = 0; i < 3; i++) {
    index.add('z', a);
    assert.deepEqual(ids(index.get('z')), [1]);
    index.delete('z', a);
    assert.equal(index.has('z'), false);
  }
});
