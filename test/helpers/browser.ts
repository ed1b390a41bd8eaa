/**
 * Launch Debian's Chromium through playwright-core for tests (headless, no sandbox, no
 * background traffic) and always close it. Missing Chromium is a failure, not a skip: CI
 * installs the `chromium` package (.ci/run).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.PUSHBENCH_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet, offline-friendly headless Chromium (no GPU, no sync, no phoning home). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Throw a clear error when Chromium is not installed. */
export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (.ci/run does this), or point PUSHBENCH_CHROMIUM at it`,
    );
  }
}

/** Launch headless Chromium with CHROMIUM_ARGS. The caller must close it (prefer withBrowser). */
export async function launchChromium(): Promise<Browser> {
  assertChromium();
  // launch() gives every browser a fresh temporary profile (user-data dir) and deletes it on close.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/** Run `fn` with a freshly launched headless Chromium; it is closed afterwards, also when `fn` throws. */
export async function withBrowser<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchChromium();
  try {
    return await fn(browser);
  } finally {
    await browser.close().catch(() => undefined);
  }
}
