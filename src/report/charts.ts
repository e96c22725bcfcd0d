/**
 * The report's charts as data: Chart.js configurations that are plain JSON (no functions), so they can be inlined
 * in the HTML file, plus one tooltip line per point, formatted here. A small inline script (DRAW_SCRIPT) draws them.
 */
import { DTYPES, type Dtype } from '../core/vocab.ts';
import { rooflinePoints } from '../roofline/roofline.ts';
import type { RunResult } from '../core/schema.ts';
import { formatBytes, formatFigure, formatMs, formatNumber, formatRate, formatUtilisation } from '../text/format.ts';
import { paletteColour } from './palette.ts';
import { decodeTokPerS, deviceTag, rooflinesOf, shortModel, type ReportInput, type ReportReplica } from './model.ts';

/** One chart: a canvas id, what it shows, and its Chart.js configuration (JSON only). */
export interface ChartSpec {
  id: string;
  title: string;
  /** How to read it, under the chart. */
  note: string;
  /** CSS pixels: Chart.js fills a sized box. */
  height: number;
  config: Json;
  /** tips[datasetIndex][pointIndex]: the tooltip line (formatted here, so the page needs no formatting code). */
  tips: string[][];
}

type Json = { [key: string]: unknown };

const MIB = 2 ** 20;

/** A run with the device it was measured on. */
interface Placed {
  run: RunResult;
  deviceIndex: number;
}

/**
 * A series is one device × backend (× engine, when both engines ran): the unit the charts overlay. With one
 * device the label is just the backend; with several it starts with the device's tag.
 */
class Series {
  private readonly keys: string[] = [];
  constructor(
    private readonly input: ReportInput,
    private readonly bothEngines: boolean,
  ) {}
  key(p: Placed): string {
    const k = `${p.deviceIndex}\u0000${p.run.device}${this.bothEngines ? `\u0000${p.run.engine}` : ''}`;
    if (!this.keys.includes(k)) this.keys.push(k);
    return k;
  }
  label(key: string): string {
    const [d, backend, engine] = key.split('\u0000') as [string, string, string | undefined];
    // Devices by their tag (D1, D2): whole labels would crowd the legend out of the chart; each chart names them below.
    const parts = [this.input.devices.length > 1 ? deviceTag(Number(d)) : null, backend, engine ? (engine === 'ort' ? 'onnxruntime-web' : 'transformers.js') : null];
    return parts.filter(Boolean).join(' · ');
  }
  /** Keys are registered in first-seen order (reportCharts registers every run first): a series keeps its colour. */
  color(key: string): string {
    const i = this.keys.indexOf(key);
    return paletteColour(i < 0 ? 0 : i);
  }
}

const runName = (r: RunResult) => `${shortModel(r.model.id)} · ${r.model.dtype} · ${r.device}`;
const paramsOf = (r: RunResult) => r.model.params ?? r.replica?.paramsPublished ?? null;
const isLm = (r: RunResult) => r.generation !== null;
/** The year as a number (2024-10-31 → 2024.83), for a linear axis: the page has no date adapter. */
const yearOf = (iso: string): number | null => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  const d = new Date(t);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return d.getUTCFullYear() + (t - start) / (Date.UTC(d.getUTCFullYear() + 1, 0, 1) - start);
};

/**
 * Tick labels through Chart.js's own Intl.NumberFormat options (JSON, unlike a callback): no forced trailing
 * zeros ("30", not "30.00"), and counts in compact notation ("135M", "3.8B").
 */
const TICKS: Readonly<Record<'plain' | 'fine' | 'count', Json>> = {
  plain: { format: { minimumFractionDigits: 0, maximumFractionDigits: 2 } },
  fine: { format: { minimumFractionDigits: 0, maximumFractionDigits: 4 } },
  count: { format: { notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 } },
};

const axis = (type: 'linear' | 'logarithmic' | 'category', title: string, extra: Json = {}, ticks: keyof typeof TICKS = 'plain'): Json => ({
  type,
  title: { display: true, text: type === 'logarithmic' ? `${title} (log scale)` : title },
  ...(type === 'category' ? {} : { ticks: TICKS[ticks] }),
  ...extra,
});

/** Point charts: legend entries drawn as their points, not as boxes. */
const POINT_LEGEND: Json = { legend: { position: 'bottom', labels: { usePointStyle: true } } };

