/** The leak check: how each memory figure moves when the same spec runs again and again. */
import type { RunResult } from './schema.ts';

export const GROWTH_METRICS = {
  wasmHeapPeakBytes: (r: RunResult) => r.memory.wasmHeapPeakBytes,
  gpuBufferPeakBytes: (r: RunResult) => r.memory.gpuBufferPeakBytes,
  gpuLiveAfterDisposeBytes: (r: RunResult) => r.memory.phases?.afterDispose?.gpuLiveBytes ?? null,
  osPeakRssBytes: (r: RunResult) => r.memory.osPeakRssBytes,
  osPeakPssBytes: (r: RunResult) => r.memory.os?.peakPssBytes ?? null,
} as const;
export type GrowthMetric = keyof typeof GROWTH_METRICS;

export interface MetricGrowth {
  first: number;
  last: number;
  /** Least-squares slope over the run index: bytes gained per repeated run. */
  slopePerRun: number;
  n: number;
}

export interface Growth {
  model: string;
  dtype: string;
  device: string;
  runs: number;
  metrics: Partial<Record<GrowthMetric, MetricGrowth>>;
}

/** Slope of y over x = 0, 1, 2, … by least squares. */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** Group completed runs by model, level and backend (in run order) and fit each memory figure's trend. */
export function memoryGrowth(results: readonly RunResult[]): Growth[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    if (r.state !== 'completed') continue;
    const key = `${r.model.id}\u0000${r.model.dtype}\u0000${r.device}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  return [...groups.values()].map((runs) => {
    const metrics: Growth['metrics'] = {};
    for (const [name, get] of Object.entries(GROWTH_METRICS) as [GrowthMetric, (r: RunResult) => number | null][]) {
      const ys = runs.map(get).filter((y): y is number => y !== null);
      if (ys.length) metrics[name] = { first: ys[0]!, last: ys.at(-1)!, slopePerRun: slope(ys), n: ys.length };
    }
    const r = runs[0]!;
    return { model: r.model.id, dtype: r.model.dtype, device: r.device, runs: runs.length, metrics };
  });
}
