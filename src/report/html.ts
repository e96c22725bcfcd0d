/**
 * The claims report as one self-contained HTML file: inline CSS, Chart.js and the chart data inlined, no request
 * of any kind when opened. Every string from data goes through `esc` (a model name is data, not markup), and a
 * Content-Security-Policy <meta> lets only the report's own inline script and style run, by hash, and loads nothing.
 */
import { engineSidesText } from '../text/engine-sides.ts';
import type { Verdict } from '../claims/types.ts';
import { VERDICTS } from '../claims/types.ts';
import { DRAW_SCRIPT, reportCharts, type ChartSpec } from './charts.ts';
import { formatUtc } from '../text/format.ts';
import { reportCsp } from '../core/csp.ts';
import {
  claimAnchor,
  claimRows,
  DEFAULT_TITLE,
  deviceFacts,
  deviceTag,
  evidenceTexts,
  profileRows,
  runAnchor,
  runColumns,
  runRows,
  thresholdTexts,
  VERDICT_TEXT,
  verdictCounts,
  type ClaimRow,
  type ReportInput,
} from './model.ts';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value from data, escaped for HTML. */
export const esc = (s: string | number): string => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * JSON inside `<script type="application/json">`: `<`, `>` and `&` as \u escapes, so no string in the data can close
 * the script element or open a comment; U+2028/9 too, for older parsers.
 */
export const scriptJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * A script's source inside `<script>`: only `</script` and `<!--` can end or confuse the element. Both occur, if
 * at all, inside string literals of minified code, where `<\/` and `<\!` mean the same characters.
 */
export const inlineScript = (source: string): string => source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

const badge = (v: Verdict['verdict']): string => `<span class="badge v-${v}" title="${esc(VERDICT_TEXT[v].meaning)}">${esc(VERDICT_TEXT[v].label)}</span>`;

/** A link to a run's row, or the bare id (flagged) when the report does not hold that run. */
function runLink(id: string, known: ReadonlySet<string>): string {
  return known.has(id)
    ? `<a class="run-link" href="#${runAnchor(id)}">${esc(id)}</a>`
    : `<span class="run-missing" title="this run is not in the report">${esc(id)}</span>`;
}

function claimCell(row: ClaimRow): string {
  const c = row.claim;
  if (!c) return `<td class="claim"><em>not in the claims list</em></td>`;
  const unmeasured = (c.unmeasuredParts ?? []).map((p) => `<li><strong>${esc(p.part)}</strong>: ${esc(p.reason)}</li>`).join('');
  return `<td class="claim"><p class="english" title="${esc(c.quote)}">${esc(c.english)}</p>
<details><summary>original and check</summary><blockquote lang="zh">${esc(c.quote)}</blockquote><p class="check"><strong>Check:</strong> ${esc(c.check)}</p>${c.metric ? `<p class="check"><strong>Metric:</strong> ${esc(c.metric)}</p>` : ''}</details>
${c.notMeasurable ? `<p class="unmeasured"><strong>Not measurable:</strong> ${esc(c.notMeasurable)}</p>` : ''}${unmeasured ? `<ul class="unmeasured" aria-label="parts not measured">${unmeasured}</ul>` : ''}</td>`;
}

/** The claim's id and the article it is from (title, date; the file name on hover). */
const idCell = (row: ClaimRow): string => {
  const src = row.claim?.source;
  return `<th scope="row" class="claim-id"><code>${esc(row.claimId)}</code>${src ? `<span class="source" title="${esc(src.document)}"><span class="doc-title">${esc(src.title)}</span> <span class="muted">${esc(src.date)}</span></span>` : ''}</th>`;
};

