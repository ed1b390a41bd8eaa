/** The report's stylesheet, inlined in the page (system fonts only: no web font is fetched). */
export const REPORT_CSS = `
:root {
  --fg: #0f172a; --muted: #475569; --line: #e2e8f0; --bg: #f8fafc; --card: #ffffff;
  --accent: #1d4ed8; --good: #15803d; --good-bg: #dcfce7; --bad: #b91c1c; --bad-bg: #fee2e2;
  --warn: #92400e; --warn-bg: #fef3c7; --best-bg: #e0f2fe;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px; line-height: 1.45; color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
main, .page-header, nav.toc, footer { max-width: 1320px; margin: 0 auto; padding: 0 24px; }
.page-header { padding-top: 24px; padding-bottom: 8px; }
.kicker { margin: 0; text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--muted); font-weight: 600; }
h1 { margin: 2px 0 6px; font-size: 24px; font-weight: 650; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 8px; font-weight: 600; }
.description { margin: 0 0 10px; color: var(--muted); max-width: 80ch; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 10px 0 12px; }
.facts div { min-width: 0; }
.facts dt { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.facts dd { margin: 0; font-weight: 500; }
.banner { border-radius: 6px; padding: 8px 12px; margin: 6px 0; border: 1px solid; }
.banner.warn { background: var(--warn-bg); color: var(--warn); border-color: #fcd34d; }
.banner.bad { background: var(--bad-bg); color: var(--bad); border-color: #fca5a5; }
nav.toc { position: sticky; top: 0; z-index: 2; background: rgba(248,250,252,.95); border-bottom: 1px solid var(--line); padding-top: 6px; padding-bottom: 6px; font-size: 13px; }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 14px; }
nav.toc a:hover { text-decoration: underline; }
.section-intro { color: var(--muted); margin: 0 0 10px; max-width: 100ch; }
.table-wrap { overflow-x: auto; margin: 0 0 12px; }
table { border-collapse: collapse; background: var(--card); font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; }
th, td { padding: 5px 9px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; background: #f1f5f9; }
th.group { text-align: center; border-left: 1px solid var(--line); color: var(--fg); }
.num { text-align: right; }
table.verdict { width: 100%; border: 1px solid var(--line); }
table.verdict td, table.verdict th.group { border-left: 1px solid #f1f5f9; }
table.verdict th.run-col { min-width: 210px; }
table.verdict td.best { background: var(--best-bg); font-weight: 650; }
.star { color: #0369a1; margin-right: 3px; font-size: 11px; }
small { color: var(--muted); font-weight: 400; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; background: var(--c); margin-right: 7px; vertical-align: -1px; }
.swatch.dashed { background: transparent; border: 2px dashed var(--c); }
.run-name { font-weight: 600; }
.badge { display: inline-block; font-size: 11px; border-radius: 10px; padding: 0 7px; font-weight: 600; }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.badge.bad { background: var(--bad-bg); color: var(--bad); }
.legend, .note, .caption { color: var(--muted); font-size: 12.5px; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-width: 0; }
.card.wide { grid-column: 1 / -1; }
.canvas-box { position: relative; height: 300px; }
.card.wide .canvas-box { height: 280px; }
.caption { margin: 8px 0 4px; }
details.numbers summary { cursor: pointer; color: var(--accent); font-size: 12.5px; margin-top: 4px; }
details.numbers table { font-size: 12px; margin-top: 6px; }
details.numbers .table-wrap { max-height: 340px; overflow: auto; }
.empty { color: var(--muted); font-style: italic; }
.chart-empty { height: 120px; display: flex; align-items: center; justify-content: center; border: 1px dashed var(--line); border-radius: 6px; margin: 0; }
.baseline-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; }
table.baseline { width: 100%; border: 1px solid var(--line); }
table.baseline tr.regression td, table.baseline tr.regression th { background: var(--bad-bg); color: var(--bad); font-weight: 600; }
table.baseline tr.improvement td, table.baseline tr.improvement th { background: var(--good-bg); color: var(--good); }
.baseline-summary .bad { color: var(--bad); }
.baseline-summary .good { color: var(--good); }
table.runs td { white-space: normal; max-width: 360px; }
table.runs { width: 100%; }
table.runs td.text { min-width: 140px; }
table.runs td.wide { min-width: 190px; }
pre { background: #0f172a; color: #e2e8f0; padding: 12px; border-radius: 6px; overflow: auto; font-size: 12px; max-height: 480px; }
footer { color: var(--muted); font-size: 12px; padding-top: 24px; padding-bottom: 32px; }
.chart-error { color: var(--bad); }
@media (max-width: 980px) { .grid { grid-template-columns: minmax(0, 1fr); } }
@media print { nav.toc { display: none; } details.numbers { display: none; } .card { break-inside: avoid; } }
`;
