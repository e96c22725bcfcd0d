/** All text formatting of numbers lives here: the records keep raw numbers with units in their names. */
import { fitAccuracy } from '../core/fit.ts';
import { achievedGflops, shareOf } from '../core/flops.ts';
import type { OpProfile, RunResult, StepBreakdown } from '../core/schema.ts';

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

/** Fewer samples than this and the margin of error says more about n than about the run: it is not printed. */
export const RME_MIN_SAMPLES = 10;

/** A latency summary's ±rme, or "n too small" below RME_MIN_SAMPLES samples. */
export function formatRme(stats: { n: number; rme: number | null } | null | undefined): string {
  if (!stats) return '—';
  return stats.n < RME_MIN_SAMPLES ? 'n too small' : formatPercent(stats.rme);
}

/** How a run warmed up: "7 runs, 1.2 s, settled". */
export function formatWarmup(w: { runs: number; ms: number; stop: string } | null | undefined): string {
  return w ? `${w.runs} run${w.runs === 1 ? '' : 's'}, ${formatMs(w.ms)}, ${w.stop}` : '—';
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
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
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

/**
 * The GFLOP/s a run achieved (FLOPs ÷ p50; language models: FLOPs per token × decode tok/s) and, when its backend's
 * roofline is known, its share of the measured f32 matmul peak: "3.21 GFLOP/s (4.2 % of peak)", or "—".
 */
export function formatGflops(r: Pick<RunResult, 'model' | 'timings' | 'generation' | 'env'>): string {
  const g = achievedGflops(r);
  if (g === null) return '—';
  const share = shareOf(g, r.env?.roofline?.gflops);
  return `${formatFigure(g)} GFLOP/s${share === null ? '' : ` (${(share * 100).toFixed(share < 0.1 ? 2 : 1)} % of peak)`}`;
}

/** The fit check's prediction and how the measured peak compares: "221 MiB (peak 1.44×)". */
export function formatPredicted(r: Pick<RunResult, 'state' | 'device' | 'memory'>): string {
  const predicted = r.memory.predicted?.totalBytes;
  if (!predicted) return '—';
  const a = fitAccuracy(r);
  return a ? `${formatBytes(predicted)} (peak ${a.ratio.toFixed(2)}×)` : formatBytes(predicted);
}

/** A plain figure with about three significant digits, no unit: 0.0421, 3.80, 20.3, 412. */
export function formatFigure(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 1e6) return formatCount(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a >= 0.001) return x.toPrecision(3);
  return x.toExponential(2);
}

/** Units that are written against the number ("20.3×", "98 %" keeps its space as SI asks). */
const TIGHT_UNITS = new Set(['×', 'x']);

/** A measured figure in the unit it was recorded in: "12.4 ms", "20.3×", "5.12 tok/s"; bytes and ms by their own rules. */
export function formatMeasure(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined) return '—';
  if (unit === 'ms') return formatMs(value);
  if (unit === 'bytes' || unit === 'B') return formatBytes(value);
  if (unit === 'params' || unit === 'FLOPs' || unit === 'MACs') return `${formatCount(value)} ${unit}`;
  if (unit === '') return formatFigure(value);
  return TIGHT_UNITS.has(unit) ? `${formatFigure(value)}${unit}` : `${formatFigure(value)} ${unit}`;
}

/**
 * A threshold as the user set it: "≤ 33 ms", "≥ 5 tok/s", "≥ 100×". The value is printed exactly as given
 * (a bar is a number someone chose; rounding it would misstate it).
 */
export function formatThreshold(t: { direction: 'max' | 'min'; value: number; unit: string }): string {
  const v = String(Number(t.value.toPrecision(12)));
  const unit = t.unit === '' ? '' : TIGHT_UNITS.has(t.unit) ? t.unit : ` ${t.unit}`;
  return `${t.direction === 'max' ? '≤' : '≥'} ${v}${unit}`;
}

/** navigator.deviceMemory (GiB, rounded and capped by the browser): "8 GiB". */
export function formatDeviceMemory(gib: number | null | undefined): string {
  return gib === null || gib === undefined ? '—' : `${gib} GiB`;
}