const summaryHtml = (v: Verdict): string =>
  `<p>${esc(v.summary)}</p>${v.reasons.length ? `<ul class="reasons">${v.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}`;

const evidenceHtml = (v: Verdict, known: ReadonlySet<string>): string =>
  v.evidence.length
    ? `<ul class="evidence">${evidenceTexts(v)
        .map(
          (e) =>
            `<li><span class="ev-label">${esc(e.label)}</span> <strong class="num">${esc(e.value)}</strong>${e.runId ? ` <span class="muted">(${runLink(e.runId, known)})</span>` : ''}</li>`,
        )
        .join('')}</ul>`
    : '<span class="muted">—</span>';

const thresholdHtml = (v: Verdict): string =>
  v.thresholds.length
    ? `<ul class="thresholds">${thresholdTexts(v.thresholds)
        .map((t) => `<li><strong class="num" title="${esc(t.name)}">${esc(t.bar)}</strong> <span class="muted">${esc(t.label)}</span></li>`)
        .join('')}</ul>`
    : '<span class="muted">—</span>';

const runsHtml = (v: Verdict, known: ReadonlySet<string>): string =>
  v.runIds.length ? `<ul class="run-list">${v.runIds.map((id) => `<li>${runLink(id, known)}</li>`).join('')}</ul>` : '<span class="muted">—</span>';

const marginHtml = (v: Verdict): string => (v.margin ? `<p class="margin"><span class="sub-h">margin</span>${esc(v.margin)}</p>` : '');

const backends = (v: Verdict): string => (v.devices.length ? ` <span class="muted">on ${esc(v.devices.join(', '))}</span>` : '');

/** One device: verdict, summary, evidence, thresholds, margin and runs each in their own column. */
function singleDeviceCells(v: Verdict | null, known: ReadonlySet<string>): string {
  if (!v) return `<td class="verdict"><span class="badge v-none">no verdict</span></td><td colspan="4" class="muted">not evaluated on this device</td>`;
  return `<td class="verdict" data-verdict="${esc(v.verdict)}">${badge(v.verdict)}${backends(v)}${marginHtml(v)}</td>
<td class="summary">${summaryHtml(v)}</td><td class="measured">${evidenceHtml(v, known)}</td><td class="threshold">${thresholdHtml(v)}</td>
<td class="runs">${runsHtml(v, known)}</td>`;
}

/** Several devices: one column per device, each cell holding the whole verdict. */
function deviceCell(v: Verdict | null, known: ReadonlySet<string>): string {
  if (!v) return `<td class="verdict"><span class="badge v-none">no verdict</span></td>`;
  return `<td class="verdict" data-verdict="${esc(v.verdict)}">${badge(v.verdict)}${backends(v)}<div class="sub">${summaryHtml(v)}</div>
${v.evidence.length ? `<div class="sub"><span class="sub-h">measured</span>${evidenceHtml(v, known)}</div>` : ''}
${v.thresholds.length ? `<div class="sub"><span class="sub-h">threshold</span>${thresholdHtml(v)}</div>` : ''}
${marginHtml(v)}
<div class="sub"><span class="sub-h">runs</span>${runsHtml(v, known)}</div></td>`;
}

function claimsTable(input: ReportInput, known: ReadonlySet<string>): string {
  const rows = claimRows(input);
  if (rows.length === 0) return '<p class="muted">No claims.</p>';
  const several = input.devices.length > 1;
  const head = several
    ? input.devices
        .map((d, i) => `<th scope="col" class="device-col">${esc(deviceTag(i))}<br><span class="muted">${esc(d.identity.label)}</span></th>`)
        .join('')
    : ['verdict', 'summary', 'measured', 'threshold', 'runs'].map((h) => `<th scope="col">${h}</th>`).join('');
  const body = rows
    .map((row) => {
      const verdicts =
        several || input.devices.length === 0 ? row.verdicts.map((v) => deviceCell(v, known)).join('') : singleDeviceCells(row.verdicts[0] ?? null, known);
      return `<tr id="${claimAnchor(row.claimId)}" data-claim-id="${esc(row.claimId)}">${idCell(row)}${claimCell(row)}${verdicts}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="claims${several ? ' several' : ''}"><thead><tr><th scope="col">claim · source</th><th scope="col">what it says</th>${head}</tr></thead>
