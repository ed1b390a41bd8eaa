import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Recorder } from '../../clients/metrics.ts';
import { clientConfig, createClient, type PushClient } from '../../clients/registry.ts';
import { type Envelope, PROTOCOLS, type ProtocolName } from '../../core/types.ts';
import { type RunningServer, startServer } from '../../servers/app.ts';
import { Forwarder, nextEvent, until } from './helpers.ts';

const SETTINGS = {
  pollIntervalMs: 50,
  longPollWaitMs: 2_000,
  sseKeepAliveMs: 1_000,
  heartbeat: { intervalMs: 300, timeoutMs: 300 },
  backoff: { initialMs: 100, maxMs: 400, jitter: 0 },
};

/** Server-side disconnect as the client sees it: every connection cut, new ones refused until `reopen`. */
async function outage(
  server: RunningServer,
  fwd: Forwarder,
  c: PushClient,
  publishCount: number,
): Promise<number[]> {
  fwd.setDown(true);
  fwd.cut();
  const seqs = Array.from({ length: publishCount }, () => server.source.publish('during outage').seq);
  if (c.connected) await nextEvent(c, 'dead', 5_000);
  fwd.setDown(false);
  return seqs;
}

for (const retention of ['covers the outage', 'is shorter than the outage'] as const) {
  describe(`resume after a server-side disconnect, retention ${retention}`, () => {
    let server: RunningServer;
    let fwd: Forwarder;
    let baseUrl: string;
    let recorder: Recorder | undefined;
    let client: PushClient | undefined;

    before(async () => {
      server = await startServer({
        port: 0,
        ratePerS: 0,
        protocols: [...PROTOCOLS],
        retentionCount: retention === 'covers the outage' ? 1_000 : 3,
      });
      fwd = new Forwarder(server.port);
      baseUrl = await fwd.listen();
    });
    afterEach(async () => {
      await client?.stop();
      recorder?.close();
    });
    after(async () => {
      await fwd.close();
      await server.close();
    });

    for (const protocol of PROTOCOLS) {
      it(`${protocol}: reconnects, resumes from its last seq, loses nothing it could get`, async () => {
        recorder = new Recorder({ protocol });
        const c = createClient(
          clientConfig({ id: `res-${protocol}`, protocol: protocol as ProtocolName, baseUrl }, SETTINGS),
          recorder,
        );
        client = c;
        const got: number[] = [];
        c.on('message', (env: Envelope) => got.push(env.seq));
        const opened = nextEvent(c, 'open', 5_000);
        c.start();
        await opened;
        const before = Array.from({ length: 3 }, () => server.source.publish('before').seq);
        await until('first 3 delivered', () => got.length === 3);
        const during = await outage(server, fwd, c, 6);
        await nextEvent(c, 'open', 5_000);
        const afterSeq = server.source.publish('after').seq;
        await until('the message after the outage', () => got.includes(afterSeq));
        const report = recorder.snapshot();
        const stats = report.clients[0];
        assert.equal(stats.duplicates, 0);
        assert.equal(stats.outOfOrder, 0);
        assert.equal(stats.reconnects, 1);
        assert.deepEqual([report.totals.reconnects, report.totals.connectionsLost], [1, 1]);
        const [event] = report.reconnects;
        assert.ok(
          event.openAtMs! > event.deadAtMs && event.deadAtMs >= event.lastGoodAtMs,
          'ordered timestamps',
        );
        assert.ok(event.caughtUpAtMs! >= event.openAtMs!);
        // socket.io: Socket.IO's connection state recovery keeps its own buffer (bounded by age,
        // not by retentionCount) and replays the outage itself when it can.
        if (retention === 'covers the outage' || event.resumedBy === 'recovery') {
          assert.deepEqual(got, [...before, ...during, afterSeq]);
          assert.equal(stats.recovered, 6, 'the outage messages are recovered, not steady');
          assert.equal(stats.gapsLost, 0);
          assert.equal(recorder.snapshot().histograms.recoveredUs !== '', true);
        } else {
          // Only the last 3 seqs are retained: the client is told about the rest and counts it lost.
          assert.deepEqual(got, [...before, ...during.slice(-3), afterSeq]);
          assert.equal(stats.gapsLost, 3);
          assert.equal(event.gapLost, 3);
          assert.equal(stats.delivered + stats.gapsLost, 10);
        }
      });
    }
  });
}
