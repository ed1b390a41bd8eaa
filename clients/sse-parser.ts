/**
 * A text/event-stream parser (the WHATWG rules we need): lines end in LF or CRLF; `field:
 * value` with one optional space after the colon; `data` lines joined with LF; a blank
 * line dispatches; lines starting with ':' are comments; `id` and `retry` are remembered.
 * Feed it decoded text (the caller sets the stream encoding to utf8 so a multi-byte
 * character split across chunks is handled by Node's StringDecoder).
 */

export interface SseEvent {
  /** 'message' when the event had no `event:` field. */
  type: string;
  data: string;
  /** Last `id:` seen so far in the stream (the spec's "last event ID"). */
  lastEventId: string;
}

export class SseParser {
  /** Last `retry:` value (ms), if the server sent one. */
  retryMs: number | undefined;
  private buffer = '';
  private type = '';
  private data: string[] = [];
  private lastEventId = '';
  private started = false;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  /** Feed a chunk; complete events are dispatched synchronously. */
  push(chunk: string): void {
    let text = this.buffer + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.line(text.slice(start, end));
      start = nl + 1;
    }
    this.buffer = text.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.type = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored, as the spec says
    }
  }

  private dispatch(): void {
    if (this.data.length === 0) {
      this.type = '';
      return;
    }
    const event: SseEvent = {
      type: this.type || 'message',
      data: this.data.join('\n'),
      lastEventId: this.lastEventId,
    };
    this.type = '';
    this.data = [];
    this.onEvent(event);
  }
}
