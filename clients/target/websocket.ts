/**
 * WebSocket to a target (docs/targets.md): the scenario's path, the profile's subprotocol and
 * framing (nchan's `id:` header), messages read through JSON pointers, the heartbeat in the
 * scenario's form (the text form's pong is recognised before any parsing). No hello: the
 * connection counts as open when the upgrade completes. Resume by the profile's method:
 * `query:NAME` (highest seq held) or `last-event-id-query` (the last message id).
 */

import { nowMs } from '../../core/clock.ts';
import type { ClientConfig, TargetClientConfig } from '../client.ts';
import type { Recorder } from '../metrics.ts';
import { targetProfile } from '../profiles/registry.ts';
import { WebSocketClient } from '../websocket.ts';
import { MessageReader } from './message.ts';
import { queryParam, withQuery } from './resume.ts';

export class TargetWebSocketClient extends WebSocketClient {
  private readonly spec: TargetClientConfig;
  private readonly reader: MessageReader;
  private readonly unwrap: ((frame: string) => { body: string; id?: string } | undefined) | undefined;
  private readonly protocol: string | undefined;
  private lastId: string | undefined;

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    this.spec = config.target!;
    this.reader = new MessageReader(this.spec.message);
    const profile = targetProfile(this.spec.profile);
    this.unwrap = profile?.unwrapFrame;
    this.protocol = profile?.websocketProtocol;
  }

  protected override subprotocols(): string[] {
    return this.protocol ? [this.protocol] : [];
  }

  protected override onOpen(): void {
    super.onOpen();
    this.openedTarget(nowMs());
  }

  protected override url(): string {
    const u = new URL(this.config.baseUrl);
    const base = `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`;
    let path = this.spec.path.replaceAll('{client}', encodeURIComponent(this.id));
    const since = this.resumeSeq();
    const param = queryParam(this.spec.resume);
    if (param && since !== undefined) path = withQuery(path, param, String(since));
    else if (this.spec.resume === 'last-event-id-query' && this.lastId !== undefined)
      path = withQuery(path, 'last_event_id', this.lastId);
    return base + path;
  }

  protected override onText(text: string, atMs: number): void {
    let body = text;
    if (this.unwrap) {
      const frame = this.unwrap(text);
      if (!frame) {
        this.recorder.countErrorWithSample('unparsed', text);
        return;
      }
      body = frame.body;
      if (frame.id !== undefined) this.lastId = frame.id;
    }
    const env = this.reader.read(body);
    if (env === undefined) this.recorder.countErrorWithSample('unparsed', body);
    else this.deliver(env, atMs);
  }
}
