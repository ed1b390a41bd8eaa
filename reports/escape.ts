/**
 * Escaping for the three contexts the report writes into: HTML text/attributes,
 * JSON embedded in a <script type="application/json">, and inline JavaScript.
 */

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape any value for HTML text or a double-quoted attribute (null/undefined → ''). */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

/**
 * JSON safe inside a <script> element: `<`, `>` and `&` become \u escapes (so no `</script>`
 * or `<!--` can appear), and U+2028/U+2029 are escaped for older JS parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Make JavaScript source safe to inline in a <script> element: `</script` would end the
 * element early, so it becomes `<\/script` (same meaning inside strings, regexes and comments).
 * Source-map comments are dropped: the page must not ask for any other file.
 */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/^\s*\/\/# sourceMappingURL=.*$/gm, '');
}
