/** Charts of run results (Chart.js, tree-shaken: the only importer of chart.js). */
import { Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip } from 'chart.js';
import type { RunResult } from '../core/schema.ts';
import { formatMs } from './format.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);

const PALETTE = ['#2458d6', '#d0582a', '#13893f', '#8a3fd6', '#b8860b', '#0f8a8a', '#c2185b', '#5b6477'];

let current: Chart | null = null;

/**
 * Latency of every timed iteration, one line per completed run, on a log scale (WASM milliseconds and
 * SwiftShader seconds share one chart): warm-up drift, outliers and bimodal runs show here, not in a p50.
 */
export function renderLatencyChart(canvas: HTMLCanvasElement, results: readonly RunResult[]): void {
  const runs = results.filter((r) => r.state === 'completed' && r.timings.samplesMs.length > 0);
  current?.destroy();
  current = null;
  // The canvas sits in a sized box (Chart.js needs one to be responsive); hide the box, not the canvas.
  if (canvas.parentElement) canvas.parentElement.hidden = runs.length === 0;
  if (runs.length === 0) return;
  current = new Chart(canvas, {
    type: 'line',
    data: {
      datasets: runs.map((r, i) => ({
        label: `${r.model.id} · ${r.model.dtype} · ${r.device}`,
        data: r.timings.samplesMs.map((y, x) => ({ x: x + 1, y })),
        borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length],
        borderWidth: 1.5,
        pointRadius: r.timings.samplesMs.length > 60 ? 0 : 2,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'iteration' }, ticks: { precision: 0 } },
        y: { type: 'logarithmic', title: { display: true, text: 'latency (ms, log scale)' } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatMs(c.parsed.y)}` } },
      },
    },
  });
}
