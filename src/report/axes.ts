/**
 * Chart axes that read well, for the app's charts (src/ui/charts.ts) and the report's (chart-kit.ts): byte axes with
 * ticks at round binary sizes, log axes bounded at 1-2-5 values with room past the outermost points, and which log
 * ticks to label so that labels never crowd. Pure: numbers in, numbers out.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Bytes in the binary unit that keeps the number ≥ 1, without trailing zeros: 65536 → "64 KiB", 1572864 → "1.5 MiB". */
export function binaryBytes(bytes: number): string {
  if (bytes === 0) return '0';
  let i = 0;
  while (i < UNITS.length - 1 && Math.abs(bytes) >= 1024 ** (i + 1)) i++;
  return `${Number((bytes / 1024 ** i).toFixed(2))} ${UNITS[i]}`;
}

export interface ByteAxis {
  /** 0: sizes are compared as fractions of the largest. */
  min: number;
  /** The last tick: past the largest value by at least `pad` of it, so its point is not cut by the plot's edge. */
  max: number;
  /** A power of two (64 KiB, 128 KiB, 1 MiB, …). */
  step: number;
  /** 0, step, 2 × step, … max. */
  ticks: number[];
}

/**
 * A linear byte axis from zero to past `maxBytes`: ticks at multiples of a power of two, the smallest one that
 * needs at most `maxTicks` intervals (0, 64 KiB, 128 KiB, 192 KiB, 256 KiB, …).
 */
export function byteAxis(maxBytes: number, maxTicks = 6, pad = 0.06): ByteAxis {
  const top = Math.max(1, maxBytes) * (1 + pad);
  let step = 1;
  while (top / step > maxTicks) step *= 2;
  const max = Math.ceil(top / step) * step;
  return { min: 0, max, step, ticks: Array.from({ length: max / step + 1 }, (_, i) => i * step) };
}

const NICE = [1, 2, 5] as const;

/** The largest 1-2-5 value (…, 0.5, 1, 2, 5, 10, …) at or below `x` (> 0). */
export function niceFloor(x: number): number {
  const e = Math.floor(Math.log10(x));
  for (const m of [...NICE].reverse()) if (m * 10 ** e <= x * (1 + 1e-12)) return Number((m * 10 ** e).toPrecision(12));
  return Number((5 * 10 ** (e - 1)).toPrecision(12));
}

/** The smallest 1-2-5 value at or above `x` (> 0). */
export function niceCeil(x: number): number {
  const e = Math.floor(Math.log10(x));
  for (const m of NICE) if (m * 10 ** e >= x * (1 - 1e-12)) return Number((m * 10 ** e).toPrecision(12));
  return Number((10 ** (e + 1)).toPrecision(12));
}

/**
 * Bounds of a log axis for these values: a 1-2-5 value at least `pad` (a factor; more on a wide axis: 6 % of its
 * decades) below the smallest and above the largest, so no point sits on the edge and the end ticks are round. Null
 * when there is no positive value.
 */
export function logBounds(values: readonly (number | null | undefined)[], pad = 1.15): { min: number; max: number } | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0);
  if (v.length === 0) return null;
  const [lo, hi] = [Math.min(...v), Math.max(...v)];
  const f = Math.max(pad, 10 ** (0.06 * Math.log10(hi / lo)));
  return { min: niceFloor(lo / f), max: niceCeil(hi * f) };
}

/**
 * Whether a log axis labels this tick: 1, 2 and 5 times a power of ten over up to two decades, only powers of ten
 * past that, so labels never crowd, whatever the range. Chart.js's own rule also labels the last fifth of the ticks,
 * which overlap on a short axis.
 */
export function labelLogTick(value: number, decades: number): boolean {
  if (!(value > 0)) return false;
  const m = Number((value / 10 ** Math.floor(Math.log10(value) + 1e-9)).toPrecision(6));
  return decades > 2 + 1e-9 ? m === 1 : m === 1 || m === 2 || m === 5;
}

/** Linear bounds with room around the points: `pad` of the span on each side, never below zero when every value is ≥ 0. */
export function paddedLinear(values: readonly (number | null | undefined)[], pad = 0.08): { min: number; max: number } | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return null;
  const [lo, hi] = [Math.min(...v), Math.max(...v)];
  const span = hi - lo || Math.abs(hi) || 1;
  const min = lo - span * pad;
  return { min: lo >= 0 && min < 0 ? 0 : min, max: hi + span * pad };
}
