/**
 * Static checks on a rendered report's HTML (no browser): it must not reference anything
 * outside itself. The rule: no src/href/action/srcset/poster/data attribute, CSS url() or
 * @import, and no fetch()/import()/XMLHttpRequest/WebSocket/EventSource/sendBeacon call whose
 * target is http(s):// or protocol-relative (//host). Mentions of URLs in text or comments
 * (chart.js's licence header names its web site) are not resources and are allowed.
 */

const ATTRIBUTE =
  /\s(?:src|href|action|formaction|srcset|poster|data|background|ping|manifest)\s*=\s*["']?\s*(?:https?:)?\/\//gi;
const CSS_URL = /url\(\s*["']?\s*(?:https?:)?\/\//gi;
const CSS_IMPORT = /@import\s+(?:url\()?\s*["']?\s*(?:https?:)?\/\//gi;
const JS_CALL =
  /\b(?:fetch|import|importScripts|sendBeacon|open|WebSocket|EventSource|Worker)\s*\(\s*[`"'](?:https?:|wss?:)?\/\//gi;
const LINK_STYLESHEET =
  /<link\b[^>]*rel\s*=\s*["']?(?:stylesheet|preload|prefetch|preconnect|dns-prefetch|modulepreload|icon)/gi;
const SCRIPT_SRC = /<script\b[^>]*\ssrc\s*=/gi;

/** Every external resource reference found in `html` (empty = self-contained). */
export function externalReferences(html: string): string[] {
  const found: string[] = [];
  for (const re of [ATTRIBUTE, CSS_URL, CSS_IMPORT, JS_CALL, LINK_STYLESHEET, SCRIPT_SRC]) {
    for (const m of html.matchAll(re))
      found.push(html.slice(Math.max(0, m.index - 20), m.index + m[0].length + 40));
  }
  return found;
}

/** The page outside its <script> elements (what the reader sees and the markup). */
export function markupOnly(html: string): string {
  return html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '<script></script>');
}
