/**
 * The fixture report in real Chromium from file://: no console error, no request leaving the
 * page, every chart canvas painted, the verdict showing the fixture's figures; screenshots in
 * test-output/reports/. Chromium missing is a failure (CI installs it), not a skip.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { renderReport } from '../../reports/render.ts';
import { launchChromium } from '../helpers/browser.ts';
import { checkReportInBrowser, verdictFigures } from '../helpers/report-checks.ts';
import { edgeCaseResults, extendedResults, loadFixture } from './fixtures.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUTPUT = path.join(root, 'test-output', 'reports');

describe('report in Chromium', { timeout: 60_000 }, () => {
  let dir: string;
  let browser: Browser | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pushbench-browser-'));
    await mkdir(OUTPUT, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function write(name: string, html: string): Promise<string> {
    const file = path.join(dir, name, 'index.html');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, html);
    return file;
  }

  it('fixture report with a baseline: clean console, offline, 8 painted charts, the fixture figures', async () => {
    const file = await write('fixture', renderReport(loadFixture(), { baseline: loadFixture() }));
    const result = await checkReportInBrowser(file, {
      browser,
      minCharts: 8,
      screenshotPath: path.join(OUTPUT, 'fixture-report.png'),
      // Literal figures from test/reports/fixtures/results.json, as the verdict formats them.
      verdictTexts: [
        'short-poll',
        'long-poll',
        'sse',
        'websocket',
        '507.9ms',
        '0.71ms',
        '7.48s',
        '8,012',
        '455 B',
        '82.8/s',
        '4.62s',
        '14.2s',
        '78.4 MB',
      ],
    });
    assert.equal(result.canvases.length, 8);
    for (const c of result.canvases) assert.ok(c.painted > 1000, `${c.id}: ${c.painted} painted pixels`);
    assert.match(result.verdictText, /★/, 'best values are marked');
    // The generic expectation the real-run test will use agrees with the literal figures.
    assert.ok(verdictFigures(loadFixture()).every((t) => result.verdictText.includes(t)));
  });

  it('edge cases (nothing delivered, no faults, no time series, a partial run) render cleanly', async () => {
    const file = await write('edge', renderReport(edgeCaseResults()));
    await checkReportInBrowser(file, {
      browser,
      minCharts: 1,
      screenshotPath: path.join(OUTPUT, 'edge-report.png'),
      verdictTexts: ['websocket', 'sse', '500'],
    });
  });

  it('browser-engine run and capacity section render beside the rest', async () => {
    const file = await write('extended', renderReport(extendedResults()));
    const result = await checkReportInBrowser(file, {
      browser,
      minCharts: 10,
      screenshotPath: path.join(OUTPUT, 'extended-report.png'),
      verdictTexts: ['websocket (browser)', '1.3ms'],
    });
    assert.ok(result.canvases.some((c) => c.id === 'chart-capacity-rate'));
  });

  it("CSP: the report's own scripts run by their hashes; an injected inline script is refused", async () => {
    const html = renderReport(loadFixture());
    assert.doesNotMatch(/script-src [^;]*/.exec(html)?.[0] ?? '', /unsafe-inline/);
    // The clean report renders (its two scripts are allowed by hash) ...
    await checkReportInBrowser(await write('csp-clean', html), { browser, minCharts: 8 });
    // ... and a script that was not in it when it was rendered does not run.
    const injected = html.replace('</main>', '<script>document.title = "injected ran"</script></main>');
    await assert.rejects(
      checkReportInBrowser(await write('csp-injected', injected), { browser, minCharts: 8 }),
      (err: Error) => {
        assert.match(err.message, /Content Security Policy/);
        return true;
      },
    );
    const page = await browser?.newPage();
    try {
      await page?.goto(pathToFileURL(path.join(dir, 'csp-injected', 'index.html')).href);
      assert.notEqual(await page?.title(), 'injected ran');
    } finally {
      await page?.close();
    }
  });

  it('the checks fail on a broken report (a chart that throws, an external request)', async () => {
    const broken = renderReport(loadFixture())
      .replace('"type":"bar"', '"type":"no-such-chart-type"')
      .replace('</body>', '<img src="https://example.invalid/x.png"></body>');
    const file = await write('broken', broken);
    await assert.rejects(checkReportInBrowser(file, { browser }), (err: Error) => {
      assert.match(err.message, /console error|failed to draw/);
      assert.match(err.message, /example\.invalid/);
      return true;
    });
  });
});
