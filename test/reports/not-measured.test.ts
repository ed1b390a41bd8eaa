/**
 * Figures that were not measured, or not meaningfully, read "—" in the report and are never
 * starred: the generator event-loop p99 of an Artillery run (null in results.json), and the
 * server's memory per connection below 500 connections (RSS noise: "0.0 KB" was starred).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunResult } from '../../core/types.ts';
import { runView } from '../../reports/model.ts';
import { renderRunDetails } from '../../reports/run-details.ts';
import { renderVerdict } from '../../reports/verdict.ts';
import { loadFixture } from './fixtures.ts';

const fixture = loadFixture().runs;
const ws = fixture.find((r) => r.protocol === 'websocket')!;
const sse = fixture.find((r) => r.protocol === 'sse')!;

/** The `<td>` cells of the row whose first cell names `label`. */
function rowCells(html: string, label: string): string[] {
  const row = html.split('<tr>').find((r) => r.includes(`>${label}<`));
  assert.ok(row, `a row for ${label}`);
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
}

describe('not measured reads "—"', () => {
  it("an Artillery run's generator event-loop p99 (null) reads — in the runs table, the server's its figure", () => {
    const artillery: RunResult = {
      ...ws,
      engine: 'artillery',
      server: { cpuPct: 12, rssMB: 80, eventLoopP99Ms: 3.2 },
      generator: { eventLoopP99Ms: null, saturated: false },
    };
    const html = renderRunDetails([runView(artillery, 'a', 'artillery-ws')]);
    const head = [...html.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    const cells = rowCells(html, 'artillery-ws');
    // The run's name is the row's header cell: the first <td> is the second column.
    const at = (name: string) => cells[head.indexOf(name) - 1];
    assert.equal(at('generator loop p99'), '—');
    assert.equal(at('server loop p99'), '3.20ms');
  });

  it('memory per connection: — below 500 connections and never starred; compared from 500 on', () => {
    const run = (protocol: 'websocket' | 'sse', clients: number, kb: number): RunResult => ({
      ...(protocol === 'websocket' ? ws : sse),
      clients,
      server: { cpuPct: 10, rssMB: 60, eventLoopP99Ms: 1, memoryKBPerConnection: kb },
    });
    // An old results file: 100 clients, one of them "0.0 KB" of RSS noise.
    const small = [
      runView(run('websocket', 100, 0), 'w', 'ws-100'),
      runView(run('sse', 100, 41.5), 's', 'sse-100'),
    ];
    const html = renderVerdict(small);
    const cells = [...html.matchAll(/<td[^>]*data-metric="kb-per-conn">([^<]*)<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(cells, []);
    assert.equal(small[0].server.kbPerConnection, null);
    assert.equal(small[1].server.kbPerConnection, null);

    const big = [
      runView(run('websocket', 1_000, 9.5), 'w', 'ws-1000'),
      runView(run('sse', 1_000, 21), 's', 'sse-1000'),
    ];
    const bigHtml = renderVerdict(big);
    assert.match(
      bigHtml,
      /class="num best"[^>]*data-metric="kb-per-conn"><span class="star" aria-label="best">★<\/span>9\.5/,
    );
    assert.match(bigHtml, /<td class="num" data-metric="kb-per-conn">21/);

    // One run above, one below: the small one reads — and the big one is not "best" alone.
    const mixed = [
      runView(run('websocket', 100, 0), 'w', 'ws-100'),
      runView(run('sse', 1_000, 21), 's', 'sse-1000'),
    ];
    const mixedHtml = renderVerdict(mixed);
    assert.match(mixedHtml, /<td class="num" data-metric="kb-per-conn">—<\/td>/);
    assert.doesNotMatch(mixedHtml, /★[^<]*0\.0/);
    assert.doesNotMatch(mixedHtml, /best"[^>]*data-metric="kb-per-conn"/);
  });
});
