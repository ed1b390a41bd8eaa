import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import type { RunningServer } from '../../servers/app.ts';
import { testServer } from './helpers.ts';

const CHROMIUM = process.env.PUSHBENCH_CHROMIUM ?? '/usr/bin/chromium';

describe('demo page (GET /)', () => {
  let server: RunningServer;
  let browser: Browser | undefined;
  before(async () => {
    server = await testServer();
  });
  after(async () => {
    await browser?.close();
    await server.close();
  });

  test('is served as HTML and loads no external resource', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = await res.text();
    assert.match(html, /<input id="url"/);
    for (const id of ['open', 'send', 'close', 'log']) assert.match(html, new RegExp(`id="${id}"`));
    assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//i);
  });

  test('in Chromium: open, hello, push, then reconnect resuming from the last seq', {
    skip: !existsSync(CHROMIUM) && 'no Chromium',
  }, async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.click('#open');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'open');
    await page.waitForFunction(() => document.getElementById('log')!.textContent!.includes('"type":"hello"'));
    const first = server.source.publish('one');
    await page.waitForFunction(
      (seq) => document.getElementById('seq')!.textContent === String(seq),
      first.seq,
    );

    // Drop the connection from the page; while it is away, two messages are published.
    await page.evaluate(() => (window as unknown as { ws: WebSocket }).ws.close());
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'closed');
    server.source.publish('missed-1');
    const last = server.source.publish('missed-2');
    // The page reconnects after 2 s with since=<last seq> and gets exactly what it missed.
    await page.waitForFunction(
      (seq) => document.getElementById('seq')!.textContent === String(seq),
      last.seq,
      {
        timeout: 10_000,
      },
    );
    const log = (await page.textContent('#log')) ?? '';
    assert.match(log, new RegExp(`since=${first.seq}`));
    assert.equal(log.match(/"data":"missed-1"/g)?.length, 1);
    assert.equal((await page.textContent('#reconnects'))?.trim(), '1');
  });
});
