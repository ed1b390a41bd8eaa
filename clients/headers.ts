/**
 * Request header profiles. `minimal`: only what the request needs (the polling transport
 * adds Host, node:http adds Host and Connection for SSE). `browser`: what Chrome sends for an XHR / EventSource /
 * WebSocket upgrade from a page without cookies — User-Agent, client hints, Accept,
 * Accept-Language, Accept-Encoding, Sec-Fetch-*, Referer / Origin, ~500 bytes per request,
 * because header overhead decides the polling bandwidth story. The servers compress only with
 * httpCompression (scenario `compression.http: gzip`), and then with gzip, which the
 * polling and SSE clients decode.
 */

export type HeaderProfile = 'minimal' | 'browser';
export type RequestKind = 'poll' | 'sse' | 'ws';

const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/**
 * What Chromium sends with every request of a page (measured: Chromium's own fetch and
 * EventSource from the bench page; test/clients/browser/header-profile.test.ts holds the
 * short-poll request within ±10 % of it). No Cookie: the page has none.
 */
const BROWSER_COMMON: Record<string, string> = {
  'sec-ch-ua-platform': '"Windows"',
  'User-Agent': CHROME_UA,
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
};

/** Chromium puts these last. */
const BROWSER_TAIL: Record<string, string> = {
  'Accept-Encoding': 'gzip, deflate, br, zstd',
  'Accept-Language': 'en-US,en;q=0.9',
};

/** Headers for one request kind under a profile (a fresh object: callers may add to it). */
export function requestHeaders(
  profile: HeaderProfile,
  kind: RequestKind,
  baseUrl: string,
): Record<string, string> {
  if (profile === 'minimal') return kind === 'sse' ? { Accept: 'text/event-stream' } : {};
  const origin = new URL(baseUrl).origin;
  if (kind === 'ws') {
    return {
      Pragma: 'no-cache',
      'Cache-Control': 'no-cache',
      ...BROWSER_COMMON,
      Origin: origin,
      ...BROWSER_TAIL,
    };
  }
  const fetchMeta = { 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Dest': 'empty' };
  if (kind === 'sse') {
    return {
      'Cache-Control': 'no-cache',
      ...BROWSER_COMMON,
      Accept: 'text/event-stream',
      ...fetchMeta,
      Referer: `${origin}/`,
      ...BROWSER_TAIL,
    };
  }
  // fetch(url, { cache: 'no-store' }) as the bench page polls: Pragma and Cache-Control no-cache.
  return {
    Pragma: 'no-cache',
    'Cache-Control': 'no-cache',
    ...BROWSER_COMMON,
    Accept: '*/*',
    ...fetchMeta,
    Referer: `${origin}/`,
    ...BROWSER_TAIL,
  };
}
