/**
 * The capacity section (docs/engines.md), rendered only when results.json has `capacity`. The reader is
 * tolerant because the section is an extension: an array of probes (or `{ probes: [...] }`),
 * each `{ protocol, method?, points|steps: [{ ratePerS|clients, p50?, p99? }], maxRatePerS?,
 * maxClients?, clientsAtIntervalMs?: { "1000": N } }`. Anything else is shown as raw JSON.
 */
import { axisTitle, type ChartSpec } from './chart-spec.ts';
import { protocolColor } from './colors.ts';
import { escapeHtml } from './escape.ts';
import { formatValue, num } from './format.ts';

export interface CapacityPoint {
  x: number;
  p50: number | null;
  p99: number | null;
}

export interface CapacityProbe {
  protocol: string;
  method: string;
  /** 'rate': x is requests/s (autocannon); 'clients': x is the client count (step-up). */
  axis: 'rate' | 'clients';
  points: CapacityPoint[];
  maxRatePerS: number | null;
  maxClients: number | null;
  clientsAtIntervalMs: Array<[number, number]>;
}

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

function pick(o: Record<string, unknown>, keys: string[]): number | null {
  for (const k of keys) {
    const v = num(o[k]);
    if (v !== null) return v;
  }
  return null;
}

function probe(raw: unknown): CapacityProbe | null {
  const o = obj(raw);
  if (typeof o.protocol !== 'string') return null;
  const list = Array.isArray(o.points) ? o.points : Array.isArray(o.steps) ? o.steps : [];
  const byRate = list.some((p) => pick(obj(p), ['ratePerS', 'rate', 'requestsPerS']) !== null);
  const points = list.flatMap((p) => {
    const q = obj(p);
    const lat = obj(q.latencyMs);
    const x = byRate ? pick(q, ['ratePerS', 'rate', 'requestsPerS']) : pick(q, ['clients']);
    if (x === null) return [];
    return [
      { x, p50: pick(q, ['p50', 'p50Ms']) ?? num(lat.p50), p99: pick(q, ['p99', 'p99Ms']) ?? num(lat.p99) },
    ];
  });
  const at = obj(o.clientsAtIntervalMs ?? o.clientsByIntervalMs);
  return {
    protocol: o.protocol,
    method: typeof o.method === 'string' ? o.method : byRate ? 'autocannon' : 'clients',
    axis: byRate ? 'rate' : 'clients',
    points: points.sort((a, b) => a.x - b.x),
    maxRatePerS: pick(o, ['maxRatePerS', 'sustainedRatePerS']),
    maxClients: pick(o, ['maxClients']),
    clientsAtIntervalMs: Object.entries(at).flatMap(([k, v]) =>
      num(Number(k)) !== null && num(v) !== null ? [[Number(k), v as number] as [number, number]] : [],
    ),
  };
}

/** Read the capacity section; null when absent, [] when present but unrecognized. */
export function readCapacity(capacity: unknown): CapacityProbe[] | null {
  if (capacity === undefined || capacity === null) return null;
  const list = Array.isArray(capacity) ? capacity : obj(capacity).probes;
  if (!Array.isArray(list)) return [];
  return list.map(probe).filter((p): p is CapacityProbe => p !== null);
}

/** A latency-vs-load chart for the probes on one axis (rate or clients); null when none. */
export function capacityChart(probes: CapacityProbe[], axis: 'rate' | 'clients'): ChartSpec | null {
  const shown = probes.filter((p) => p.axis === axis && p.points.length);
  if (!shown.length) return null;
  const xLabel = axis === 'rate' ? 'requests per second' : 'concurrent clients';
  return {
    id: `chart-capacity-${axis}`,
    title:
      axis === 'rate' ? 'Capacity: latency against request rate' : 'Capacity: latency against client count',
    caption: `p99 latency (thick) and p50 (thin) at each step of the probe; the SLO holds up to the last step before the line climbs. x: ${xLabel}.`,
    config: {
      type: 'line',
      data: {
        datasets: shown.flatMap((p) => [
          {
            label: `${p.protocol} p99`,
            data: p.points.map((q) => ({ x: q.x, y: q.p99 })),
            borderColor: protocolColor(p.protocol),
            borderWidth: 2,
            pointRadius: 3,
          },
          {
            label: `${p.protocol} p50`,
            data: p.points.map((q) => ({ x: q.x, y: q.p50 })),
            borderColor: protocolColor(p.protocol),
            borderWidth: 1,
            pointRadius: 2,
            borderDash: [3, 3],
          },
        ]),
      },
      options: {
        scales: {
          x: { type: 'linear', title: axisTitle(xLabel) },
          y: { type: 'logarithmic', title: axisTitle('latency (log scale)') },
        },
      },
    },
    units: { x: axis === 'rate' ? 'perS' : 'count', y: 'ms' },
    tables: shown.map((p) => ({
      caption: p.protocol,
      head: [xLabel, 'p50', 'p99'],
      rows: p.points.map((q) => [
        formatValue(axis === 'rate' ? 'perS' : 'count', q.x),
        formatValue('ms', q.p50),
        formatValue('ms', q.p99),
      ]),
    })),
  };
}

/** The capacity summary table (what users ask: how many clients does this server carry?). */
export function capacitySummary(probes: CapacityProbe[], raw: unknown): string {
  if (!probes.length) {
    return `<p class="note">The capacity section has a shape this report does not read; here it is as recorded.</p><details><summary>capacity (raw)</summary><pre>${escapeHtml(JSON.stringify(raw, null, 2))}</pre></details>`;
  }
  const intervals = [...new Set(probes.flatMap((p) => p.clientsAtIntervalMs.map(([ms]) => ms)))].sort(
    (a, b) => a - b,
  );
  const head = [
    'protocol',
    'method',
    'max sustained rate',
    'max clients',
    ...intervals.map((ms) => `clients at ${formatValue('ms', ms)} interval`),
  ];
  const rows = probes.map((p) => {
    const at = new Map(p.clientsAtIntervalMs);
    return [
      p.protocol,
      p.method,
      formatValue('perS', p.maxRatePerS),
      formatValue('count', p.maxClients),
      ...intervals.map((ms) => formatValue('count', at.get(ms) ?? null)),
    ];
  });
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td class="num">${escapeHtml(c)}</td>`)).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table class="capacity"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}
