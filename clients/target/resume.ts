/**
 * A target client's resume point, per method (clients/profiles/registry.ts ResumeMethod): what
 * the next connection adds to its URL or headers so that the server sends what was missed.
 */

/** `path` with `name=value` added to its query. */
export function withQuery(path: string, name: string, value: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
}

/** The query parameter of a `query:NAME` method, else undefined. */
export function queryParam(method: string): string | undefined {
  return method.startsWith('query:') ? method.slice('query:'.length) : undefined;
}
