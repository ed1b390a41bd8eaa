/**
 * The HTML skeleton. Everything is inline (CSS, chart.js, the chart data and the page runtime),
 * and a Content-Security-Policy forbids the page from loading or sending anything else, so it
 * works from file://, offline, attached to a ticket.
 */
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

/** No network at all: only inline scripts and styles, images from data: URLs. */
const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

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
  const nav = page.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
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
<script>${inlineScript(page.chartJs)}</script>
<script type="application/json" id="pb-data">${jsonForScript(page.data)}</script>
<script>${inlineScript(page.runtime)}</script>
</body>
</html>
`;
}
