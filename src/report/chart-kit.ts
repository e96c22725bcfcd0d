/** What the report's charts are built from: run names, axes with JSON-only tick formats, and base options. */
import type { RunResult } from '../core/schema.ts';
import type { Json } from './charts.ts';
import { shortModel } from './model.ts';

export const runName = (r: RunResult) => `${shortModel(r.model.id)} · ${r.model.dtype} · ${r.device}`;
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
