/**
 * Profile `generic`: any server that pushes JSON messages over SSE, WebSocket or long polling.
 * Messages are read through JSON pointers (default: pushbench's envelope `{seq, t, data}`);
 * no resume unless the scenario names one (`query:since`, `last-event-id`), so what a reconnect
 * misses is counted lost. WebSocket liveness by protocol ping / pong unless `heartbeat.form` says
 * otherwise (the article's text "ping" → "pong": `form: text`). docs/targets.md.
 */
import type { TargetProfile } from './registry.ts';

export const genericProfile: TargetProfile = {
  name: 'generic',
  wire: 'target',
  protocols: ['long-poll', 'sse', 'websocket'],
  paths: { sse: '/sse', websocket: '/ws', 'long-poll': '/long-poll' },
  resume: { sse: 'none', websocket: 'none', 'long-poll': 'none' },
  heartbeatForm: 'protocol',
  message: { seq: '/seq', t: '/t', data: '/data' },
};
