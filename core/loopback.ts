/**
 * Safety: load goes to loopback only unless the user explicitly allows a remote target.
 */
import { isIP } from 'node:net';
import { PushbenchError } from './errors.ts';

/** True for localhost, 127.0.0.0/8, ::1 and ::ffff:127.x. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
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

/**
 * True when an HTTP Host header names a loopback host (`127.0.0.1:8080`, `localhost`,
 * `[::1]:80`, `app.localhost`): the check against DNS rebinding on servers bound to loopback
 * (a page on another site whose name re-resolves to 127.0.0.1 still sends its own name).
 */
export function isLoopbackHostHeader(value: string | undefined): boolean {
  // host [":" port] only: no user info, path, query or fragment.
  const m = value ? /^(\[[0-9a-fA-F:.]+\]|[^:[\]/?#@\s]+)(?::\d{1,5})?$/.exec(value) : null;
  return m !== null && isLoopbackHost(m[1]);
}
