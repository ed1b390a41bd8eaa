/**
 * The Node clients' `browser` header profile weighs what real Chromium sends: short-poll
 * requests of Node clients with `headers: browser` and of Chromium pages in the same run carry
 * the same bytes per request within ±10 % (client → server, and both directions).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertNothingLeft, cleanOutput, runOf, runYaml } from './helpers.ts';

after(cleanOutput);

const YAML = `
name: browser-header-profile-test
protocols: [short-poll]
clients: 2
browsers: 2
ramp: 500ms
warmup: 500ms
duration: 5s
drain: 1500ms
source: { rate: 1/s, size: 64B }
poll: { interval: 1s }
headers: browser
`;

describe('browser header profile', { timeout: 90_000 }, () => {
  test('Node clients with headers: browser send Chromium-sized short-poll requests (±10 %)', async () => {
    const { outcome, results, hostPids } = await runYaml(YAML);
    assert.equal(outcome.failure, undefined, String(outcome.failure?.stack));
    const node = runOf(results, 'short-poll', 'pushbench');
    const page = runOf(results, 'short-poll', 'browser');
    const per = (r: typeof node) => ({
      up: r.bytes.clientToServer / r.requests.total,
      both: (r.bytes.clientToServer + r.bytes.serverToClient) / r.requests.total,
      requests: r.requests.total,
    });
    const n = per(node);
    const c = per(page);
    const figures = JSON.stringify({ node: n, chromium: c });
    assert.ok(n.requests >= 8 && c.requests >= 8, `enough polls: ${figures}`);
    // Measured: 557 B up / 836 B both ways per request for each; the old profile (Cookie, longer
    // Accept and Accept-Language) sent 769 / 1,048 B against Chromium's 557 / 832.
    assert.ok(Math.abs(n.up / c.up - 1) <= 0.1, `client → server bytes per request: ${figures}`);
    assert.ok(Math.abs(n.both / c.both - 1) <= 0.1, `bytes per request, both directions: ${figures}`);
    await assertNothingLeft(hostPids);
  });
});
