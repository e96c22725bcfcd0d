/**
 * The report's charts as data: Chart.js configurations that are plain JSON (no functions), so they can be inlined
 * in the HTML file, plus one tooltip line per point, formatted here. A small inline script (DRAW_SCRIPT) draws them.
 * This module holds what every chart shares (ChartSpec, the series and their colours), the memory chart, and
 * reportCharts, which puts every chart in order: the others are in charts-speed.ts, charts-models.ts and
 * charts-roofline.ts, built from chart-kit.ts.
 */
import type { RunResult } from '../core/schema.ts';
import { formatBytes } from '../text/format.ts';
import { axis, base, MIB, runEngineName, Series, type ChartSpec, type Placed } from './chart-kit.ts';

export { Series, type ChartSpec, type Json, type Placed } from './chart-kit.ts';
import { latencyChart, quantCharts } from './charts-speed.ts';
import { contextChart, decodeVsParamsChart, densingChart } from './charts-models.ts';
import { rooflineChart } from './charts-roofline.ts';
import { deviceTag, type ReportInput } from './model.ts';
import { labelLogTick } from './axes.ts';
import { drawPointLabels } from './point-labels.ts';

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
  const name = (p: Placed) => `${input.devices.length > 1 ? `${deviceTag(p.deviceIndex)} · ` : ''}${runEngineName(p.run)}`;
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

/** Every chart the data allows, in reading order, with canvas ids chart-1, chart-2, … */
export function reportCharts(input: ReportInput): ChartSpec[] {
  const placed: Placed[] = input.devices.flatMap((d, deviceIndex) => d.results.map((run) => ({ run, deviceIndex })));
  const series = new Series(input);
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
  var drawPointLabels = ${String(drawPointLabels)};
  var labelLogTick = ${String(labelLogTick)};
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
  Chart.register({ id: 'pointLabels', afterDatasetsDraw: function (chart) { drawPointLabels(chart); } });
  specs.forEach(function (s) {
    var options = s.config.options || (s.config.options = {});
    // Log axes label only 1-2-5 values (axes.ts labelLogTick), in the axis's number format: labels never crowd.
    Object.values(options.scales || {}).forEach(function (scale) {
      if (scale.type !== 'logarithmic') return;
      var ticks = scale.ticks || (scale.ticks = {});
      var format = new Intl.NumberFormat(undefined, ticks.format || {});
      ticks.autoSkip = false;
      ticks.maxRotation = 0;
      ticks.callback = function (v) {
        return labelLogTick(Number(v), this.max > 0 && this.min > 0 ? Math.log10(this.max / this.min) : 0) ? format.format(v) : '';
      };
    });
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