/** A roofline: "33.4 GB/s · 77.2 GFLOP/s". */
export function formatRoofline(r: { bandwidthGBps: number; gflops: number }): string {
  return `${formatFigure(r.bandwidthGBps)} GB/s · ${formatFigure(r.gflops)} GFLOP/s`;
}

/** An ISO timestamp as UTC, the same on every machine (reports are shared): "2026-12-02 07:45 UTC". */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A wall-clock span: "8 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A fraction as a share: 0.94 → "94 %", below 10 % with one decimal ("3.2 %"), "<0.1 %" for crumbs. */
export function formatShare(fraction: number): string {
  const pct = fraction * 100;
  if (pct > 0 && pct < 0.1) return '<0.1 %';
  return `${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)} %`;
}

/** A profile's op types, biggest first: "MatMulNBits 94 %, Add 2.1 %, Relu 1.0 %" (at most `n`). */
export function formatOpTypes(profile: Pick<OpProfile, 'opTypes'>, n = 3): string {
  return (
    profile.opTypes
      .slice(0, n)
      .map((t) => `${t.opType} ${formatShare(t.share)}`)
      .join(', ') || '—'
  );
}

/** A decode step's breakdown, medians: "run 0.310 · feeds 0.004 · sampling 0.012 · outside run 0.030 ms"; parts the engine cannot time are left out. */
export function formatStepMs(s: StepBreakdown | null | undefined): string {
  if (!s) return '—';
  const ms = (x: number) => x.toFixed(x < 1 ? 3 : x < 100 ? 2 : 0);
  const parts = [`run ${ms(s.runMs)}`];
  if (s.feedsMs !== null) parts.push(`feeds ${ms(s.feedsMs)}`);
  if (s.samplingMs !== null) parts.push(`sampling ${ms(s.samplingMs)}`);
  parts.push(`outside run ${ms(s.outsideRunMs)}`);
  return `${parts.join(' · ')} ms`;
}

/**
 * When the time budget cut a completed run short, in words: "2 generations asked, 1 made: 5 s budget" (language
 * models) or "20 iterations asked, 7 made: 10 s budget"; null when it made what was asked (or had no budget). The
 * measuring loops stop only for the count or the budget, so fewer than asked with a budget means the budget.
 */
export function formatBudgetCut(r: RunResult): string | null {
  const budget = r.workload.timeBudgetMs;
  if (r.state !== 'completed' || budget === null || r.generation?.contexts) return null;
  const asked = r.workload.iterations;
  const [made, what] = r.generation ? [r.generation.generations, 'generations'] : [r.timings.latency?.n ?? 0, 'iterations'];
  if (made >= asked) return null;
  const secs = budget < 1000 ? `${budget} ms` : `${Number((budget / 1000).toFixed(1))} s`;
  return `${asked} ${what} asked, ${made} made: ${secs} budget`;
}

/** The bytes of an engine's own buffers that live in the WASM heap (llama.cpp's backend 'CPU…'); null when it named none. */
export function engineHeapBytes(memory: { engineBuffers?: readonly { backend: string; bytes: number }[] | null }): number | null {
  const cpu = (memory.engineBuffers ?? []).filter((b) => b.backend.startsWith('CPU'));
  return cpu.length ? cpu.reduce((sum, b) => sum + b.bytes, 0) : null;
}

/**
 * A run's WASM heap cell: the peak the probes read, or, where the heap lives out of the run's sight (wllama), "≥ "
 * and the engine's own buffers in it — a floor, said as one.
 */
export function formatHeap(memory: { wasmHeapPeakBytes: number | null; engineBuffers?: readonly { backend: string; bytes: number }[] | null }): string {
  if (memory.wasmHeapPeakBytes !== null) return formatBytes(memory.wasmHeapPeakBytes);
  const floor = engineHeapBytes(memory);
  return floor === null ? '—' : `≥ ${formatBytes(floor)}`;
}
