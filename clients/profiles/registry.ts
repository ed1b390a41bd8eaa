/**
 * Target profiles: what pushbench assumes about a server it did not start (docs/targets.md).
 * A profile supplies defaults — paths per protocol, how a reconnecting client resumes, the
 * WebSocket heartbeat form, where the seq and publish time sit in a message — and the
 * scenario's `target:` fields override them. Adding a profile is one file in this folder and
 * one line in PROFILES below.
 */
import type { ProtocolName } from '../../core/types.ts';
import { genericProfile } from './generic.ts';
import { nchanProfile } from './nchan.ts';
import { pushbenchProfile } from './pushbench.ts';
import { socketIoProfile } from './socket-io.ts';

/**
 * How a reconnecting client asks for what it missed: `none` (nothing: the loss across a
 * reconnect is counted, not hidden); `query:NAME` (the highest seq held, as ?NAME=N);
 * `last-event-id` (SSE: the last event's id in Last-Event-ID); `if-modified-since` (long-poll:
 * the last answer's Last-Modified and Etag as If-Modified-Since and If-None-Match);
 * `last-event-id-query` (the last message id as ?last_event_id=ID: nchan's WebSocket);
 * `pushbench` (pushbench's own wire, docs/wire.md).
 */
export type ResumeMethod =
  | 'none'
  | `query:${string}`
  | 'last-event-id'
  | 'if-modified-since'
  | 'last-event-id-query'
  | 'pushbench';

/** JSON pointers (RFC 6901) into each message; `data` absent: the whole message is the payload. */
export interface MessagePointers {
  seq: string;
  t: string;
  data?: string;
}

export interface TargetProfile {
  name: string;
  /** 'pushbench': pushbench's own clients and wire (docs/wire.md); 'target': the clients in clients/target/. */
  wire: 'pushbench' | 'target';
  /** Protocols the profile knows how to speak. */
  protocols: readonly ProtocolName[];
  /** Per protocol; `{channel}` and `{client}` are filled in. */
  paths: Partial<Record<ProtocolName, string>>;
  resume: Partial<Record<ProtocolName, ResumeMethod>>;
  /** WebSocket heartbeat form used unless the scenario's `heartbeat.form` says otherwise. */
  heartbeatForm: 'json' | 'text' | 'protocol' | 'none';
  message: MessagePointers;
  /** Where envelopes are POSTed when the scenario's `publish` has no url (`{channel}` filled in). */
  publishPath?: string;
  /** WebSocket subprotocol to request (nchan: ws+meta.nchan, whose frames carry the message id). */
  websocketProtocol?: string;
  /** A WebSocket frame → the message text and its id, when the profile's framing wraps messages. */
  unwrapFrame?: (frame: string) => { body: string; id?: string } | undefined;
  /** socket.io: the event that carries messages. */
  event?: string;
}

export const PROFILES: Record<string, TargetProfile> = {
  pushbench: pushbenchProfile,
  generic: genericProfile,
  nchan: nchanProfile,
  'socket.io': socketIoProfile,
};

export const PROFILE_NAMES = Object.keys(PROFILES);

/** The profile called `name` (undefined when there is none). */
export function targetProfile(name: string): TargetProfile | undefined {
  return Object.hasOwn(PROFILES, name) ? PROFILES[name] : undefined;
}

/** True when `text` is a resume method (`query:` needs a parameter name). */
export function isResumeMethod(text: string): text is ResumeMethod {
  if (/^query:[A-Za-z0-9_.~-]+$/.test(text)) return true;
  return ['none', 'last-event-id', 'if-modified-since', 'last-event-id-query', 'pushbench'].includes(text);
}
