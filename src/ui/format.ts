/** All text formatting of numbers lives here: the records keep raw numbers with units in their names. */
import type { RunResult } from '../core/schema.ts';

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  if (ms < 10_000) return `${ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v.toFixed(u === 0 ? 0 : v < 10 ? 2 : 1)} ${units[u]}`;
}

export function formatPercent(p: number | null | undefined): string {
  return p === null || p === undefined ? '—' : `±${p.toFixed(1)} %`;
}

export function formatDate(iso: string): string {
  const d = new Date(iso);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString()}`;
}

/** A unitless figure (a difference, a cosine): fixed digits when moderate, exponent when tiny. */
export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '—';
  if (x !== 0 && Math.abs(x) < 10 ** -digits) return x.toExponential(1);
  return x.toFixed(digits);
}

/** A large count with an SI suffix: 2.69 M, 1.41 G. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [v, u] of units) if (Math.abs(n) >= v) return `${(n / v).toFixed(2)} ${u}`;
  return String(n);
}

/** A rate (tokens/s): more digits when small. */
export function formatRate(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  return x.toFixed(x < 10 ? 2 : x < 1000 ? 1 : 0);
}

/** A run's roofline utilisation: "12.3 % of 9.80 GB/s (memory)", or "—". */
export function formatUtilisation(r: Pick<RunResult, 'utilisation'>): string {
  const u = r.utilisation;
  if (!u) return '—';
  return `${(u.fraction * 100).toFixed(u.fraction < 0.1 ? 2 : 1)} % of ${u.attainable.toFixed(u.attainable < 10 ? 2 : 1)} ${u.unit} (${u.bound})`;
}

/** A wall-clock span: "8 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
