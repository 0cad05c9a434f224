/**
 * The report's one style sheet. It is the only inline content the report's Content-Security-Policy
 * allows (by its hash); the report has no script at all. Print rules start each cluster on a new
 * page in the PDF.
 */
export const REPORT_CSS = `
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee5; --soft: #f5f7f9; --accent: #b03a48; --blue: #2f5d8a; }
* { box-sizing: border-box; }
html { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic", sans-serif; color: var(--ink); background: #fff; }
body { margin: 0 auto; max-width: 1040px; padding: 32px 40px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 22px 0 8px; }
p { margin: 6px 0 10px; max-width: 80ch; }
.sub { color: var(--muted); margin: 0 0 16px; }
.lead { font-size: 15px; }
.note { background: var(--soft); border-left: 3px solid var(--blue); padding: 10px 14px; margin: 12px 0; max-width: none; }
.caveat { border-left-color: var(--accent); }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 14px 0; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.kpi b { display: block; font-size: 20px; font-variant-numeric: tabular-nums; }
.kpi span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 12.5px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 11.5px; }
.data { unicode-bidi: isolate; overflow-wrap: anywhere; }
.url { font-family: ui-monospace, Menlo, monospace; font-size: 11px; color: var(--muted); unicode-bidi: isolate; overflow-wrap: anywhere; }
.none { color: var(--muted); }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11px; font-weight: 600; border: 1px solid currentColor; }
.high { color: #8c1d2c; } .medium { color: #9a5b00; } .low { color: #4b5563; }
.open { color: #2f6f3e; }
.figure { margin: 10px 0 18px; }
.figure svg { max-width: 100%; height: auto; }
.figrow { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.cluster { break-before: page; }
.evidence { border: 1px solid var(--line); border-radius: 6px; margin: 10px 0 14px; break-inside: avoid; }
.evidence h4 { margin: 0; padding: 6px 10px; font-size: 12.5px; background: var(--soft); border-bottom: 1px solid var(--line); }
.evidence table { margin: 0; }
.toc a, a { color: var(--blue); text-decoration: none; }
code { font-family: ui-monospace, Menlo, monospace; font-size: 12px; background: var(--soft); padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
pre { background: var(--soft); padding: 10px 12px; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 11.5px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 10px; }
mark { background: #ffe58a; color: inherit; padding: 0 1px; border-radius: 2px; }
mark.p1 { background: #c7e3ff; } mark.p2 { background: #d5f0c8; } mark.p3 { background: #f6d0e4; }
.passages td { width: 50%; font-size: 13px; }
@media print {
  body { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .kpi, table tr { break-inside: avoid; }
}
@page { size: A4; margin: 16mm 14mm; }
`;