const base = (extra: Json = {}): Json => ({
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  plugins: { legend: { position: 'bottom' } },
  ...extra,
});

/**
 * Per model run at two or more levels: speed per level (p50, or decode tok/s for language models) as bars, one per
 * series, and fidelity to fp32 (cosine, or token agreement) as a line on the right axis. Sizes are in the labels.
 */
function quantCharts(placed: Placed[], series: Series): ChartSpec[] {
  const done = placed.filter((p) => p.run.state === 'completed');
  const models = [...new Set(done.map((p) => p.run.model.id))];
  const charts: ChartSpec[] = [];
  for (const model of models) {
    const runs = done.filter((p) => p.run.model.id === model);
    const levels = DTYPES.filter((d) => runs.some((p) => p.run.model.dtype === d));
    if (levels.length < 2) continue;
    const lm = runs.some((p) => isLm(p.run));
    const speed = (r: RunResult) => (lm ? decodeTokPerS(r) : (r.timings.latency?.p50Ms ?? null));
    const fidelity = (r: RunResult): number | null => {
      if (r.model.dtype === 'fp32') return 1;
      return lm ? (r.fidelity?.tokenAgreement ?? r.fidelity?.tokenMatch ?? null) : (r.fidelity?.cosine ?? null);
    };
    const sizeOf = (d: Dtype) => runs.find((p) => p.run.model.dtype === d && p.run.model.bytes !== null)?.run.model.bytes ?? null;
    const keys = [...new Set(runs.map((p) => series.key(p)))];
    const pick = (key: string, d: Dtype) => runs.find((p) => series.key(p) === key && p.run.model.dtype === d)?.run ?? null;
    const datasets: Json[] = [];
    const tips: string[][] = [];
    for (const key of keys) {
      const row = levels.map((d) => pick(key, d));
      datasets.push({ type: 'bar', label: `${series.label(key)}: ${lm ? 'decode tok/s' : 'p50'}`, data: row.map((r) => (r ? speed(r) : null)), backgroundColor: series.color(key), yAxisID: 'y' });
      tips.push(row.map((r) => (r ? `${series.label(key)} · ${r.model.dtype}: ${lm ? `${formatRate(speed(r))} tok/s decode` : `p50 ${formatMs(speed(r))}`} · ${formatBytes(r.model.bytes)}` : '')));
    }
    for (const key of keys) {
      const row = levels.map((d) => pick(key, d));
      if (!row.some((r) => r && r.model.dtype !== 'fp32' && fidelity(r) !== null)) continue;
      datasets.push({ type: 'line', label: `${series.label(key)}: ${lm ? 'token agreement' : 'cosine'} vs fp32`, data: row.map((r) => (r ? fidelity(r) : null)), borderColor: series.color(key), backgroundColor: series.color(key), borderDash: [5, 4], pointRadius: 4, spanGaps: true, yAxisID: 'fidelity' });
      tips.push(row.map((r) => (r ? `${series.label(key)} · ${r.model.dtype}: ${r.model.dtype === 'fp32' ? 'the reference' : `${lm ? 'token agreement' : 'cosine'} ${formatNumber(fidelity(r), lm ? 2 : 6)}`}` : '')));
    }
    charts.push({
      id: '',
      title: `Quantization: ${shortModel(model)}`,
      note: `${lm ? 'Decode tokens/s (higher is better)' : 'p50 latency (lower is better)'} per level; dashed: how close each level stays to fp32 (1 = identical). The model’s size at each level is under its name.`,
      height: 300,
      config: {
        type: 'bar',
        data: { labels: levels.map((d) => [d, formatBytes(sizeOf(d))]), datasets },
        options: base({
          scales: {
            x: axis('category', 'level · model size'),
            y: axis('logarithmic', lm ? 'decode tokens/s' : 'p50 latency (ms)'),
            fidelity: axis('linear', lm ? 'token agreement with fp32' : 'cosine with fp32', { position: 'right', beginAtZero: false, suggestedMax: 1, grace: '8%', grid: { drawOnChartArea: false } }, 'fine'),
          },
        }),
      },
      tips,
    });
  }
  return charts;
}

