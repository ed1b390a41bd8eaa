/**
 * The HTML skeleton. Everything is inline (CSS, chart.js, the chart data and the page runtime),
 * and a Content-Security-Policy forbids the page from loading or sending anything else, so it
 * works from file://, offline, attached to a ticket.
 */
import { createHash } from 'node:crypto';
import { escapeHtml, inlineScript, jsonForScript } from './escape.ts';
import { REPORT_CSS } from './style.ts';

export interface Section {
  id: string;
  title: string;
  /** Short explanation under the title (plain text). */
  intro?: string;
  html: string;
}

export interface Page {
  title: string;
  header: string;
  sections: Section[];
  footer: string;
  /** chart.js UMD source. */
  chartJs: string;
  /** The page runtime (assets/runtime.js). */
  runtime: string;
  /** Data for the runtime (chart specs), embedded as JSON. */
  data: unknown;
}

/** CSP source for one inline script: the sha256 of its exact text. */
function scriptHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * No network at all: only the page's own inline scripts, each allowed by its sha256 (no
 * 'unsafe-inline' for scripts, so markup injected through a field the escaping missed cannot
 * run script), inline styles, images from data: URLs.
 */
function csp(scripts: string[]): string {
  return `default-src 'none'; script-src ${scripts.map(scriptHash).join(' ')}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}

function section(s: Section): string {
  const intro = s.intro ? `<p class="section-intro">${escapeHtml(s.intro)}</p>` : '';
  return `<section id="${escapeHtml(s.id)}">
<h2>${escapeHtml(s.title)}</h2>
${intro}
${s.html}
</section>`;
}

/** Assemble the self-contained document. */
export function renderPage(page: Page): string {
  const chartJs = inlineScript(page.chartJs);
  const runtime = inlineScript(page.runtime);
  const nav = page.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp([chartJs, runtime])}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="pushbench">
<title>${escapeHtml(page.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${page.header}
<nav class="toc">${nav}</nav>
<main>
${page.sections.map(section).join('\n')}
</main>
<footer>${page.footer}</footer>
<script>${chartJs}</script>
<script type="application/json" id="pb-data">${jsonForScript(page.data)}</script>
<script>${runtime}</script>
</body>
</html>
`;
}
