/**
 * A text/event-stream parser (the WHATWG rules we need): lines end in LF or CRLF; `field:
 * value` with one optional space after the colon; `data` lines joined with LF; a blank
 * line dispatches; lines starting with ':' are comments; `id` and `retry` are remembered.
 * Feed it decoded text (the caller sets the stream encoding to utf8 so a multi-byte
 * character split across chunks is handled by Node's StringDecoder).
 * Bounded: a line, or an event's data, longer than maxChars (32 Mi characters by default,
 * twice the largest message a pushbench server sends) throws SseTooLongError; the client
 * then closes the connection (docs/clients.md). Text without a line end is kept as pieces,
 * not re-joined per chunk, so an endless line costs its length, not its length squared.
 */

/** Default bound of one line and of one event's data, in characters. */
export const SSE_MAX_CHARS = 32 * 1024 * 1024;

/** A line or an event over the parser's bound: the stream is not an event stream we can read. */
export class SseTooLongError extends Error {
  constructor(
    readonly what: 'line' | 'event',
    readonly maxChars: number,
  ) {
    super(
      `SSE ${what} longer than ${maxChars} characters without ${what === 'line' ? 'a line end' : 'a blank line'}`,
    );
    this.name = 'SseTooLongError';
  }
}

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
  /** The unfinished line, as the pieces it arrived in. */
  private pieces: string[] = [];
  private piecesChars = 0;
  private type = '';
  private data: string[] = [];
  private dataChars = 0;
  private lastEventId = '';
  private started = false;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly maxChars = SSE_MAX_CHARS,
  ) {}

  /** Feed a chunk; complete events are dispatched synchronously. Throws SseTooLongError past the bound. */
  push(chunk: string): void {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      let line = text.slice(start, nl);
      if (this.pieces.length > 0) {
        this.pieces.push(line);
        line = this.pieces.join('');
        this.pieces = [];
        this.piecesChars = 0;
      }
      if (line.length > this.maxChars) throw new SseTooLongError('line', this.maxChars);
      this.line(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
      start = nl + 1;
    }
    if (start < text.length) {
      this.pieces.push(start === 0 ? text : text.slice(start));
      this.piecesChars += text.length - start;
      if (this.piecesChars > this.maxChars) throw new SseTooLongError('line', this.maxChars);
    }
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
        this.dataChars += value.length + 1;
        if (this.dataChars > this.maxChars) throw new SseTooLongError('event', this.maxChars);
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
      this.dataChars = 0;
      return;
    }
    const event: SseEvent = {
      type: this.type || 'message',
      data: this.data.join('\n'),
      lastEventId: this.lastEventId,
    };
    this.type = '';
    this.data = [];
    this.dataChars = 0;
    this.onEvent(event);
  }
}
