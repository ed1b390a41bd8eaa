import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SseEvent, SseParser, SseTooLongError } from '../../clients/sse-parser.ts';

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

describe('SseParser bounds', () => {
  it('an endless line throws SseTooLongError once it passes maxChars, in linear time', () => {
    const parser = new SseParser(() => {}, 1_000_000);
    const chunk = 'x'.repeat(64 * 1024);
    const started = performance.now();
    let fed = 0;
    assert.throws(
      () => {
        parser.push('data: ');
        for (let i = 0; i < 100; i++) {
          parser.push(chunk);
          fed += chunk.length;
        }
      },
      (err: unknown) =>
        err instanceof SseTooLongError && err.what === 'line' && /longer than 1000000/.test(err.message),
    );
    assert.ok(fed <= 1_000_000, `threw after ${fed} characters`);
    // 32 Mi characters in 64 KiB pieces at the default bound: linear, well under a second.
    const big = new SseParser(() => {});
    const t0 = performance.now();
    assert.throws(() => {
      for (let i = 0; i < 600; i++) big.push(chunk);
    }, SseTooLongError);
    const tookMs = performance.now() - t0;
    assert.ok(tookMs < 2_000, `${tookMs.toFixed(0)} ms to reach the 32 Mi bound`);
    assert.ok(performance.now() - started < 3_000);
  });

  it('an event of endless data lines throws too; lines under the bound still parse across chunks', () => {
    const parser = new SseParser(() => {}, 100);
    assert.throws(
      () => {
        for (let i = 0; i < 20; i++) parser.push('data: 0123456789\n');
      },
      (err: unknown) => err instanceof SseTooLongError && err.what === 'event',
    );
    const { events } = parse(['data: ', 'a'.repeat(50), 'b'.repeat(40), '\n\n']);
    assert.equal(events[0]?.data, 'a'.repeat(50) + 'b'.repeat(40));
  });
});
