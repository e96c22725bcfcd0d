/** Charts of run results (Chart.js, tree-shaken: the only importer of chart.js's code; ui/report-assets.ts reads its UMD file as text for reports). */
import {
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import type { RunResult } from '../core/schema.ts';
import { ENGINE_LABEL } from '../core/vocab.ts';
import { binaryBytes, byteAxis, labelLogTick, logBounds } from '../report/axes.ts';
import { seriesColours } from '../report/palette.ts';
import { drawPointLabels, type LabelChart } from '../report/point-labels.ts';
import { rooflinePoints } from '../roofline/roofline.ts';
import { formatBytes, formatMs, formatNumber, formatUtilisation } from '../text/format.ts';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, {
  id: 'pointLabels',
  afterDatasetsDraw: (chart: Chart) => drawPointLabels(chart as unknown as LabelChart),
});

/** A log axis bounded at 1-2-5 values past the outermost points (none is cut by the plot's edge), labelled where labels cannot crowd. */
function logAxis(title: string, values: readonly (number | null | undefined)[]) {
  const b = logBounds(values);
  const decades = b ? Math.log10(b.max / b.min) : 0;
  return {
    type: 'logarithmic' as const,
    ...(b ?? {}),
    title: { display: true, text: `${title} (log scale)` },
    ticks: {
      autoSkip: false,
      maxRotation: 0,
      callback: (v: number | string) => (labelLogTick(Number(v), decades) ? String(Number(Number(v).toPrecision(3))) : ''),
    },
  };
}

/** A run as its legend and point labels name it: model · level · backend · engine. */
const runLabel = (r: RunResult) => `${r.model.id.replace(/^replica:/, '')} · ${r.model.dtype} · ${r.device} · ${ENGINE_LABEL[r.engine]}`;
/** Shorter, beside a point whose series (backend · engine) the legend names. */
const pointLabel = (r: RunResult) => `${r.model.id.replace(/^replica:.*\//, '')} · ${r.model.dtype}`;

/** Every chart: drawn once, no animation, filling its sized box. */
const FIXED_SIZE = { animation: false, responsive: true, maintainAspectRatio: false } as const;

// Chart's generic parameters differ per chart type; the map only needs to destroy them.
const charts = new WeakMap<HTMLCanvasElement, { destroy(): void }>();

/** Replace the chart on `canvas`; the canvas sits in a sized box (Chart.js needs one), hidden when empty. */
function draw(canvas: HTMLCanvasElement, config: ChartConfiguration<'line' | 'scatter'> | null): void {
  charts.get(canvas)?.destroy();
  charts.delete(canvas);
  if (canvas.parentElement) canvas.parentElement.hidden = config === null;
  if (!config) return;
  // Text and grid take the page's colours (style.css), so a chart reads in the dark scheme too.
  const css = getComputedStyle(canvas);
  Chart.defaults.color = css.getPropertyValue('--muted').trim() || Chart.defaults.color;
  Chart.defaults.borderColor = css.getPropertyValue('--line').trim() || Chart.defaults.borderColor;
  charts.set(canvas, new Chart(canvas, config));
}

/**
 * Latency of every timed iteration, one line per completed run, on a log scale (WASM milliseconds and
 * SwiftShader seconds share one chart): warm-up drift, outliers and bimodal runs show here, not in a p50.
 */