<tbody>${body}</tbody></table></div>`;
}

function legend(): string {
  return `<ul class="legend">${VERDICTS.map((v) => `<li>${badge(v)} ${esc(VERDICT_TEXT[v].meaning)}</li>`).join('')}</ul>`;
}

function devicesSection(input: ReportInput): string {
  if (input.devices.length === 0) return '<p class="muted">No device: no runs were given.</p>';
  return `<div class="devices">${input.devices
    .map((d, i) => {
      const counts = verdictCounts(d);
      const tally = VERDICTS.filter((v) => counts.get(v))
        .map((v) => `${badge(v)} <span class="num">${counts.get(v)}</span>`)
        .join(' ');
      const facts = deviceFacts(d)
        .map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(f.value)}</dd>`)
        .join('');
      return `<section class="device card" data-device-key="${esc(d.identity.key)}"><h3>${input.devices.length > 1 ? `<span class="tag">${esc(deviceTag(i))}</span> ` : ''}${esc(d.identity.label)}</h3>
${tally ? `<p class="tally">${tally}</p>` : ''}<dl>${facts}</dl></section>`;
    })
    .join('')}</div>`;
}

function chartsSection(input: ReportInput, charts: ChartSpec[], withChartJs: boolean): string {
  if (charts.length === 0) return '<p class="muted">No chart: the runs have no figures to draw.</p>';
  const key =
    input.devices.length > 1
      ? `<p class="device-key">${input.devices.map((d, i) => `<span><span class="tag">${esc(deviceTag(i))}</span> ${esc(d.identity.label)}</span>`).join(' ')}</p>`
      : '';
  return `<div class="charts">${charts
    .map(
      (c) => `<figure class="chart card" data-chart="${esc(c.id)}"><figcaption>${esc(c.title)}</figcaption>
<div class="chart-box h-${Math.round(c.height)}${withChartJs ? '' : ' chart-missing'}">${withChartJs ? `<canvas id="${esc(c.id)}" role="img" aria-label="${esc(c.title)}"></canvas>` : 'charts need Chart.js'}</div>
<p class="note">${esc(c.note)}</p>${key}</figure>`,
    )
    .join('\n')}</div>`;
}

function runsTable(input: ReportInput): string {
  const rows = runRows(input);
  if (rows.length === 0) return '<p class="muted">No runs.</p>';
  // The error message gets a full-width line under its run: in a column it would push the table off the page.
  const cols = runColumns(input).filter((c) => c !== 'error');
  const numeric = new Set(['load', 'p50', 'TTFT', 'decode tok/s', 'WASM heap', 'GPU peak']);
  const head = cols.map((c) => `<th scope="col"${numeric.has(c) ? ' class="num"' : ''}>${esc(c)}</th>`).join('');
  const body = rows
    .map((r) => {
      const cells = cols.map((c) => {
        const v = r.cells[c];
        if (c === 'run') return `<th scope="row"><a href="#${r.anchor}"><code>${esc(v)}</code></a></th>`;
        if (c === 'model')
          return `<td>${esc(v)}${r.replica ? ' <span class="badge replica" title="the real architecture with synthetic weights: timings and memory are the real model’s, outputs are meaningless">replica</span>' : ''}</td>`;
        if (c === 'state') return `<td><span class="state s-${esc(r.state)}">${esc(v)}</span></td>`;
        return `<td${numeric.has(c) ? ' class="num"' : ''}>${esc(v)}</td>`;
      });
      const error = r.cells.error
        ? `\n<tr class="error-row" data-error-of="${esc(r.id)}"><td></td><td colspan="${cols.length - 1}" class="error">${esc(r.cells.error)}</td></tr>`
        : '';
      return `<tr id="${r.anchor}" data-run-id="${esc(r.id)}"${error ? ' class="has-error"' : ''}>${cells.join('')}</tr>${error}`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="runs"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The engines side by side on each language model, per device; empty when no two engines ran one. */
function engineSidesSection(input: ReportInput): string {
  const several = input.devices.length > 1;
  const parts = input.devices.flatMap((d) => {
    const text = engineSidesText(d.results);
    if (!text) return [];
    const head = text.head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
    const body = text.rows
      .map(
        (r) =>
          `<tr data-run-ids="${esc(r.runIds.join(' '))}"><th scope="row">${esc(r.cells[0]!)}</th>${r.cells
            .slice(1)
            .map((c) => `<td>${esc(c)}</td>`)
            .join('')}</tr>`,
      )
      .join('\n');
    return [
      `${several ? `<h3>${esc(d.identity.label)}</h3>` : ''}<div class="table-wrap"><table class="runs"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>
${text.notes.map((n) => `<p class="hint">${esc(n)}</p>`).join('\n')}`,
    ];
  });
  return parts.length ? `<section id="engines"><h2>Engines side by side</h2>\n${parts.join('\n')}</section>` : '';
}

/** The runs that have a per-operator profile: a line each with the top op types, and why where we know. */
function profilesSection(input: ReportInput): string {
  const rows = profileRows(input);
  if (rows.length === 0) return '';
  const several = input.devices.length > 1;
  const body = rows
    .map(
      (p) =>
        `<tr data-profile-of="${esc(p.id)}"><th scope="row"><a href="#${p.anchor}"><code>${esc(p.id)}</code></a></th>${several ? `<td>${esc(p.device)}</td>` : ''}<td>${esc(p.run)}: <strong>${esc(p.ops)}</strong></td><td>${esc(p.slowest)}</td><td>${esc(p.iteration)}</td><td>${[...p.why, ...(p.note ? [p.note] : [])].map(esc).join('<br>')}</td></tr>`,
    )
    .join('\n');
  return `<section id="profiles"><h2>Per-operator profiles</h2>
<p class="hint">One more iteration per run after the measured ones, with onnxruntime’s profiler; shares are of that iteration.</p>
<div class="table-wrap"><table class="runs"><thead><tr><th scope="col">run</th>${several ? '<th scope="col">device</th>' : ''}<th scope="col">top op types</th><th scope="col">slowest node</th><th scope="col">profiled iteration</th><th scope="col">why</th></tr></thead><tbody>${body}</tbody></table></div></section>`;
}

/** The report as one HTML document (a string); open it anywhere, offline. */
export function renderReportHtml(input: ReportInput): string {
  const title = input.title ?? DEFAULT_TITLE;
  const known = new Set(runRows(input).map((r) => r.id));
  const charts = reportCharts(input);
  const withChartJs = input.chartJsSource !== null;
  // The report's CSP allows exactly these inline scripts and this style, by hash (the JSON block is data, not run).
  const code = withChartJs && charts.length ? [inlineScript(input.chartJsSource!), DRAW_SCRIPT] : [];
  // Chart heights as classes: a style attribute would need 'unsafe-inline'.
  const style = CSS + [...new Set(charts.map((c) => Math.round(c.height)))].map((h) => `.chart-box.h-${h} { height: ${h}px; }\n`).join('');
  const scripts = code.length
    ? `<script type="application/json" id="report-charts">${scriptJson(charts.map(({ id, config, tips }) => ({ id, config, tips })))}</script>
${code.map((c) => `<script>${c}</script>`).join('\n')}`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${esc(reportCsp({ scripts: code, styles: [style] }))}">
<meta name="generator" content="ondevice">
<title>${esc(title)}</title>
<style>${style}</style>
</head>
<body>
<header class="page-head">
<h1>${esc(title)}</h1>
<p class="muted">Generated ${esc(formatUtc(input.generatedAt))} · ${input.devices.length} device${input.devices.length === 1 ? '' : 's'} · ${claimRows(input).length} claims · ${known.size} runs</p>
</header>
<main>
<section id="devices"><h2>Device${input.devices.length === 1 ? '' : 's'}</h2>${devicesSection(input)}</section>
<section id="claims"><h2>Claims</h2>${legend()}
<p class="hint">Thresholds are the project’s reading of the articles’ words; each verdict prints the bar it used. Hover a claim for the original quote.</p>
${claimsTable(input, known)}</section>
<section id="charts"><h2>Charts</h2>${chartsSection(input, charts, withChartJs)}</section>
${engineSidesSection(input)}
<section id="runs"><h2>Runs</h2>${runsTable(input)}</section>
${profilesSection(input)}
</main>
<footer class="muted">ondevice · run records schema <code>ondevice.run/1</code> · this file makes no network request.</footer>
${scripts}
</body>
</html>
`;
}

// System fonts only (nothing to load); colours carry meaning in badges, so they also print.
const CSS = `
:root { --fg: #1f2430; --muted: #667085; --line: #e3e6ec; --bg: #f7f8fa; --card: #fff; --accent: #2458d6;
  --held: #13893f; --not-held: #c62828; --cannot: #b26a00; --nm: #5b6477; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.page-head, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 20px; }
.page-head { padding-top: 28px; }
h1 { font-size: 24px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 8px; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.muted { color: var(--muted); }
.hint { color: var(--muted); font-size: 13px; margin: 4px 0 12px; }
.num { font-variant-numeric: tabular-nums; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.devices { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(380px, 100%), 1fr)); gap: 14px; }
.devices > *, .charts > * { min-width: 0; }
.device dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; font-size: 13px; }
.device dt { color: var(--muted); }
.device dd { margin: 0; overflow-wrap: anywhere; }
.tag { display: inline-block; background: var(--fg); color: #fff; border-radius: 4px; padding: 0 6px; font-size: 12px; }
.tally { margin: 0 0 10px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; color: #fff; background: var(--nm);
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.badge.v-held { background: var(--held); }
.badge.v-not-held { background: var(--not-held); }
.badge.v-cannot-run-here { background: var(--cannot); }
.badge.v-not-run-yet { background: #fff; color: var(--fg); border: 1px dashed var(--muted); }
.badge.v-not-measurable { background: #fff; color: var(--nm); border: 1px solid var(--nm); }
.badge.v-none { background: #fff; color: var(--muted); border: 1px dashed var(--muted); font-weight: 400; }
.badge.replica { background: #eef2fb; color: var(--accent); font-weight: 500; }
.legend { list-style: none; padding: 0; margin: 0 0 6px; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 13px; color: var(--muted); }
.table-wrap { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 8px 10px; border-bottom: 1px solid var(--line); }
thead th { position: sticky; top: 0; background: #f0f2f6; font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; color: #4a5163; white-space: nowrap; }
tbody tr:last-child > * { border-bottom: 0; }
table.claims { font-size: 13px; }
table.claims td p { margin: 0 0 4px; }
.claim-id { min-width: 150px; max-width: 190px; font-weight: 400; }
.claim-id code { white-space: nowrap; font-weight: 600; display: block; margin-bottom: 4px; }
.claim-id .source { display: block; font-size: 12px; line-height: 1.35; color: #3b4252; }
td.claim { min-width: 220px; max-width: 320px; }
.english { cursor: help; }
details summary { cursor: pointer; color: var(--muted); font-size: 12px; }
blockquote { margin: 6px 0; padding: 4px 10px; border-left: 3px solid var(--line); color: #3b4252; }
.check { font-size: 12px; color: #3b4252; }
ul.unmeasured, ul.reasons, ul.evidence, ul.thresholds { margin: 4px 0 0; padding-left: 16px; }
.unmeasured { font-size: 12px; color: var(--muted); }
ul.evidence, ul.thresholds { list-style: none; padding-left: 0; }
ul.reasons { font-size: 12px; color: #5a4a2a; }
td.summary { min-width: 200px; }
td.measured { min-width: 190px; }
td.threshold { min-width: 150px; }
td.verdict { min-width: 120px; }
.margin { margin: 6px 0 0; font-size: 12px; color: #7a2e2e; }
ul.run-list { list-style: none; margin: 0; padding: 0; white-space: nowrap; }
ul.evidence li, ul.thresholds li { margin-bottom: 3px; }
.ev-label { color: #3b4252; }
.run-link, .run-missing { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.run-missing { color: var(--not-held); text-decoration: line-through; }
table.several td.verdict { min-width: 260px; }
.sub { margin-top: 6px; font-size: 12px; }
.sub-h { display: block; color: var(--muted); text-transform: uppercase; font-size: 10px; letter-spacing: 0.05em; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(520px, 100%), 1fr)); gap: 14px; }
.chart { margin: 0; break-inside: avoid; }
.chart figcaption { font-weight: 600; margin-bottom: 8px; }
.chart-box { position: relative; width: 100%; }
.chart-missing { display: flex; align-items: center; justify-content: center; color: var(--muted); background: repeating-linear-gradient(45deg, #fafbfc, #fafbfc 10px, #f3f4f7 10px, #f3f4f7 20px); border-radius: 6px; }
.note { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
.device-key { font-size: 11px; color: var(--muted); margin: 6px 0 0; display: flex; flex-direction: column; gap: 2px; }
.device-key .tag { font-size: 10px; }
thead th.device-col { min-width: 280px; }
thead th.device-col .muted { text-transform: none; letter-spacing: 0; font-weight: 500; font-size: 12px; white-space: normal; }
table.runs { font-size: 12px; }
table.runs td, table.runs th { padding: 6px 8px; white-space: nowrap; }
tr.has-error > * { border-bottom: 0; }
table.runs tr.error-row td { padding-top: 0; }
table.runs td.error { white-space: normal; color: #7a2e2e; }
table.runs td.num, table.runs th.num { text-align: right; }
tr:target { background: #fff6d6; }
.state { font-weight: 600; }
.s-completed { color: var(--held); }
.s-errored { color: var(--not-held); }
.s-unsupported { color: var(--cannot); }
.s-aborted { color: var(--nm); }
footer { padding: 28px 20px 40px; font-size: 12px; }
@media (max-width: 640px) { .charts, .devices { grid-template-columns: 1fr; } .page-head, main, footer { padding: 0 10px; } }
@media print {
  body { background: #fff; font-size: 11px; }
  .card, .table-wrap { border-color: #ccc; break-inside: avoid; }
  .table-wrap { overflow: visible; }
  /* Paper has one width: the screen's minimum column widths would push the tables off it. */
  table.claims th, table.claims td { min-width: 0 !important; max-width: none; padding: 5px 6px; }
  table.runs td, table.runs th { padding: 3px 4px; white-space: normal; }
  thead th { white-space: normal; }
  ul.run-list, .claim-id code { white-space: normal; overflow-wrap: anywhere; }
  table.runs td.num { white-space: nowrap; }
  thead th { font-size: 9px; letter-spacing: 0; }
  table.runs { font-size: 9px; }
  .page-head, main, footer { max-width: none; padding: 0; }
  thead th { position: static; }
  .charts { grid-template-columns: 1fr; }
  a { color: inherit; }
}
`;
