/**
 * The browser checks every rendered report must pass (fixture reports and reports of real
 * runs alike): opened from file://, no console error, no request that is not file://, every
 * chart canvas painted, the verdict table showing the expected figures, no NaN/undefined on
 * the page, and a full-page screenshot saved.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import type { Results } from '../../core/types.ts';
import { formatValue } from '../../reports/format.ts';
import { buildRunViews } from '../../reports/model.ts';
import { withBrowser } from './browser.ts';

export interface ReportExpectations {
  /** Texts that must appear in the verdict section (run labels, formatted figures). */
  verdictTexts?: string[];
  /** At least this many chart canvases (default 1). */
  minCharts?: number;
  /** Save a full-page PNG here (folders are created). */
  screenshotPath?: string;
  /** Reuse an open browser (several reports in one test); otherwise one is launched and closed. */
  browser?: Browser;
}

export interface CanvasCheck {
  id: string;
  width: number;
  height: number;
  /** Pixels with non-zero alpha. */
  painted: number;
}

export interface ReportCheckResult {
  canvases: CanvasCheck[];
  consoleErrors: string[];
  /** Requests to anything but file:// (aborted and counted). */
  externalRequests: string[];
  failedRequests: string[];
  verdictText: string;
}

/** Figures a report of `results` must show in its verdict: each run's label, steady p50 and delivered count. */
export function verdictFigures(results: Results): string[] {
  return buildRunViews(results).flatMap((r) => [
    r.label,
    ...(r.latency.p50 === null ? [] : [formatValue('ms', r.latency.p50)]),
    ...(r.delivery.delivered === null ? [] : [formatValue('count', r.delivery.delivered)]),
  ]);
}

/** Open `htmlPath` in headless Chromium and run every check; throws one AssertionError listing all problems. */
export async function checkReportInBrowser(
  htmlPath: string,
  expect: ReportExpectations = {},
): Promise<ReportCheckResult> {
  if (expect.browser) return inBrowser(expect.browser, htmlPath, expect);
  return withBrowser((browser) => inBrowser(browser, htmlPath, expect));
}

async function inBrowser(
  browser: Browser,
  htmlPath: string,
  expect: ReportExpectations,
): Promise<ReportCheckResult> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, offline: true });
  try {
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const externalRequests: string[] = [];
    const failedRequests: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
    page.on('request', (req) => {
      const url = req.url();
      if (!url.startsWith('file://') && !url.startsWith('data:')) externalRequests.push(url);
    });
    page.on('requestfailed', (req) => {
      if (req.url().startsWith('file://')) failedRequests.push(`${req.url()}: ${req.failure()?.errorText}`);
    });
    await page.route('**/*', (route) =>
      route.request().url().startsWith('file://') ? route.continue() : route.abort('blockedbyclient'),
    );
    await page.goto(pathToFileURL(path.resolve(htmlPath)).href, { waitUntil: 'load', timeout: 20_000 });
    await page.waitForFunction(
      () => (window as unknown as { __pbReport?: unknown }).__pbReport !== undefined,
      undefined,
      { timeout: 15_000 },
    );
    const report = await page.evaluate(
      () => (window as unknown as { __pbReport: { charts: number; failed: number } }).__pbReport,
    );
    const canvases = await page.evaluate(paintedCanvases);
    // Rendered text on purpose: closed <details> and inline scripts (chart.js) are not what readers see.
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is checked
    const verdictText = await page.locator('#verdict').innerText();
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is checked
    const bodyText = await page.locator('body').innerText();
    if (expect.screenshotPath) {
      await mkdir(path.dirname(expect.screenshotPath), { recursive: true });
      await page.screenshot({ path: expect.screenshotPath, fullPage: true });
    }
    const problems = [
      ...consoleErrors.map((e) => `console error: ${e}`),
      ...externalRequests.map((u) => `request leaving the page: ${u}`),
      ...failedRequests.map((u) => `failed request: ${u}`),
      ...(report.failed ? [`${report.failed} chart(s) failed to draw`] : []),
      ...(canvases.length < (expect.minCharts ?? 1)
        ? [`${canvases.length} chart canvases, expected at least ${expect.minCharts ?? 1}`]
        : []),
      ...canvases
        .filter((c) => c.painted === 0)
        .map((c) => `canvas ${c.id} (${c.width}×${c.height}) has no drawn pixel`),
      ...(expect.verdictTexts ?? [])
        .filter((t) => !verdictText.includes(t))
        .map((t) => `verdict does not show "${t}"`),
      ...(/\bNaN\b|\bundefined\b/.test(bodyText)
        ? [
            `page text contains NaN/undefined: …${/.{0,40}(\bNaN\b|\bundefined\b).{0,40}/.exec(bodyText)?.[0]}…`,
          ]
        : []),
    ];
    assert.deepEqual(
      problems,
      [],
      `report ${htmlPath} failed its browser checks:\n  ${problems.join('\n  ')}`,
    );
    return { canvases, consoleErrors, externalRequests, failedRequests, verdictText };
  } finally {
    await context.close().catch(() => undefined);
  }
}

/** Runs in the page: count non-transparent pixels of every canvas. */
function paintedCanvases(): CanvasCheck[] {
  return Array.from(document.querySelectorAll('canvas')).map((canvas) => {
    const ctx = canvas.getContext('2d');
    let painted = 0;
    if (ctx && canvas.width && canvas.height) {
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    }
    return { id: canvas.id, width: canvas.width, height: canvas.height, painted };
  });
}