export function renderLatencyChart(canvas: HTMLCanvasElement, results: readonly RunResult[]): void {
  const runs = results.filter((r) => r.state === 'completed' && r.timings.samplesMs.length > 0);
  if (runs.length === 0) return draw(canvas, null);
  draw(canvas, {
    type: 'line',
    data: {
      datasets: runs.map((r, i) => ({
        label: runLabel(r),
        data: r.timings.samplesMs.map((y, x) => ({ x: x + 1, y })),
        ...seriesColours(i),
        borderWidth: 1.5,
        pointRadius: r.timings.samplesMs.length > 60 ? 0 : 2,
      })),
    },
    options: {
      ...FIXED_SIZE,
      parsing: false,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'iteration' }, ticks: { precision: 0 }, grace: '3%' },
        y: logAxis(
          'latency (ms)',
          runs.flatMap((r) => r.timings.samplesMs),
        ),
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatMs(c.parsed.y)}` } },
      },
    },
  });
}

/**
 * The quantization picture: model size against p50 latency, one point per level and backend; the tooltip
 * adds the drift from fp32. Size on a linear axis from zero (levels are fractions of fp32); latency on a log
 * axis, since backends differ by 100×.
 */
export function renderQuantChart(canvas: HTMLCanvasElement, results: readonly RunResult[]): void {
  const points = results.flatMap((r) =>
    r.state === 'completed' && r.timings.latency && r.model.bytes ? [{ x: r.model.bytes, y: r.timings.latency.p50Ms, run: r }] : [],
  );
  if (points.length === 0) return draw(canvas, null);
  // A series per backend and engine: the legend names both, each point its model and level.
  const series = [...new Set(points.map((p) => `${p.run.device} · ${ENGINE_LABEL[p.run.engine]}`))];
  const bytes = byteAxis(Math.max(...points.map((p) => p.x)));
  draw(canvas, {
    type: 'scatter',
    data: {
      datasets: series.map((label, i) => {
        const mine = points.filter((p) => `${p.run.device} · ${ENGINE_LABEL[p.run.engine]}` === label);
        return { label, data: mine, pointLabels: mine.map((p) => pointLabel(p.run)), ...seriesColours(i), pointRadius: 5 };
      }),
    },
    options: {
      ...FIXED_SIZE,
      scales: {
        x: {
          type: 'linear',
          min: bytes.min,
          max: bytes.max,
          title: { display: true, text: 'model size' },
          // Ticks at round binary sizes (0, 64 KiB, 128 KiB, …), not Chart.js's decimal steps of bytes.
          afterBuildTicks: (scale) => {
            scale.ticks = bytes.ticks.map((value) => ({ value }));
          },
          ticks: { callback: (v) => binaryBytes(Number(v)), maxRotation: 0 },
        },
        y: logAxis(
          'p50 latency (ms)',
          points.map((p) => p.y),
        ),
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (c) => {
              const { run: r, y: p50Ms } = c.raw as (typeof points)[number];
              const drift = r.fidelity ? ` · max |Δ| ${formatNumber(r.fidelity.maxAbsDiff)} · cos ${formatNumber(r.fidelity.cosine, 6)}` : ' · reference';
              return `${runLabel(r)}: ${formatBytes(r.model.bytes)}, ${formatMs(p50Ms)}${drift}`;
            },
          },
        },
      },
    },
  });
}

/**
 * Language models. With context-length runs: decode tok/s against context length, one line per run (long
 * contexts are where on-device generation slows). Otherwise: time to first token against decode tok/s, one
 * point per run — up and to the left is better.
 */
export function renderGenerationChart(canvas: HTMLCanvasElement, results: readonly RunResult[]): void {
  const runs = results.flatMap((r) => (r.state !== 'errored' && r.state !== 'unsupported' && r.generation ? [{ r, g: r.generation }] : []));
  const swept = runs.flatMap(({ r, g }) => (g.contexts?.length ? [{ r, contexts: g.contexts }] : []));
  if (swept.length) {
    return draw(canvas, {
      type: 'line',
      data: {
        datasets: swept.map(({ r, contexts }, i) => ({
          label: runLabel(r),
          data: contexts.flatMap((c) => (c.decodeTokPerS === null ? [] : [{ x: c.contextTokens, y: c.decodeTokPerS }])),
          ...seriesColours(i),
          pointRadius: 3,
        })),
      },
      options: {
        ...FIXED_SIZE,
        parsing: false,
        scales: {
          x: logAxis(
            'context length (tokens)',
            swept.flatMap(({ contexts }) => contexts.map((c) => c.contextTokens)),
          ),
          y: { type: 'linear', beginAtZero: true, grace: '8%', title: { display: true, text: 'decode tokens/s' } },
        },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatNumber(c.parsed.y, 1)} tok/s at ${c.parsed.x} tokens` } },
        },
      },
    });
  }
  const plain = runs.flatMap(({ r, g }) => (g.ttftMs !== null && g.decodeTokPerS !== null ? [{ r, ttftMs: g.ttftMs, decodeTokPerS: g.decodeTokPerS }] : []));
  if (plain.length === 0) return draw(canvas, null);
  draw(canvas, {
    type: 'scatter',
    data: {
      datasets: plain.map(({ r, ttftMs, decodeTokPerS }, i) => ({
        label: runLabel(r),
        data: [{ x: ttftMs, y: decodeTokPerS }],
        pointLabels: [`${pointLabel(r)} · ${r.engine}`],
        ...seriesColours(i),
        pointRadius: 6,
      })),
    },
    options: {
      ...FIXED_SIZE,
      scales: {
        x: logAxis(
          'time to first token (ms)',
          plain.map((p) => p.ttftMs),
        ),
        y: logAxis(
          'decode tokens/s',
          plain.map((p) => p.decodeTokPerS),
        ),
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: TTFT ${formatMs(c.parsed.x)}, ${formatNumber(c.parsed.y, 1)} tok/s` } },
      },
    },
  });
}

/**
 * The roofline: for each backend the suite measured, its memory roof (bandwidth × intensity) and compute roof
 * (peak GFLOP/s) on log–log axes, and each run with a utilisation as a point at its arithmetic intensity
 * (FLOP per byte of model) and achieved GFLOP/s — how far below the roof each run sits.
 */
export function renderRooflineChart(canvas: HTMLCanvasElement, results: readonly RunResult[]): void {
  const points = results.flatMap((r) =>
    r.utilisation?.intensityFlopPerByte && r.env?.roofline ? [{ x: r.utilisation.intensityFlopPerByte, y: r.utilisation.achieved, run: r }] : [],
  );
  const roofs = new Map(results.flatMap((r) => (r.env?.roofline ? [[r.env.roofline.device, r.env.roofline] as const] : [])));
  if (roofs.size === 0) return draw(canvas, null);
  const intensities = points.map((p) => p.x);
  const range = { minIntensity: Math.min(1 / 16, ...intensities) / 2, maxIntensity: Math.max(256, ...intensities) * 2 };
  const devices = [...roofs.keys()];
  draw(canvas, {
    type: 'line',
    data: {
      datasets: [
        ...devices.map((device, i) => ({
          label: `${device} roof`,
          data: rooflinePoints(roofs.get(device)!, range).map((p) => ({ x: p.intensity, y: p.gflops })),
          ...seriesColours(i),
          borderWidth: 2,
          pointRadius: 0,
        })),
        ...devices.map((device, i) => ({
          type: 'scatter' as const,
          label: `${device} runs`,
          data: points.filter((p) => p.run.device === device),
          pointLabels: points.filter((p) => p.run.device === device).map((p) => `${pointLabel(p.run)} · ${p.run.engine}`),
          ...seriesColours(i),
          pointRadius: 5,
          showLine: false,
        })),
      ],
    },
    options: {
      ...FIXED_SIZE,
      parsing: false,
      scales: {
        x: { type: 'logarithmic', title: { display: true, text: 'arithmetic intensity (FLOP per byte of model, log scale)' } },
        y: { type: 'logarithmic', title: { display: true, text: 'GFLOP/s (log scale)' } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (c) => {
              const run = (c.raw as { run?: RunResult }).run;
              return run
                ? `${run.model.id} ${run.model.dtype} ${run.device}: ${formatNumber(c.parsed.y, 3)} GFLOP/s, ${formatUtilisation(run)}`
                : `${c.dataset.label}: ${formatNumber(c.parsed.y, 2)} GFLOP/s at ${formatNumber(c.parsed.x, 2)} FLOP/byte`;
            },
          },
        },
      },
    },
  });
}

/**
 * The results' size-against-latency chart (the your-file panel's quantization picture, for the latest suite): drawn
 * when a model other than a language model ran at two levels or more, in a box made next to `afterId`'s chart the first time.
 */
export function renderResultsSizeChart(afterId: string, results: readonly RunResult[]): void {
  let canvas = document.getElementById('size-chart') as HTMLCanvasElement | null;
  if (!canvas) {
    canvas = Object.assign(document.createElement('canvas'), { id: 'size-chart' });
    canvas.setAttribute('aria-label', 'Model size against p50 latency, per level and backend');
    const box = Object.assign(document.createElement('div'), { className: 'chart', hidden: true });
    box.append(canvas);
    document.getElementById(afterId)?.parentElement?.after(box);
  }
  // Language models' latency is a whole generation's: they have their own chart (TTFT against decode tok/s).
  const timed = results.filter((r) => r.state === 'completed' && r.timings.latency && r.model.bytes && r.generation === null);
  const levels = new Map<string, Set<string>>();
  for (const r of timed) levels.set(r.model.id, (levels.get(r.model.id) ?? new Set()).add(r.model.dtype));
  renderQuantChart(canvas, [...levels.values()].some((s) => s.size > 1) ? timed : []);
}

/**
 * The Try panel's voice activity: the waveform's peak per frame and the speech probability along the clip (seconds),
 * the speech segments shaded behind them and the 0.5 threshold dashed.
 */
export function renderVadChart(
  canvas: HTMLCanvasElement,
  vad: { frameMs: number; probs: readonly number[]; segments: readonly { startMs: number; endMs: number }[] },
  waveform: readonly number[] | null,
): void {
  const at = (i: number) => (i * vad.frameMs) / 1000;
  const shade = {
    id: 'speechSegments',
    beforeDatasetsDraw(chart: Chart) {
      const { ctx, chartArea, scales } = chart;
      ctx.save();
      ctx.fillStyle = 'rgba(46, 160, 90, 0.18)';
      for (const s of vad.segments) {
        const x0 = scales.x!.getPixelForValue(s.startMs / 1000);
        const x1 = scales.x!.getPixelForValue(s.endMs / 1000);
        ctx.fillRect(x0, chartArea.top, x1 - x0, chartArea.bottom - chartArea.top);
      }
      ctx.restore();
    },
  };
  draw(canvas, {
    type: 'line',
    data: {
      datasets: [
        { label: 'speech probability', data: vad.probs.map((y, i) => ({ x: at(i), y })), ...seriesColours(0), borderWidth: 1.5, pointRadius: 0 },
        ...(waveform
          ? [{ label: 'waveform (peak per frame)', data: waveform.map((y, i) => ({ x: at(i), y })), ...seriesColours(1), borderWidth: 1, pointRadius: 0 }]
          : []),
        {
          label: 'threshold 0.5',
          data: [
            { x: 0, y: 0.5 },
            { x: at(vad.probs.length), y: 0.5 },
          ],
          borderColor: '#888',
          borderDash: [4, 4],
          borderWidth: 1,
          pointRadius: 0,
        },
      ],
    },
    options: {
      ...FIXED_SIZE,
      parsing: false,
      scales: {
        x: { type: 'linear', min: 0, max: at(vad.probs.length), title: { display: true, text: 'time (s); shaded: speech segments' } },
        y: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'probability · |amplitude|' } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatNumber(c.parsed.y, 3)} at ${formatNumber(c.parsed.x, 3)} s` } },
      },
    },
    plugins: [shade],
  });
}
