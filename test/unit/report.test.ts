// The claims report as strings: every claim and verdict shows, run links land on rows, nothing is fetched from
// anywhere, data cannot inject markup, devices sit side by side, and Markdown tables keep their shape.
import { describe, expect, it } from 'vitest';
import { readChartJsSource } from '../../src/cli/report-assets.ts';
import { formatMeasure, formatThreshold } from '../../src/text/format.ts';
import { renderReportHtml, renderReportMarkdown, runAnchor } from '../../src/report/report.ts';
import { inlineScript, scriptJson } from '../../src/report/html.ts';
import { CLAIMS, EVIL_MODEL, oneDevice, twoDevices } from '../fixtures/report-input.ts';

const chartJs = readChartJsSource();
const html = renderReportHtml(oneDevice(chartJs));
const ids = (s: string) => new Set([...s.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));

/** The report's own markup: Chart.js's inlined source is third-party text, checked separately below. */
const ownMarkup = (s: string) => s.replace(inlineScript(chartJs), '');

describe('HTML report', () => {
  it('lists every claim with its verdict, threshold and margin', () => {
    for (const c of CLAIMS) expect(html).toContain(`data-claim-id="${c.id}"`);
    for (const v of ['held', 'not-held', 'cannot-run-here', 'not-measurable']) expect(html).toContain(`data-verdict="${v}"`);
    expect(html).toContain('≤ 33 ms');
    expect(html).toContain('≥ 100×');
    expect(html).toContain('ratio 20.3× against ≥ 100× (4.9× short)');
    // Evidence with units, formatted in src/ui.
    expect(html).toContain('21.00 ms');
    expect(html).toContain('0.0400 tok/s');
    // The quote is there (hover and details), and the reason for cannot-run-here.
    expect(html).toContain('MobileNet…占用的资源超级少');
    expect(html).toContain('the WASM heap allows 4.00 GiB');
  });

  it('says under a verdict built on 4-bit wasm runs that onnxruntime-web dequantized every weight on every call', () => {
    const note = 'q4 on wasm: onnxruntime-web has no 4-bit kernel there, so MatMulNBits dequantizes every weight to fp32 on every call';
    const md = renderReportMarkdown(oneDevice(null));
    const slm = md.split('\n').find((l) => l.includes('`slm-on-phone`'))!;
    expect(slm).toContain(note);
    // Once per verdict, and not under verdicts without 4-bit wasm runs.
    expect(slm.split(note)).toHaveLength(2);
    expect(md.split('\n').find((l) => l.includes('`mobilenet-on-device`')) ?? '').not.toContain(note);
    expect(html).toContain(note);
  });

  it('links every run reference to a row that exists', () => {
    const anchors = ids(html);
    const links = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(10);
    for (const l of links) expect(anchors.has(l), `#${l}`).toBe(true);
    for (const v of oneDevice(null).devices[0]!.verdicts) for (const id of v.runIds) expect(links).toContain(runAnchor(id));
  });

  it('makes a run that a verdict names but the report lacks visible, not a dead link', () => {
    const input = oneDevice(null);
    input.devices[0]!.verdicts[0]!.runIds.push('gone-run');
    const out = renderReportHtml(input);
    expect(out).toContain('class="run-missing"');
    expect(out).not.toContain(`href="#${runAnchor('gone-run')}"`);
  });

  it('references nothing outside the file', () => {
    for (const page of [html, renderReportHtml(twoDevices(chartJs)), renderReportHtml(oneDevice(null))]) {
      const own = ownMarkup(page);
      // Attributes of every tag (escaped text such as "&lt;img src=x" is not a tag, and is checked below).
      const tags = own.match(/<[a-z][^>]*>/gi) ?? [];
      expect(tags.length).toBeGreaterThan(100);
      for (const tag of tags) for (const m of tag.matchAll(/\s(src|href|action|srcset|poster|data)\s*=\s*["']?([^"'\s>]*)/gi)) expect(m[2], tag).toMatch(/^#/);
      expect(own).not.toMatch(/url\(|@import|<link\b|<iframe\b|<object\b|<embed\b/i);
      expect(own).not.toMatch(/https?:\/\//);
    }
    // Chart.js itself: its licence comment names its site; no loader of anything.
    expect(chartJs).not.toMatch(/\b(src|href)\s*=\s*["']https?:/i);
    expect(chartJs).not.toMatch(/@import|url\(\s*["']?https?:/i);
    expect(html).toContain('Chart.js v4.6.1');
  });

  it('escapes a model name that is markup', () => {
    expect(html).not.toContain(EVIL_MODEL);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // In the chart data it is \u-escaped (it cannot close the script element).
    const data = html.match(/<script type="application\/json" id="report-charts">([\s\S]*?)<\/script>/)![1]!;
    expect(data).not.toMatch(/[<>]/);
    expect(JSON.stringify(JSON.parse(data))).toContain(EVIL_MODEL);
  });

  it('escapes claims, verdicts and device labels too', () => {
    const input = oneDevice(null);
    input.devices[0]!.identity.label = '</title><script>alert(1)</script>';
    input.devices[0]!.verdicts[0]!.summary = '<b onmouseover=alert(1)>x</b>';
    input.claims[0] = { ...input.claims[0]!, english: '"><svg onload=alert(1)>' };
    const out = renderReportHtml(input);
    expect(out).not.toMatch(/<script>alert|<b onmouseover|<svg onload/);
    expect(out.match(/<script\b/g) ?? []).toHaveLength(0);
  });

  it('keeps a script-closing string in inlined code and JSON harmless', () => {
    expect(inlineScript('var s = "</script><script>alert(1)</script>";')).not.toMatch(/<\/script/i);
    expect(scriptJson({ s: '</script><!--' })).toBe('{"s":"\\u003c/script\\u003e\\u003c!--"}');
  });

  it('draws only the charts its data allows, one canvas each', () => {
    const canvases = html.match(/<canvas id="chart-\d+"/g) ?? [];
    // Quantization (MobileNetV2 at 3 levels, SmolLM2 at 2), latency, decode vs params, context, Densing, memory, roofline.
    expect(canvases).toHaveLength(8);
    const specs = JSON.parse(html.match(/id="report-charts">([\s\S]*?)<\/script>/)![1]!) as {
      id: string;
      tips: string[][];
      config: { data: { datasets: unknown[] } };
    }[];
    for (const s of specs) expect(s.tips).toHaveLength(s.config.data.datasets.length);
    // No runs: no charts, a sentence instead.
    const empty = renderReportHtml({ ...oneDevice(chartJs), devices: [], catalog: {} });
    expect(empty).not.toContain('<canvas');
    expect(empty).not.toContain('Chart.js v4.6.1');
  });

  it('renders the tables without Chart.js, and each chart place says so', () => {
    const out = renderReportHtml(oneDevice(null));
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<canvas');
    expect(out.match(/charts need Chart\.js/g)).toHaveLength(8);
    for (const c of CLAIMS) expect(out).toContain(`data-claim-id="${c.id}"`);
    expect(out.match(/<tr id="run-/g)).toHaveLength(10);
  });

  it('gives each device its own verdict column', () => {
    const out = renderReportHtml(twoDevices(null));
    const row = out.match(/<tr id="claim-mobilenet-on-device"[\s\S]*?<\/tr>/)![0];
    expect(row.match(/<td class="verdict"/g)).toHaveLength(2);
    expect(row).toContain('data-verdict="held"');
    expect(row).toContain('data-verdict="not-held"');
    expect(out.match(/<th scope="col" class="device-col">/g)).toHaveLength(2);
    // One verdict column in the single-device table.
    const single = html.match(/<tr id="claim-mobilenet-on-device"[\s\S]*?<\/tr>/)![0];
    expect(single.match(/<td class="verdict"/g)).toHaveLength(1);
    // Runs of both devices, each with its anchor, and the device column.
    expect(out.match(/<tr id="run-/g)).toHaveLength(20);
    expect(out).toContain('<th scope="col">device</th>');
    // Charts overlay devices: datasets labelled by device tag, backend and engine, each chart naming the devices below it.
    const withCharts = renderReportHtml(twoDevices(chartJs));
    const specs = JSON.parse(withCharts.match(/id="report-charts">([\s\S]*?)<\/script>/)![1]!) as { config: { data: { datasets: { label: string }[] } } }[];
    const labels = specs.flatMap((s) => s.config.data.datasets.map((d) => d.label));
    expect(labels).toContain('D1 · wasm · onnxruntime-web');
    expect(labels).toContain('D2 · wasm · onnxruntime-web');
    expect(withCharts.match(/<p class="device-key">/g)).toHaveLength(specs.length);
    expect(withCharts).toContain('<span class="tag">D2</span> Chromium 156 · Linux x86_64 · 16 cores · 8 GiB · WebGPU nvidia/hopper');
  });

  it('prints the device fingerprint and rooflines', () => {
    expect(html).toContain('SwiftShader Device (Subzero)');
    expect(html).toContain('onnxruntime-web 1.31.0-dev');
    expect(html).toContain('33.4 GB/s · 77.2 GFLOP/s');
    expect(html).toContain('roofline (webgpu)');
  });
});

describe('Markdown report', () => {
  const tableRows = (md: string, header: string) => {
    const lines = md.split('\n');
    const start = lines.findIndex((l) => l.startsWith(header));
    const rows: string[] = [];
    for (let i = start; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(lines[i]!);
    return rows;
  };
  /** Cells of a table row, with `\|` not counted as a separator. */
  const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length - 2;

  it('has a claims table with one verdict block of columns for one device', () => {
    const md = renderReportMarkdown(oneDevice(null));
    const rows = tableRows(md, '| claim |');
    expect(rows).toHaveLength(2 + CLAIMS.length);
    for (const r of rows) expect(cells(r)).toBe(9);
    expect(md).toContain('**held**');
    expect(md).toContain('**cannot run here**');
    expect(md).toContain('≤ 33 ms');
    expect(md).toContain('Charts: see the HTML report.');
    // Run references are ids in backticks, not links.
    expect(md).toContain('`a-mb-fp32`');
    expect(md).not.toMatch(/\]\(#run-/);
  });

  it('puts devices side by side: one column per device', () => {
    const md = renderReportMarkdown(twoDevices(null));
    const rows = tableRows(md, '| claim |');
    for (const r of rows) expect(cells(r)).toBe(5);
    expect(rows[0]).toContain('D2: Chromium 156');
  });

  it('has a runs table with a row per run, the model name escaped', () => {
    const md = renderReportMarkdown(oneDevice(null));
    const rows = tableRows(md, '| run |');
    expect(rows).toHaveLength(2 + 10);
    const width = cells(rows[0]!);
    for (const r of rows) expect(cells(r)).toBe(width);
    expect(md).not.toContain(EVIL_MODEL);
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('formatting for the report', () => {
  it('prints thresholds exactly and figures in their units', () => {
    expect(formatThreshold({ direction: 'max', value: 33, unit: 'ms' })).toBe('≤ 33 ms');
    expect(formatThreshold({ direction: 'min', value: 100, unit: '×' })).toBe('≥ 100×');
    expect(formatThreshold({ direction: 'min', value: 0.5, unit: '' })).toBe('≥ 0.5');
    expect(formatMeasure(20.31, '×')).toBe('20.3×');
    expect(formatMeasure(0.04, 'tok/s')).toBe('0.0400 tok/s');
    expect(formatMeasure(21, 'ms')).toBe('21.00 ms');
    expect(formatMeasure(null, 'ms')).toBe('—');
    expect(runAnchor('a b_c/é')).toBe('run-a_20_b_5f_c_2f__e9_');
  });
});
