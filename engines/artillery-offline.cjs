/**
 * Preloaded into the artillery child process (`node --require`): Artillery 2.0.21 posts a
 * "test run" event to app.posthog.com at exit even with ARTILLERY_DISABLE_TELEMETRY set (its
 * lib/telemetry.js still calls client.capture in the disabled branch), which leaves loopback
 * and, offline, holds the exit for ~12 s. This replaces the posthog-node client with a no-op.
 */
'use strict';
const Module = require('node:module');

class OfflinePostHog {
  capture() {}
  async shutdownAsync() {}
}

const load = Module._load;
Module._load = function loadOffline(request, ...rest) {
  if (request === 'posthog-node') return { PostHog: OfflinePostHog };
  return load.call(this, request, ...rest);
};
