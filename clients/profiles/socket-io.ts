/**
 * Profile `socket.io`: a Socket.IO 4 server of your own. Messages arrive as one event
 * (`event`, default "message") whose first argument is read through the JSON pointers;
 * Socket.IO's own heartbeat detects a dead connection, its connection state recovery (when the
 * server enables it) resumes, else what a reconnect missed is counted lost. docs/targets.md.
 */
import type { TargetProfile } from './registry.ts';

export const socketIoProfile: TargetProfile = {
  name: 'socket.io',
  wire: 'target',
  protocols: ['socket.io'],
  paths: { 'socket.io': '/socket.io/' },
  resume: { 'socket.io': 'none' },
  heartbeatForm: 'protocol',
  message: { seq: '/seq', t: '/t', data: '/data' },
  event: 'message',
};
