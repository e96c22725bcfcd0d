import { describe, expect, it } from 'vitest';
import { meanAndVariance, percentileSorted, summarize, tCritical95 } from '../../src/core/stats.ts';

describe('summarize', () => {
  it('matches hand-computed figures for 1..10', () => {
    // mean 5.5; variance = Σ(x−5.5)²/9 = 82.5/9 = 9.1666…; sd = 3.0276503540974917
    // rme = t(9)·sd/√10/mean·100 = 2.262 × 0.957427… / 5.5 × 100 = 39.3765…
    const s = summarize([3, 1, 2, 10, 4, 5, 6, 7, 8, 9]);
    expect(s.n).toBe(10);
    expect(s.meanMs).toBe(5.5);
    expect(s.sdMs).toBeCloseTo(3.0276503540974917, 12);
    expect(s.rme).toBeCloseTo(((2.262 * (3.0276503540974917 / Math.sqrt(10))) / 5.5) * 100, 10);
    expect(s.minMs).toBe(1);
    expect(s.maxMs).toBe(10);
    // rank (n−1)q: p50 → 4.5 → between 5 and 6; p90 → 8.1 → 9.1; p95 → 8.55 → 9.55; p99 → 8.91 → 9.91
    expect(s.p50Ms).toBe(5.5);
    expect(s.p90Ms).toBeCloseTo(9.1, 12);
    expect(s.p95Ms).toBeCloseTo(9.55, 12);
    expect(s.p99Ms).toBeCloseTo(9.91, 12);
  });

  it('gives sd 0 and no rme for a single sample', () => {
    const s = summarize([42]);
    expect(s).toMatchObject({ n: 1, meanMs: 42, sdMs: 0, rme: null, minMs: 42, p50Ms: 42, p99Ms: 42, maxMs: 42 });
  });

  it('is exact for two samples', () => {
    const s = summarize([2, 4]);
    // sd = √2; rme = 12.706 × (√2/√2) / 3 × 100
    expect(s.sdMs).toBeCloseTo(Math.SQRT2, 12);
    expect(s.rme).toBeCloseTo((12.706 / 3) * 100, 10);
    expect(s.p50Ms).toBe(3);
  });

  it('rejects non-finite samples', () => {
    expect(() => summarize([1, Number.NaN])).toThrow(/finite/);
  });

  it('stays stable on large offsets (Welford)', () => {
    const { mean, variance } = meanAndVariance([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]);
    expect(mean).toBe(1e9 + 10);
    expect(variance).toBe(30);
  });
});

describe('percentileSorted and tCritical95', () => {
  it('interpolates linearly at (n−1)q', () => {
    expect(percentileSorted([10, 20, 30, 40], 0.25)).toBe(17.5);
    expect(percentileSorted([10, 20, 30, 40], 0)).toBe(10);
    expect(percentileSorted([10, 20, 30, 40], 1)).toBe(40);
    expect(() => percentileSorted([1], 1.5)).toThrow(RangeError);
  });
  it('uses the t table, then the normal value', () => {
    expect(tCritical95(1)).toBe(12.706);
    expect(tCritical95(30)).toBe(2.042);
    expect(tCritical95(1000)).toBe(1.96);
    expect(() => tCritical95(0)).toThrow(RangeError);
  });
});