/**
 * Each run's latency distribution as a box: whisker min → max, box p50 → p90 (the tooltip adds p99 and n). Runs with
 * the same model, level and backend on several devices sit side by side. Log axis: WASM milliseconds and
 * SwiftShader seconds share it.
 */
function latencyChart(placed: Placed[], series: Series): ChartSpec | null {
  const runs = placed.filter((p) => p.run.timings.latency && p.run.state !== 'errored' && p.run.state !== 'unsupported');
  if (runs.length === 0) return null;
  const nameOf = (p: Placed) => `${runName(p.run)}${p.run.engine === 'transformers' ? ' · tjs' : ''}`;
  const labels = [...new Set(runs.map(nameOf))];
  const deviceKeys = [...new Set(runs.map((p) => p.deviceIndex))];
  const datasets: Json[] = [];
  const tips: string[][] = [];
  for (const d of deviceKeys) {
    const mine = runs.filter((p) => p.deviceIndex === d);
    const at = labels.map((l) => mine.find((p) => nameOf(p) === l)?.run ?? null);
    const key = series.key(mine[0]!);
    const color = series.color(key);
    const who = deviceKeys.length > 1 ? `${deviceTag(d)}: ` : '';
    const tip = (r: RunResult | null) => {
      const l = r?.timings.latency;
      return r && l ? `${who}${runName(r)}: min ${formatMs(l.minMs)} · p50 ${formatMs(l.p50Ms)} · p90 ${formatMs(l.p90Ms)} · p99 ${formatMs(l.p99Ms)} · max ${formatMs(l.maxMs)} (n=${l.n})` : '';
    };
    datasets.push({ label: `${who}min–max`, data: at.map((r) => (r?.timings.latency ? [r.timings.latency.minMs, Math.max(r.timings.latency.maxMs, r.timings.latency.minMs * 1.001)] : null)), backgroundColor: `${color}55`, stack: `d${d}`, barPercentage: 0.25, categoryPercentage: 0.9 });
    tips.push(at.map(tip));
    datasets.push({ label: `${who}p90–p99`, data: at.map((r) => (r?.timings.latency ? [r.timings.latency.p90Ms, Math.max(r.timings.latency.p99Ms, r.timings.latency.p90Ms * 1.001)] : null)), backgroundColor: `${color}99`, stack: `d${d}`, barPercentage: 0.55, categoryPercentage: 0.9 });
    tips.push(at.map(tip));
    datasets.push({ label: `${who}p50–p90`, data: at.map((r) => (r?.timings.latency ? [r.timings.latency.p50Ms, Math.max(r.timings.latency.p90Ms, r.timings.latency.p50Ms * 1.01)] : null)), backgroundColor: color, stack: `d${d}`, barPercentage: 0.8, categoryPercentage: 0.9 });
    tips.push(at.map(tip));
  }
  return {
    id: '',
    title: 'Latency distributions',
    note: 'Per run: the thin bar spans the fastest to the slowest timed iteration, the thick bar p50 to p90, the lighter one p90 to p99 (hover for the figures). Language models’ samples are whole generations.',
    height: Math.max(160, 90 + labels.length * (14 + 16 * deviceKeys.length)),
    config: {
      type: 'bar',
      data: { labels, datasets },
      options: base({
        indexAxis: 'y',
        // Same-device whisker and box share one slot (stacked index axis) without adding up (unstacked values).
        scales: { y: axis('category', 'run', { stacked: true }), x: axis('logarithmic', 'latency (ms)', { stacked: false }) },
      }),
    },
    tips,
  };
}

/** Decode tok/s against parameter count, one dataset per series (log–log: 135 M to 8 B parameters, 0.04 to 400 tok/s). */
function decodeVsParamsChart(placed: Placed[], series: Series): ChartSpec | null {
  const runs = placed.filter((p) => p.run.state === 'completed' && decodeTokPerS(p.run) && paramsOf(p.run));
  if (runs.length === 0) return null;
  const keys = [...new Set(runs.map((p) => series.key(p)))];
  const datasets: Json[] = [];
  const tips: string[][] = [];
  for (const key of keys) {
    const mine = runs.filter((p) => series.key(p) === key).map((p) => p.run);
    datasets.push({ type: 'scatter', label: series.label(key), data: mine.map((r) => ({ x: paramsOf(r), y: decodeTokPerS(r) })), backgroundColor: series.color(key), borderColor: series.color(key), pointRadius: 5 });
    tips.push(mine.map((r) => `${series.label(key)} · ${shortModel(r.model.id)} ${r.model.dtype}: ${formatRate(decodeTokPerS(r))} tok/s decode at ${formatFigure(paramsOf(r))} parameters`));
  }
  return {
    id: '',
    title: 'Decode speed against model size',
    note: 'Each point a language-model run: parameters (published, for replicas) against decode tokens/s.',
    height: 320,
    config: { type: 'scatter', data: { datasets }, options: base({ plugins: POINT_LEGEND, scales: { x: axis('logarithmic', 'parameters', {}, 'count'), y: axis('logarithmic', 'decode tokens/s') } }) },
    tips,
  };
}

