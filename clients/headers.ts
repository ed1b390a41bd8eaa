/**
 * Request header profiles. `minimal`: only what the request needs (the polling transport
 * adds Host, node:http adds Host and Connection for SSE). `browser`: what Chrome sends for an XHR / EventSource /
 * WebSocket upgrade — User-Agent, client hints, Accept, Accept-Language, Accept-Encoding,
 * a ~200-byte Cookie, Referer / Origin — several hundred bytes per request, because
 * header overhead decides the polling bandwidth story. The servers compress only with
 * httpCompression (scenario `compression.http: gzip`), and then with gzip, which the
 * polling and SSE clients decode.
 */

export type HeaderProfile = 'minimal' | 'browser';
export type RequestKind = 'poll' | 'sse' | 'ws';

const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** ~200 bytes, shaped like analytics + session cookies. */
const COOKIE =
  '_ga=GA1.1.1402938571.1764180000; _ga_7QX2K1LM9Z=GS1.1.1764180000.3.1.1764180123.0.0.0; ' +
  'session=eyJ1aWQiOiI0MjEzMzciLCJyb2xlIjoidXNlciIsImV4cCI6MTc2NDE4MzYwMH0.Qm9yaW5nU2lnbmF0dXJl; ' +
  'theme=dark; lang=en-US';

const BROWSER_COMMON: Record<string, string> = {
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Windows"',
  'User-Agent': CHROME_UA,
  'Accept-Encoding': 'gzip, deflate, br, zstd',
  'Accept-Language': 'en-US,en;q=0.9,de;q=0.8',
  Cookie: COOKIE,
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
    return { ...BROWSER_COMMON, Origin: origin, 'Cache-Control': 'no-cache', Pragma: 'no-cache' };
  }
  const fetchMeta = { 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Dest': 'empty' };
  if (kind === 'sse') {
    return {
      ...BROWSER_COMMON,
      Accept: 'text/event-stream',
      'Cache-Control': 'no-cache',
      ...fetchMeta,
      Referer: `${origin}/app`,
    };
  }
  return {
    ...BROWSER_COMMON,
    Accept: 'application/json, text/plain, */*',
    ...fetchMeta,
    Referer: `${origin}/app`,
  };
}
