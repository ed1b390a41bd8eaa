/**
 * Compression, measured at the socket: permessage-deflate on websocket and socket.io (over
 * WebSocket), gzip on SSE (one stream, flushed per event) and poll answers, with random and
 * json payloads of 1 KB (servers/payloads.ts). JSON must shrink a
 * lot; random payloads can only lose what entropy coding of their 64-symbol alphabet gives
 * (6 of 8 bits), never more. The ratios are printed.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { mergeWorkerReports } from '../../clients/merge.ts';
import { Recorder } from '../../clients/metrics.ts';
import { clientConfig, createClient, type PushClient } from '../../clients/registry.ts';
import { mulberry32 } from '../../core/random.ts';
import type { ProtocolName } from '../../core/types.ts';
import { type RunningServer, startServer } from '../../servers/app.ts';
import { makePayloads, type PayloadKind } from '../../servers/payloads.ts';
import { nextEvent, until } from './helpers.ts';

const MESSAGES = 60;
const SIZE = 1_000;

describe('compression', () => {
  let server: RunningServer | undefined;
  let client: PushClient | undefined;
  let recorder: Recorder | undefined;

  afterEach(async () => {
    await client?.stop();
    client = undefined;
    recorder?.close();
    recorder = undefined;
    await server?.close();
    server = undefined;
  });

  /** Bytes at the client's sockets per delivered message (handshake included, so over MESSAGES). */
  async function bytesPerMessage(protocol: ProtocolName, payload: PayloadKind, deflate: boolean) {
    const http = protocol !== 'websocket' && protocol !== 'socket.io';
    const on = { perMessageDeflate: deflate && !http, httpCompression: deflate && http };
    server = await startServer({ port: 0, ratePerS: 0, protocols: [protocol], ...on });
    recorder = new Recorder({ protocol });
    client = createClient(
      clientConfig({ id: 'z', protocol, baseUrl: server.url }, { ...on, pollIntervalMs: 100 }),
      recorder,
    );
    const opened = nextEvent(client, 'open', 5_000);
    client.start();
    await opened;
    const before = mergeWorkerReports([recorder.snapshot()]).totals;
    const payloads = makePayloads(SIZE, mulberry32(7), payload);
    for (let i = 0; i < MESSAGES; i++) {
      server.source.publish(payloads[i % payloads.length]);
      await new Promise((r) => setTimeout(r, 2));
    }
    await until(
      'all delivered',
      () => mergeWorkerReports([recorder!.snapshot()]).totals.delivered >= MESSAGES,
    );
    const after = mergeWorkerReports([recorder.snapshot()]).totals;
    const perMessage = (after.bytesIn - before.bytesIn + after.bytesOut - before.bytesOut) / MESSAGES;
    const r = { perMessage, payloadPerMessage: after.payloadBytes / MESSAGES };
    await client.stop();
    client = undefined;
    recorder.close();
    recorder = undefined;
    await server.close();
    server = undefined;
    return r;
  }

  for (const protocol of ['websocket', 'socket.io', 'sse', 'long-poll', 'short-poll'] as const) {
    const how = protocol === 'websocket' || protocol === 'socket.io' ? 'permessage-deflate' : 'gzip';
    it(`${protocol}: ${how} shrinks json payloads, not random ones`, async () => {
      const ratios: Record<PayloadKind, number> = { random: 0, json: 0 };
      /** Bytes saved per message as a share of the payload (HTTP heads are never compressed). */
      const saved: Record<PayloadKind, number> = { random: 0, json: 0 };
      for (const payload of ['random', 'json'] as const) {
        const off = await bytesPerMessage(protocol, payload, false);
        const on = await bytesPerMessage(protocol, payload, true);
        assert.equal(off.payloadPerMessage, SIZE);
        ratios[payload] = on.perMessage / off.perMessage;
        saved[payload] = (off.perMessage - on.perMessage) / SIZE;
        console.log(
          `${protocol} ${payload} 1 KB: ${off.perMessage.toFixed(1)} B/msg plain, ` +
            `${on.perMessage.toFixed(1)} B/msg with ${how}, ratio ${ratios[payload].toFixed(3)}, ` +
            `saved ${(saved[payload] * 100).toFixed(0)} % of the payload`,
        );
      }
      assert.ok(saved.json > 0.6, `json saved ${saved.json}`);
      // 64 symbols: Huffman coding alone brings 8 bits to ~6 (25 %); deflate finds no repeats
      // beyond that, only in the envelope around the payload.
      assert.ok(saved.random < 0.35, `random saved ${saved.random}`);
      assert.ok(ratios.random > 0.72, `random ratio ${ratios.random}`);
      assert.ok(ratios.random > 1.5 * ratios.json);
    });
  }
});