/** Context-length runs: decode tok/s as the context fills (the cost of long reasoning on the device), one line per run. */
function contextChart(placed: Placed[], series: Series): ChartSpec | null {
  const runs = placed.filter((p) => p.run.generation?.contexts?.some((c) => c.decodeTokPerS !== null));
  if (runs.length === 0) return null;
  const datasets: Json[] = [];
  const tips: string[][] = [];
  for (const p of runs) {
    const points = p.run.generation!.contexts!.filter((c) => c.decodeTokPerS !== null);
    const label = `${series.label(series.key(p))} · ${shortModel(p.run.model.id)} ${p.run.model.dtype}`;
    datasets.push({ type: 'line', label, data: points.map((c) => ({ x: c.contextTokens, y: c.decodeTokPerS })), borderColor: series.color(series.key(p)), backgroundColor: series.color(series.key(p)), pointRadius: 4 });
    tips.push(points.map((c) => `${label}: ${formatRate(c.decodeTokPerS)} tok/s at ${c.contextTokens} tokens of context${c.kvCacheBytes ? `, KV cache ${formatBytes(c.kvCacheBytes)}` : ''}`));
  }
  return {
    id: '',
    title: 'Decode speed as the context grows',
    note: 'Context-length runs: the context is filled to each length, then decode speed is measured there.',
    height: 300,
    config: { type: 'line', data: { datasets }, options: base({ parsing: false, plugins: POINT_LEGEND, scales: { x: axis('logarithmic', 'context length (tokens)'), y: axis('linear', 'decode tokens/s', { beginAtZero: true }) } }) },
    tips,
  };
}

/**
 * The Densing-law view: the catalog's models by release date and parameter count, and the ones this device measured
 * drawn over them (the tooltip gives their decode speed or p50): which generation of models the device runs.
 */
function densingChart(placed: Placed[], series: Series, replicas: readonly ReportReplica[]): ChartSpec | null {
  const dated = replicas.flatMap((r) => {
    const year = r.releaseDate ? yearOf(r.releaseDate) : null;
    return year !== null && r.paramsPublished ? [{ ...r, year, params: r.paramsPublished }] : [];
  });
  if (dated.length === 0) return null;
  const byId = new Map(dated.map((r) => [r.id.toLowerCase(), r]));
  const measured = placed.filter((p) => p.run.state === 'completed' && p.run.model.source === 'replica' && byId.has(p.run.model.id.replace(/^replica:/, '').toLowerCase()));
  const datasets: Json[] = [{ type: 'scatter', label: 'catalog (published)', data: dated.map((r) => ({ x: r.year, y: r.params })), backgroundColor: 'rgba(0,0,0,0)', borderColor: '#8a93a6', borderWidth: 1.5, pointRadius: 7, order: 2 }];
  const tips: string[][] = [dated.map((r) => `${shortModel(r.id)}${r.family ? ` (${r.family})` : ''}: ${formatFigure(r.params)} parameters, released ${r.releaseDate}`)];
  for (const key of [...new Set(measured.map((p) => series.key(p)))]) {
    const mine = measured.filter((p) => series.key(p) === key).map((p) => p.run);
    const at = (r: RunResult) => byId.get(r.model.id.replace(/^replica:/, '').toLowerCase())!;
    datasets.push({ type: 'scatter', label: `measured: ${series.label(key)}`, data: mine.map((r) => ({ x: at(r).year, y: at(r).params })), backgroundColor: series.color(key), borderColor: series.color(key), pointRadius: 5, pointStyle: 'rectRot', order: 1 });
    tips.push(
      mine.map((r) => {
        const speed = isLm(r) ? `${formatRate(decodeTokPerS(r))} tok/s decode` : `p50 ${formatMs(r.timings.latency?.p50Ms)}`;
        const peak = Math.max(r.memory.wasmHeapPeakBytes ?? 0, r.memory.gpuBufferPeakBytes ?? 0);
        return `${series.label(key)} · ${shortModel(r.model.id)} ${r.model.dtype}: ${speed}${peak ? `, peak ${formatBytes(peak)}` : ''}`;
      }),
    );
  }
  return {
    id: '',
    title: 'Models by release date and size (the Densing-law view)',
    note: 'Hollow: every model in the catalog, by release date and published parameter count. Filled: the ones measured here; hover for decode speed and memory.',
    height: 340,
    config: {
      type: 'scatter',
      data: { datasets },
      options: base({ plugins: POINT_LEGEND, scales: { x: axis('linear', 'release date (year)', { ticks: { stepSize: 1, format: { useGrouping: false, maximumFractionDigits: 0 } } }), y: axis('logarithmic', 'parameters', {}, 'count') } }),
    },
    tips,
  };
}

