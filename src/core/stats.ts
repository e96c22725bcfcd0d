/** Summary statistics over raw latency samples: pure functions, exact numbers, no formatting. */

/** At least one sample: a summary of nothing is a bug, not a zero. */
export type Samples = readonly [number, ...number[]];

export interface LatencyStats {
  n: number;
  meanMs: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 when n = 1. */
  sdMs: number;
  /** Relative margin of error of the mean at 95 % confidence, in percent; null when n < 2. */
  rme: number | null;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

// Two-sided 95 % critical values of Student's t for 1..30 degrees of freedom.
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
] as const;

/** Student's t (two-sided 95 %) for `df` degrees of freedom; tabulated to 30, then stepped to 1.96. */
export function tCritical95(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= 30) return T_975[df - 1] as number;
  if (df <= 40) return 2.021;
  if (df <= 60) return 2.0;
  if (df <= 120) return 1.98;
  return 1.96;
}

/** Percentile of ascending-sorted values by linear interpolation at rank (n − 1)·q. */
export function percentileSorted(sorted: Samples, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`percentile must be in [0, 1], got ${q}`);
  const rank = (sorted.length - 1) * q;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

/** Mean and sample variance in one pass (Welford), stable for long runs of similar values. */
export function meanAndVariance(samples: Samples): { mean: number; variance: number } {
  let mean = 0;
  let m2 = 0;
  let n = 0;
  for (const x of samples) {
    n += 1;
    const delta = x - mean;
    mean += delta / n;
    m2 += delta * (x - mean);
  }
  return { mean, variance: n > 1 ? m2 / (n - 1) : 0 };
}

export function summarize(samples: Samples): LatencyStats {
  for (const x of samples) {
    if (!Number.isFinite(x)) throw new RangeError(`samples must be finite numbers, got ${x}`);
  }
  const sorted = [...samples].sort((a, b) => a - b) as unknown as Samples;
  const n = samples.length;
  const { mean, variance } = meanAndVariance(samples);
  const sd = Math.sqrt(variance);
  const rme = n > 1 && mean !== 0 ? ((tCritical95(n - 1) * (sd / Math.sqrt(n))) / mean) * 100 : null;
  return {
    n,
    meanMs: mean,
    sdMs: sd,
    rme,
    minMs: sorted[0],
    p50Ms: percentileSorted(sorted, 0.5),
    p90Ms: percentileSorted(sorted, 0.9),
    p95Ms: percentileSorted(sorted, 0.95),
    p99Ms: percentileSorted(sorted, 0.99),
    maxMs: sorted[n - 1] as number,
  };
}

/** Narrow an array to Samples, or null when it is empty. */
export function asSamples(values: readonly number[]): Samples | null {
  return values.length > 0 ? (values as unknown as Samples) : null;
}
