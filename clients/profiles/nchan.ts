/**
 * Profile `nchan`: nginx with the nchan module (https://nchan.io). Publisher at
 * `/pub/{channel}`, one subscriber location `/sub/{channel}` for EventSource, long polling and
 * WebSocket. Resume as nchan documents it: EventSource Last-Event-ID; long polling
 * If-Modified-Since + If-None-Match from the last answer's Last-Modified + Etag; WebSocket with
 * the `ws+meta.nchan` subprotocol, whose frames start with `id: <msgid>`, and
 * `?last_event_id=<msgid>` on reconnect. docs/targets.md has the nginx configuration.
 */
import type { TargetProfile } from './registry.ts';

/** `id: ID\n[content-type: T\n]\n<body>` (nchan's ws+meta.nchan framing). */
const META = /^id: ([^\n]*)\n(?:content-type: [^\n]*\n)?\n/;

export const nchanProfile: TargetProfile = {
  name: 'nchan',
  wire: 'target',
  protocols: ['long-poll', 'sse', 'websocket'],
  paths: { sse: '/sub/{channel}', websocket: '/sub/{channel}', 'long-poll': '/sub/{channel}' },
  resume: { sse: 'last-event-id', websocket: 'last-event-id-query', 'long-poll': 'if-modified-since' },
  heartbeatForm: 'protocol',
  message: { seq: '/seq', t: '/t', data: '/data' },
  publishPath: '/pub/{channel}',
  websocketProtocol: 'ws+meta.nchan',
  unwrapFrame(frame) {
    const m = META.exec(frame);
    return m ? { body: frame.slice(m[0].length), id: m[1] } : undefined;
  },
};