const MEMORY_KINDS = [
  { label: 'WASM heap peak', of: (r: RunResult) => r.memory.wasmHeapPeakBytes, color: '#2458d6' },
  { label: 'GPU buffer peak', of: (r: RunResult) => r.memory.gpuBufferPeakBytes, color: '#13893f' },
  { label: 'page + workers', of: (r: RunResult) => r.memory.uaMemoryBytes, color: '#b8860b' },
  { label: 'browser PSS', of: (r: RunResult) => r.memory.os?.peakPssBytes ?? null, color: '#8a3fd6' },
  { label: 'predicted', of: (r: RunResult) => r.memory.predicted?.totalBytes ?? null, color: '#8a93a6' },
] as const;

/** Memory per run: each figure the run has, side by side (MiB, log axis: 16 MiB heaps next to gigabytes of PSS). */
function memoryChart(placed: Placed[], input: ReportInput): ChartSpec | null {
  const runs = placed.filter((p) => MEMORY_KINDS.some((k) => k.of(p.run)));
  if (runs.length === 0) return null;
  const kinds = MEMORY_KINDS.filter((k) => runs.some((p) => k.of(p.run)));
  const name = (p: Placed) => `${input.devices.length > 1 ? `${deviceTag(p.deviceIndex)} · ` : ''}${runName(p.run)}${p.run.engine === 'transformers' ? ' · tjs' : ''}`;
  return {
    id: '',
    title: 'Memory per run',
    note: 'WASM heap and GPU buffers from the worker’s probes; page + workers from measureUserAgentSpecificMemory; browser PSS from the OS (CLI only); predicted: the fit check’s estimate before loading.',
    height: Math.max(180, 80 + runs.length * (10 + 8 * kinds.length)),
    config: {
      type: 'bar',
      data: {
        labels: runs.map(name),
        datasets: kinds.map((k) => ({ label: k.label, data: runs.map((p) => (k.of(p.run) ? k.of(p.run)! / MIB : null)), backgroundColor: k.color })),
      },
      options: base({ indexAxis: 'y', scales: { y: axis('category', 'run'), x: axis('logarithmic', 'MiB') } }),
    },
    tips: kinds.map((k) => runs.map((p) => `${name(p)} · ${k.label}: ${formatBytes(k.of(p.run))}`)),
  };
}

