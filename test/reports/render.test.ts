/**
 * renderReport from fixtures: self-contained (no external resource), escaped, no NaN, edge
 * cases and extensions render without throwing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { renderReport } from '../../reports/render.ts';
import { externalReferences, markupOnly } from '../helpers/report-html.ts';
import { edgeCaseResults, extendedResults, loadFixture } from './fixtures.ts';

/** The JSON the page runtime reads. */
function embeddedData(html: string): { charts: Array<{ id: string; faults?: unknown[] }> } {
  const m = /<script type="application\/json" id="pb-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'pb-data script present');
  return JSON.parse(m[1]);
}

describe('renderReport', () => {
  const html = renderReport(loadFixture(), {
    baseline: loadFixture(),
    generatedAt: new Date('2025-11-26T21:00:00Z'),
  });

  it('references no external resource (rule: src/href/url()/@import/fetch/import/WebSocket targets; URL text in licence comments is allowed)', () => {
    assert.deepEqual(externalReferences(html), []);
    // Outside the inlined scripts, no URL appears at all.
    assert.doesNotMatch(markupOnly(html), /https?:\/\//);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    // Scripts by hash only: each executable inline script's sha256 is listed, nothing else.
    const scriptSrc = /script-src ([^;]*);/.exec(html)?.[1] ?? '';
    assert.doesNotMatch(scriptSrc, /unsafe-inline|unsafe-eval|\*/);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 2);
    const hashes = scripts.map((t) => `'sha256-${createHash('sha256').update(t, 'utf8').digest('base64')}'`);
    assert.deepEqual(scriptSrc.split(' '), hashes);
    assert.match(html, /Chart\.js v4/, 'chart.js is inlined');
    assert.doesNotMatch(html, /sourceMappingURL/);
  });

  it('the external-reference check itself catches CDN scripts, stylesheets, fonts and fetches', () => {
    const bad = [
      '<script src="https://cdn.jsdelivr.net/npm/chart.js"></script>',
      '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Inter">',
      '<style>@font-face { src: url(https://example.com/f.woff2) }</style>',
      '<img src="//example.com/x.png">',
      "<script>fetch('https://example.com/beacon')</script>",
    ];
    for (const snippet of bad) assert.notDeepEqual(externalReferences(snippet), [], snippet);
    assert.deepEqual(externalReferences('<script>/*! https://www.chartjs.org */</script>'), []);
  });

  it('is one document with every chart and section', () => {
    assert.equal(html.match(/<html/g)?.length, 1);
    assert.equal(html.match(/<canvas /g)?.length, 8);
    const ids = embeddedData(html).charts.map((c) => c.id);
    assert.equal(ids.length, 8);
    for (const id of ['verdict', 'baseline', 'charts', 'runs', 'scenario'])
      assert.match(html, new RegExp(`<section id="${id}">`));
    assert.equal(html.match(/<details class="numbers">/g)?.length, 8, 'every chart has its numbers table');
  });

  it('shows no NaN, undefined or null outside the inlined scripts', () => {
    assert.doesNotMatch(markupOnly(html), /\bNaN\b|\bundefined\b|>null</);
  });

  it('the latency labels say polling latency includes the wait for the next poll', () => {
    // The verdict's latency column headers carry the tooltip; the percentile chart its caption.
    const heads = [...html.matchAll(/<th class="num" title="([^"]*)">p(?:50|99)<\/th>/g)].map((m) => m[1]);
    assert.ok(heads.length >= 2, 'latency column headers found');
    for (const title of heads.slice(0, 2)) {
      assert.match(title, /receive time − scheduled publish time/);
      assert.match(
        title,
        /includes the wait for the client&#39;s next poll|includes the wait for the client's next poll/,
      );
    }
    assert.match(
      html,
      /Latency \(scheduled publish → client receive; for polling this includes the wait for the next poll/,
    );
  });

  it('marks the header warnings: saturated generator and breached SLOs', () => {
    assert.match(html, /short-poll: load generator saturated/);
    assert.match(html, /long-poll: SLO breached<\/strong>: p99 latency 7,480 ms &gt; 1,500 ms/);
    assert.match(html, /sse: SLO breached/);
    assert.doesNotMatch(html, /websocket: SLO breached/);
  });

  it('flags a message source that fell behind (banner, badge, runs table), and only that one', () => {
    const r = loadFixture();
    r.runs[0].source = { scheduled: 300, published: 300, ratePerS: 10, maxLagMs: 1_512.4 };
    r.runs[1].source = { scheduled: 300, published: 300, ratePerS: 10, maxLagMs: 3.2 };
    const markup = markupOnly(renderReport(r));
    const banners = markup.match(/⚠ [a-z-]+: message source fell behind<\/strong> \([^)]*\)/g) ?? [];
    assert.deepEqual(banners, [
      '⚠ short-poll: message source fell behind</strong> (up to 1.51s late; 300 of 300 scheduled messages published)',
    ]);
    assert.ok(markup.includes('⚠ source late'), 'the late run carries a badge');
    assert.ok(markup.includes('source: 300 of 300 published at 10/s, max lag 1.51s (fell behind)'));
    assert.ok(markup.includes('source: 300 of 300 published at 10/s, max lag 3.20ms ·'));
    const clean = markupOnly(html);
    assert.ok(!clean.includes('fell behind') && !clean.includes('source late'), 'no source figures: no flag');
  });

  it('shades the fault window on the time charts', () => {
    const latency = embeddedData(html).charts.find((c) => c.id === 'chart-latency-time');
    assert.deepEqual(latency?.faults, [{ from: 15, to: 23, label: 'blackhole' }]);
  });

  it('escapes a hostile scenario name and notes everywhere', () => {
    const r = loadFixture();
    r.scenario.name = '<script>alert(1)</script>';
    r.scenario.description = '</script><img src=x onerror=alert(2)>';
    r.runs[0].notes = ['<b>bold</b> & "quoted"'];
    r.runs[1].slo = { passed: false, breaches: ['p99 < 5ms </script>'] };
    const out = renderReport(r);
    const markup = markupOnly(out);
    assert.doesNotMatch(out, /<script>alert/);
    assert.doesNotMatch(out, /<img src=x/);
    assert.match(markup, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(markup, /&lt;b&gt;bold&lt;\/b&gt; &amp; &quot;quoted&quot;/);
    // Inside the embedded JSON, < is a \u escape, so no element can be closed early.
    const json = /<script type="application\/json" id="pb-data">([\s\S]*?)<\/script>/.exec(out)?.[1] ?? '';
    assert.doesNotMatch(json, /</);
    assert.equal(out.match(/<\/script>/g)?.length, 3, 'only the three real script elements close');
  });

  it('renders a run with 0 delivered, no faults, no timeseries and a partial run without NaN', () => {
    const out = renderReport(edgeCaseResults());
    assert.doesNotMatch(markupOnly(out), /\bNaN\b|\bundefined\b|Infinity/);
    assert.match(out, /No time series with latency in this results file/);
    assert.match(out, /No reconnect happened in any run/);
    assert.match(out, /No polling run in this results file/);
    assert.match(out, /unnamed scenario/);
    for (const chart of embeddedData(out).charts) assert.doesNotMatch(JSON.stringify(chart), /NaN|Infinity/);
  });

  it('does not throw on malformed runs and fields (garbage in, dashes out)', () => {
    const r = loadFixture();
    r.environment = undefined as never;
    r.scenario = null as never;
    r.runs = [
      null,
      1,
      'x',
      {},
      { latencyMs: 'fast', faults: [{ kind: 1 }, null], timeseries: [null, { t: 'x' }, { t: 1, p50: -1 }] },
    ] as never;
    const out = renderReport(r);
    assert.doesNotMatch(markupOnly(out), /\bNaN\b|\bundefined\b|Infinity/);
    assert.match(out, /<tr data-run="unknown #5">/);
  });

  it('renders a file with no runs at all', () => {
    const r = loadFixture();
    r.runs = [];
    const out = renderReport(r);
    assert.match(out, /This results file holds no runs/);
    assert.doesNotMatch(markupOnly(out), /\bNaN\b|\bundefined\b/);
  });

  it('shows browser-engine runs beside pushbench runs, and the capacity section', () => {
    const out = renderReport(extendedResults());
    assert.match(out, /<tr data-run="websocket \(browser\)">/);
    assert.match(out, /<tr data-run="websocket">/);
    assert.match(out, /onclose fired 61.2 s after ws.close\(\)/);
    assert.match(out, /<section id="capacity">/);
    assert.match(out, /9,100/);
    const ids = embeddedData(out).charts.map((c) => c.id);
    assert.ok(ids.includes('chart-capacity-rate') && ids.includes('chart-capacity-clients'), ids.join());
  });

  it("shows the generator's CPU per delivered message, — where it was not measured", () => {
    const r = loadFixture();
    r.runs[0].generator.cpuMsPerDeliveredMessage = 0.021;
    r.runs[1].generator.cpuMsPerDeliveredMessage = null;
    const out = renderReport(r);
    const cells = [
      ...out.matchAll(/<td[^>]*data-metric="generator-cpu-per-msg">(?:<span[^>]*>★<\/span>)?([^<]*)<\/td>/g),
    ];
    assert.equal(cells.length, r.runs.length, 'one cell per run');
    assert.equal(cells[0][1], '0.021ms');
    assert.equal(cells[1][1], '—');
    assert.match(out, /<th colspan="1" class="group">Generator<\/th>/);
    // Files without the figure (older ones) show no such column.
    assert.doesNotMatch(renderReport(loadFixture()), /generator-cpu-per-msg/);
  });

  it('shows an unreadable capacity section raw instead of failing', () => {
    const r = loadFixture();
    r.capacity = { something: 'else' };
    assert.match(renderReport(r), /capacity section has a shape this report does not read/);
  });
});
