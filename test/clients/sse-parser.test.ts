import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SseEvent, SseParser } from '../../clients/sse-parser.ts';

function parse(chunks: string[]): { events: SseEvent[]; parser: SseParser } {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  for (const c of chunks) parser.push(c);
  return { events, parser };
}

describe('SseParser', () => {
  it('parses the wire contract stream: retry, hello, envelopes, keep-alive comments', () => {
    const stream =
      'retry: 1000\n\nevent: hello\ndata: {"type":"hello","lastSeq":12,"oldestSeq":1}\n\n' +
      ': ka\n\nid: 13\ndata: {"seq":13}\n\n';
    const { events, parser } = parse([stream]);
    assert.equal(parser.retryMs, 1000);
    assert.deepEqual(events, [
      { type: 'hello', data: '{"type":"hello","lastSeq":12,"oldestSeq":1}', lastEventId: '' },
      { type: 'message', data: '{"seq":13}', lastEventId: '13' },
    ]);
  });

  it('handles events split anywhere across chunks, CRLF, multi-line data and a BOM', () => {
    const stream = '\ufeffid: 1\r\ndata: a\r\ndata:b\r\n\r\nevent: x\ndata: é\n\n';
    for (let cut = 1; cut < stream.length; cut++) {
      const { events } = parse([stream.slice(0, cut), stream.slice(cut)]);
      assert.deepEqual(
        events.map((e) => [e.type, e.data, e.lastEventId]),
        [
          ['message', 'a\nb', '1'],
          ['x', 'é', '1'],
        ],
        `cut at ${cut}`,
      );
    }
  });

  it('does not dispatch an event without data, nor an unterminated one', () => {
    const { events } = parse(['event: hello\n\n', 'data: half']);
    assert.deepEqual(events, []);
  });
});
