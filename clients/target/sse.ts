/**
 * SSE to a target (docs/targets.md): the scenario's path, every event's data read through the
 * JSON pointers (any event type), open when the 200 text/event-stream arrives (no hello).
 * Resume: `last-event-id` sends the last event's `id:` as Last-Event-ID (EventSource's own
 * rule; nchan's ids look like `1700000000:0`), `query:NAME` the highest seq held. Silence for
 * sseIdleFactor × sseKeepAliveMs is a dead connection, as for pushbench's server.
 */
import type { ClientConfig, TargetClientConfig } from '../client.ts';
import type { Recorder } from '../metrics.ts';
import { SseClient } from '../sse.ts';
import type { SseEvent } from '../sse-parser.ts';
import { MessageReader } from './message.ts';
import { queryParam, withQuery } from './resume.ts';

export class TargetSseClient extends SseClient {
  private readonly spec: TargetClientConfig;
  private readonly reader: MessageReader;
  private lastEventId = '';

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    this.spec = config.target!;
    this.reader = new MessageReader(this.spec.message);
  }

  protected override path(): string {
    const path = this.spec.path.replaceAll('{client}', encodeURIComponent(this.id));
    const param = queryParam(this.spec.resume);
    const since = this.resumeSeq();
    return param && since !== undefined ? withQuery(path, param, String(since)) : path;
  }

  protected override requestHeaders(base: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { ...base, Accept: 'text/event-stream' };
    if (this.spec.resume === 'last-event-id' && this.lastEventId !== '')
      headers['Last-Event-ID'] = this.lastEventId;
    return headers;
  }

  protected override onStreamOpen(atMs: number): void {
    this.openedTarget(atMs);
  }

  protected override onEvent(event: SseEvent): void {
    if (event.lastEventId !== '') this.lastEventId = event.lastEventId;
    if (event.data === '') return;
    const env = this.reader.read(event.data);
    if (env === undefined) this.recorder.countErrorWithSample('unparsed', event.data);
    else this.deliver(env, this.receivedAtMs);
  }
}
