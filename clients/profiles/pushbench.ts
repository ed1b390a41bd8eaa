/**
 * Profile `pushbench`: a pushbench server you started yourself (`pushbench serve`), maybe on
 * another machine. Its own clients and wire (docs/wire.md): hello / poll answers carry the resume
 * point, resume by `since` and Last-Event-ID. Publishing goes to its POST /publish.
 */
import type { TargetProfile } from './registry.ts';

export const pushbenchProfile: TargetProfile = {
  name: 'pushbench',
  wire: 'pushbench',
  protocols: ['short-poll', 'long-poll', 'sse', 'websocket', 'socket.io'],
  paths: {},
  resume: {
    'short-poll': 'pushbench',
    'long-poll': 'pushbench',
    sse: 'pushbench',
    websocket: 'pushbench',
    'socket.io': 'pushbench',
  },
  heartbeatForm: 'json',
  message: { seq: '/seq', t: '/t', data: '/data' },
  publishPath: '/publish',
};
