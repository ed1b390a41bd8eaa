/**
 * One colour per protocol (Okabe–Ito, readable for colour-blind readers) and one line style
 * per engine, so a browser or Artillery run of a protocol sits beside its pushbench run.
 */

const PROTOCOL_COLORS: Record<string, string> = {
  'short-poll': '#E69F00',
  'long-poll': '#CC79A7',
  sse: '#009E73',
  websocket: '#0072B2',
  'socket.io': '#D55E00',
};
const SPARE_COLORS = ['#56B4E9', '#7F7F7F', '#000000', '#F0E442'];

const ENGINE_DASH: Record<string, number[]> = {
  pushbench: [],
  browser: [7, 4],
  artillery: [2, 3],
};

/** The protocol's colour; unknown protocols get spare colours in a stable order. */
export function protocolColor(protocol: string): string {
  const known = PROTOCOL_COLORS[protocol];
  if (known) return known;
  let h = 0;
  for (const c of protocol) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return SPARE_COLORS[h % SPARE_COLORS.length];
}

/** Line dash for an engine: solid for pushbench, dashed for browser, dotted for Artillery. */
export function engineDash(engine: string): number[] {
  return ENGINE_DASH[engine] ?? [4, 2, 1, 2];
}

/** #rrggbb + alpha (0..1) → rgba() string. */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}
