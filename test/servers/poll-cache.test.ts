import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { RunningServer } from '../../servers/app.ts';
import { PollAnswers } from '../../servers/poll-answer.ts';
import { MessageSource } from '../../servers/source.ts';
import { testServer } from './helpers.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapMB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** GET over a keep-alive agent; resolves with the status and the body's length. */
function get(agent: http.Agent, url: string): Promise<{ status: number; length: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let length = 0;
        res.on('data', (d: Buffer) => {
          length += d.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, length }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const MB = 2 ** 20;

describe('poll-answer cache is bounded in bytes', () => {
  test('many distinct (since, client) answers over an addressed window stay within the budget', () => {
    const source = new MessageSource({ ratePerS: 0 });
    const budget = 8 * MB;
    const polls = new PollAnswers(source, budget);
    const payload = 'x'.repeat(256 * 1024);
    for (let i = 0; i < 7; i++) source.publish(payload); // a 1.75 MB window
    source.publish('one', { to: 'someone' }); // answers now differ per client
    for (let i = 0; i < 200; i++) {
      const a = polls.answer(i % 4, `c${i}`);
      assert.ok(a.count >= 4, `${a.count} messages`);
      assert.ok(polls.bytes <= budget, `cache holds ${polls.bytes} B > ${budget} B after ${i + 1} polls`);
    }
    assert.ok(polls.size > 0, 'answers under a quarter of the budget are cached');
    // An answer over a quarter of the budget is answered but never kept.
    const small = new PollAnswers(source, 4 * MB);
    assert.ok(small.answer(0, 'a').count > 0);
    assert.equal(small.size, 0);
    assert.equal(small.bytes, 0);
  });

  describe('through the server', () => {
    let server: RunningServer;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    before(async () => {
      server = await testServer({ protocols: ['short-poll', 'long-poll'], pollCacheBytes: 16 * MB });
    });
    after(async () => {
      agent.destroy();
      await server.close();
    });

    test('120 polls by distinct clients over a 4 MB window grow the heap by less than 64 MB', async () => {
      const payload = 'y'.repeat(256 * 1024);
      for (let i = 0; i < 16; i++) server.source.publish(payload);
      server.source.publish('one', { to: 'someone' });
      const start = heapMB();
      for (let i = 0; i < 120; i++) {
        const path = i % 2 ? '/poll' : '/long-poll';
        const r = await get(agent, `${server.url}${path}?since=${i % 3}&client=c${i}&wait=0`);
        assert.equal(r.status, 200);
        assert.ok(r.length > 3.5 * MB, `answer ${i}: ${r.length} B`);
      }
      const growth = heapMB() - start;
      console.log(`heap growth after 120 distinct 4 MB polls: ${growth.toFixed(1)} MB`);
      assert.ok(growth < 64, `heap grew by ${growth.toFixed(1)} MB`);
    });
  });
});
