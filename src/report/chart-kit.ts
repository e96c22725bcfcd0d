/** What the report's charts are built from: the chart spec, series (one colour per device × backend), run names, axes with JSON-only tick formats, base options. */
import type { RunResult } from '../core/schema.ts';
import { ENGINE_LABEL, type Engine } from '../core/vocab.ts';
import { deviceTag, shortModel, type ReportInput } from './model.ts';
import { logBounds } from './axes.ts';
import { paletteColour } from './palette.ts';

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

export type Json = { [key: string]: unknown };

export const MIB = 2 ** 20;

/** A run with the device it was measured on. */
export interface Placed {
  run: RunResult;
  deviceIndex: number;
}

/**
 * A series is one device × backend × engine: the unit the charts overlay. Its label names the backend and the engine
 * ("wasm · onnxruntime-web"); with several devices it starts with the device's tag.
 */
export class Series {
  private readonly keys: string[] = [];
  constructor(private readonly input: ReportInput) {}
  key(p: Placed): string {
    const k = `${p.deviceIndex}\u0000${p.run.device}\u0000${p.run.engine}`;
    if (!this.keys.includes(k)) this.keys.push(k);
    return k;
  }
  label(key: string): string {
    const [d, backend, engine] = key.split('\u0000') as [string, string, Engine | undefined];
    // Devices by their tag (D1, D2): whole labels would crowd the legend out of the chart; each chart names them below.
    const parts = [this.input.devices.length > 1 ? deviceTag(Number(d)) : null, backend, engine ? ENGINE_LABEL[engine] : null];
    return parts.filter(Boolean).join(' · ');
  }
  /** Keys are registered in first-seen order (reportCharts registers every run first): a series keeps its colour. */
  color(key: string): string {
    const i = this.keys.indexOf(key);
    return paletteColour(i < 0 ? 0 : i);
  }
}

export const runName = (r: RunResult) => `${shortModel(r.model.id)} · ${r.model.dtype} · ${r.device}`;
/** A run with its engine, where no legend names it: "SmolLM2-135M · q4 · wasm · ort" (or "· tjs", transformers.js). */
export const runEngineName = (r: RunResult) => `${runName(r)} · ${r.engine === 'transformers' ? 'tjs' : r.engine}`;
/** Beside a point, whose series (backend · engine) the legend names: "SmolLM2-135M · q4". */
export const pointName = (r: RunResult) => `${shortModel(r.model.id)} · ${r.model.dtype}`;
export const paramsOf = (r: RunResult) => r.model.params ?? r.replica?.paramsPublished ?? null;
export const isLm = (r: RunResult) => r.generation !== null;
/** The year as a number (2024-10-31 → 2024.83), for a linear axis: the page has no date adapter. */
export const yearOf = (iso: string): number | null => {
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

/** A log axis over these values, bounded at 1-2-5 values past the outermost (axes.ts), so no point is cut by the plot's edge. */
export const logAxis = (title: string, values: readonly (number | null | undefined)[], extra: Json = {}, ticks: keyof typeof TICKS = 'plain'): Json =>
  axis('logarithmic', title, { ...(logBounds(values) ?? {}), ...extra }, ticks);

export const axis = (type: 'linear' | 'logarithmic' | 'category', title: string, extra: Json = {}, ticks: keyof typeof TICKS = 'plain'): Json => ({
  type,
  title: { display: true, text: type === 'logarithmic' ? `${title} (log scale)` : title },
  ...(type === 'category' ? {} : { ticks: TICKS[ticks] }),
  ...extra,
});

/** Point charts: legend entries drawn as their points, not as boxes. */
export const POINT_LEGEND: Json = { legend: { position: 'bottom', labels: { usePointStyle: true } } };

export const base = (extra: Json = {}): Json => ({
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  plugins: { legend: { position: 'bottom' } },
  ...extra,
});
