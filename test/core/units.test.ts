import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertLoopbackTarget,
  HOST_VERDICTS_MAX,
  isLoopbackHost,
  isLoopbackHostHeader,
} from '../../core/loopback.ts';
import {
  formatBytes,
  formatMs,
  parseDurationMs,
  parseRatePerS,
  parseShare,
  parseSizeBytes,
} from '../../core/units.ts';

describe('units', () => {
  test('durations', () => {
    assert.equal(parseDurationMs('500ms'), 500);
    assert.equal(parseDurationMs('3s'), 3000);
    assert.equal(parseDurationMs('1.5m'), 90_000);
    assert.equal(parseDurationMs(250), 250);
    assert.equal(parseDurationMs('3 parsecs'), undefined);
    assert.equal(parseDurationMs(-1), undefined);
  });
  test('sizes, rates and shares', () => {
    assert.equal(parseSizeBytes('1KB'), 1000);
    assert.equal(parseSizeBytes('1KiB'), 1024);
    assert.equal(parseSizeBytes('256'), 256);
    assert.equal(parseRatePerS('10/s'), 10);
    assert.equal(parseRatePerS('600/m'), 10);
    assert.equal(parseRatePerS('ten'), undefined);
    assert.deepEqual(parseShare('30%'), { percent: 30 });
    assert.deepEqual(parseShare(12), { count: 12 });
    assert.equal(parseShare('130%'), undefined);
  });
  test('formatting', () => {
    assert.equal(formatMs(0.5), '0.50ms');
    assert.equal(formatMs(1500), '1.50s');
    assert.equal(formatBytes(1500), '1.5 KB');
  });
});

describe('loopback guard', () => {
  test('loopback hosts', () => {
    for (const h of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      'app.localhost',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      '[::ffff:127.0.0.1]',
      // How a URL spells [::ffff:127.0.0.1]: new URL(...).hostname is [::ffff:7f00:1].
      '[::ffff:7f00:1]',
    ]) {
      assert.ok(isLoopbackHost(h), h);
    }
    for (const h of [
      '10.0.0.1',
      '192.168.1.1',
      'example.com',
      'localhost.example.com',
      '8.8.8.8',
      '::',
      '0.0.0.0',
      '::ffff:8.8.8.8',
      '[::ffff:a00:1]',
    ])
      assert.ok(!isLoopbackHost(h), h);
  });
  test('Host headers: loopback names with a port pass, others fail, the same on every call and past the verdict table size', () => {
    const pass = [
      '127.0.0.1:8080',
      '127.0.0.1',
      'localhost:80',
      'app.localhost',
      '[::1]:8080',
      '[::ffff:7f00:1]:1',
    ];
    const fail = [
      'example.com:8080',
      '10.0.0.1:80',
      '[::]:80',
      '0.0.0.0:80',
      'user@127.0.0.1:80',
      '127.0.0.1:80/path',
      '127.0.0.1:123456',
      '127.0.0.1 :80',
      '',
      undefined,
    ];
    const check = () => {
      for (const h of pass) assert.equal(isLoopbackHostHeader(h), true, String(h));
      for (const h of fail) assert.equal(isLoopbackHostHeader(h), false, String(h));
    };
    check();
    check(); // the second answers come from the verdict table
    // A flood of distinct values (a loopback and a remote one each) overflows the table: every
    // verdict stays right, and the known values are judged right again afterwards.
    for (let i = 0; i < HOST_VERDICTS_MAX * 3; i++) {
      assert.equal(isLoopbackHostHeader(`127.0.0.1:${i}`), true);
      assert.equal(isLoopbackHostHeader(`evil${i}.example:80`), false);
    }
    check();
  });
  test('non-loopback targets are refused unless allowed', () => {
    assert.doesNotThrow(() => assertLoopbackTarget('http://127.0.0.1:8080'));
    assert.doesNotThrow(() => assertLoopbackTarget('http://[::ffff:127.0.0.1]:8080'));
    assert.doesNotThrow(() => assertLoopbackTarget('http://app.localhost:8080'));
    assert.throws(() => assertLoopbackTarget('http://0.0.0.0:8080'), { code: 'PB_REMOTE_TARGET' });
    assert.throws(() => assertLoopbackTarget('http://10.1.2.3:8080'), { code: 'PB_REMOTE_TARGET' });
    assert.doesNotThrow(() => assertLoopbackTarget('http://10.1.2.3:8080', true));
    assert.throws(() => assertLoopbackTarget('not a url'), { code: 'PB_BAD_OPTION' });
  });
});
