/**
 * Launch Debian's Chromium through playwright-core for tests (headless, no sandbox, no
 * background traffic) and always close it. Missing Chromium is a failure, not a skip: CI
 * installs the `chromium` package (.ci/run). The launch code lives in clients/browser/chromium.ts
 * (browser clients use it too).
 */
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../clients/browser/chromium.ts';

export {
  assertChromium,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  launchChromium,
} from '../../clients/browser/chromium.ts';

/** Run `fn` with a freshly launched headless Chromium; it is closed afterwards, also when `fn` throws. */
export async function withBrowser<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchChromium();
  try {
    return await fn(browser);
  } finally {
    await browser.close().catch(() => undefined);
  }
}
