/**
 * Safety: load goes to loopback only unless the user explicitly allows a remote target.
 */
import { BlockList, isIP } from 'node:net';
import { PushbenchError } from './errors.ts';

/** 127.0.0.0/8 and ::1; BlockList also matches IPv4-mapped IPv6 in any spelling (::ffff:7f00:1). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * The one loopback rule: localhost and *.localhost, 127.0.0.0/8, ::1 and ::ffff:127.x.x.x (as a
 * URL spells it too: [::ffff:7f00:1]). Not 0.0.0.0 or :: — binding those reaches every interface.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const family = isIP(h);
  return family !== 0 && LOOPBACK.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

/** Throws PB_REMOTE_TARGET unless `url`'s host is loopback or `allowRemote` is set. */
export function assertLoopbackTarget(url: string, allowRemote = false): void {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new PushbenchError(
      'PB_BAD_OPTION',
      `target: expected a URL such as http://127.0.0.1:8080, got "${url}"`,
    );
  }
  if (!allowRemote && !isLoopbackHost(host)) {
    throw new PushbenchError('PB_REMOTE_TARGET', `${host} is not a loopback address (127.0.0.0/8, ::1)`);
  }
}

/** Host header values already judged (isLoopbackHostHeader), at most HOST_VERDICTS_MAX of them. */
const hostVerdicts = new Map<string, boolean>();
export const HOST_VERDICTS_MAX = 256;

/**
 * True when an HTTP Host header names a loopback host (`127.0.0.1:8080`, `localhost`,
 * `[::1]:80`, `app.localhost`): the check against DNS rebinding on servers bound to loopback
 * (a page on another site whose name re-resolves to 127.0.0.1 still sends its own name).
 */
export function isLoopbackHostHeader(value: string | undefined): boolean {
  if (!value) return false;
  // A server checks every request, and its clients send the same few Host values: the verdict
  // is kept per value (BlockList.check builds a SocketAddress per call, ~10 % of a held long
  // poll's CPU: docs/perf.md "Long polling at its floor"). At most HOST_VERDICTS_MAX are kept;
  // a flood of distinct values starts the table over, it never grows past that.
  const known = hostVerdicts.get(value);
  if (known !== undefined) return known;
  // host [":" port] only: no user info, path, query or fragment.
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/?#@\s]+)(?::\d{1,5})?$/.exec(value);
  const verdict = m !== null && isLoopbackHost(m[1]);
  if (hostVerdicts.size >= HOST_VERDICTS_MAX) hostVerdicts.clear();
  hostVerdicts.set(value, verdict);
  return verdict;
}
