import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type GeneratorConfig, validateGeneratorConfig } from '../../clients/fleet.ts';

function config(targetUrl: string, allowRemote?: boolean): GeneratorConfig {
  return {
    workerIndex: 0,
    protocol: 'sse',
    clientIds: ['c0'],
    targetUrl,
    rampUpMs: 0,
    warmUpEndsAtMs: 0,
    ...(allowRemote === undefined ? {} : { allowRemote }),
  };
}

describe("the generator's target: the loopback rule of core/loopback.ts", () => {
  test('every loopback spelling is accepted', () => {
    for (const url of [
      'http://127.0.0.1:8080',
      'http://127.9.9.9:8080',
      'http://localhost:8080',
      'http://app.localhost:8080',
      'http://[::1]:8080',
      'http://[::ffff:127.0.0.1]:8080',
    ])
      assert.doesNotThrow(() => validateGeneratorConfig(config(url)), url);
  });

  test('anything else is refused with PB_REMOTE_TARGET unless allowRemote', () => {
    for (const url of [
      'http://0.0.0.0:8080',
      'http://[::]:8080',
      'http://192.0.2.1:8080',
      'http://example.com',
    ]) {
      assert.throws(() => validateGeneratorConfig(config(url)), { code: 'PB_REMOTE_TARGET' }, url);
      assert.doesNotThrow(() => validateGeneratorConfig(config(url, true)), url);
    }
  });
});