/** The roofline: each series' memory and compute roofs, and its runs at their arithmetic intensity and achieved GFLOP/s. */
function rooflineChart(input: ReportInput, series: Series): ChartSpec | null {
  const datasets: Json[] = [];
  const tips: string[][] = [];
  const roofs = input.devices.flatMap((d, deviceIndex) => [...rooflinesOf(d.results).values()].map((roof) => ({ roof, deviceIndex, results: d.results })));
  if (roofs.length === 0) return null;
  const runs = roofs.flatMap((x) => x.results.filter((r) => r.device === x.roof.device && r.utilisation?.intensityFlopPerByte));
  const intensities = runs.map((r) => r.utilisation!.intensityFlopPerByte!);
  const range = { minIntensity: Math.min(1 / 16, ...intensities) / 2, maxIntensity: Math.max(256, ...intensities) * 2 };
  for (const { roof, deviceIndex, results } of roofs) {
    const anyRun = results.find((r) => r.device === roof.device)!;
    const key = series.key({ run: anyRun, deviceIndex });
    const label = series.label(key).replace(/ · (onnxruntime-web|transformers\.js)$/, '');
    const points = rooflinePoints(roof, range);
    datasets.push({ type: 'line', label: `${label} roof`, data: points.map((p) => ({ x: p.intensity, y: p.gflops })), borderColor: series.color(key), backgroundColor: series.color(key), borderWidth: 2, pointRadius: 0, pointStyle: 'line' });
    tips.push(points.map((p) => `${label} roof: ${formatFigure(p.gflops)} GFLOP/s at ${formatFigure(p.intensity)} FLOP/byte (${formatFigure(roof.bandwidthGBps)} GB/s, ${formatFigure(roof.gflops)} GFLOP/s)`));
    const mine = results.filter((r) => r.device === roof.device && r.utilisation?.intensityFlopPerByte);
    if (mine.length === 0) continue;
    datasets.push({ type: 'scatter', label: `${label} runs`, data: mine.map((r) => ({ x: r.utilisation!.intensityFlopPerByte, y: r.utilisation!.achieved })), borderColor: series.color(key), backgroundColor: series.color(key), pointRadius: 5 });
    tips.push(mine.map((r) => `${runName(r)}: ${formatFigure(r.utilisation!.achieved)} ${r.utilisation!.unit}, ${formatUtilisation(r)}`));
  }
  return {
    id: '',
    title: 'Roofline',
    note: 'Lines: what the backend can reach at each arithmetic intensity (memory roof, then the compute roof). Points: runs at their FLOPs per byte of model and achieved GFLOP/s.',
    height: 340,
    config: { type: 'line', data: { datasets }, options: base({ parsing: false, plugins: POINT_LEGEND, scales: { x: axis('logarithmic', 'arithmetic intensity (FLOP per byte of model)'), y: axis('logarithmic', 'GFLOP/s') } }) },
    tips,
  };
}

/** Every chart the data allows, in reading order, with canvas ids chart-1, chart-2, … */
export function reportCharts(input: ReportInput): ChartSpec[] {
  const placed: Placed[] = input.devices.flatMap((d, deviceIndex) => d.results.map((run) => ({ run, deviceIndex })));
  const engines = new Set(placed.map((p) => p.run.engine));
  const series = new Series(input, engines.size > 1);
  // Register every series up front so its colour is the same in every chart.
  for (const p of placed) series.key(p);
  const charts = [
    ...quantCharts(placed, series),
    latencyChart(placed, series),
    decodeVsParamsChart(placed, series),
    contextChart(placed, series),
    densingChart(placed, series, input.catalog?.replicas ?? []),
    memoryChart(placed, input),
    rooflineChart(input, series),
  ].filter((c): c is ChartSpec => c !== null);
  return charts.map((c, i) => ({ ...c, id: `chart-${i + 1}` }));
}

/**
 * The page-side drawer (plain ES5-safe JavaScript, inlined as is): reads the chart specs, adds the tooltip
 * callback (functions cannot travel in JSON) and draws each chart; without Chart.js each place says so.
 */
export const DRAW_SCRIPT = `(function () {
  var specs = JSON.parse(document.getElementById('report-charts').textContent);
  function say(id, text) {
    var box = document.getElementById(id).parentNode;
    box.textContent = text;
    box.className += ' chart-missing';
  }
  if (typeof Chart === 'undefined') {
    specs.forEach(function (s) { say(s.id, 'charts need Chart.js'); });
    return;
  }
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#3b4252';
  specs.forEach(function (s) {
    var options = s.config.options || (s.config.options = {});
    var plugins = options.plugins || (options.plugins = {});
    plugins.tooltip = {
      callbacks: {
        label: function (ctx) {
          var row = s.tips[ctx.datasetIndex];
          return (row && row[ctx.dataIndex]) || ctx.dataset.label;
        }
      }
    };
    try {
      new Chart(document.getElementById(s.id), s.config);
    } catch (e) {
      say(s.id, 'chart failed: ' + e.message);
    }
  });
  window.addEventListener('beforeprint', function () {
    Object.values(Chart.instances).forEach(function (c) { c.resize(); });
  });
})();`;
