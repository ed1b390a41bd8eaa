/**
 * Query validation for every push endpoint, in one place (rules in docs/wire.md):
 * `since` integer >= 0, `client` 1-64 chars of [A-Za-z0-9_.:-] (default "anon"),
 * `wait` integer ms in [0, max]. Every problem is reported at once as PB_BAD_QUERY.
 * Unknown parameters are ignored (browsers add cache busters).
 */
import { PushbenchError } from '../core/errors.ts';

export interface PushQuery {
  since?: number;
  client: string;
  waitMs?: number;
}

export interface QueryRules {
  /** Accept `wait` (long-poll): default and cap in ms. */
  wait?: { defaultMs: number; maxMs: number };
  /** SSE: the Last-Event-ID header, used when `since` is absent. */
  lastEventId?: unknown;
  /** Client id from the path (/websocket/:client) instead of the query. */
  pathClient?: unknown;
}

export const DEFAULT_CLIENT = 'anon';
const CLIENT_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const INT_RE = /^\d{1,15}$/;

/** Parse and check a push endpoint's query; throws PushbenchError PB_BAD_QUERY listing every problem. */
export function parseQuery(query: unknown, rules: QueryRules = {}): PushQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const out: PushQuery = { client: DEFAULT_CLIENT };

  const since = q.since !== undefined ? q.since : rules.lastEventId;
  const sinceName = q.since !== undefined ? 'since' : 'Last-Event-ID';
  if (since !== undefined) {
    const n = parseNonNegInt(since);
    if (n === undefined) problems.push(`${sinceName}: expected an integer ≥ 0, got ${show(since)}`);
    else out.since = n;
  }

  const client = rules.pathClient !== undefined ? rules.pathClient : q.client;
  if (client !== undefined) {
    if (typeof client === 'string' && CLIENT_RE.test(client)) out.client = client;
    else problems.push(`client: expected 1-64 characters of [A-Za-z0-9_.:-], got ${show(client)}`);
  }

  if (rules.wait) {
    out.waitMs = rules.wait.defaultMs;
    if (q.wait !== undefined) {
      const n = parseNonNegInt(q.wait);
      if (n === undefined || n > rules.wait.maxMs) {
        problems.push(`wait: expected an integer of ms, 0 ≤ wait ≤ ${rules.wait.maxMs}, got ${show(q.wait)}`);
      } else out.waitMs = n;
    }
  }

  if (problems.length) throw new PushbenchError('PB_BAD_QUERY', problems.join('; '), problems);
  return out;
}

function parseNonNegInt(value: unknown): number | undefined {
  if (typeof value !== 'string' || !INT_RE.test(value)) return undefined;
  return Number(value);
}

function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
