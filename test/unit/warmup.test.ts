// Adaptive warm-up: go on until two windows of recent runs agree, within a time cap; or a fixed count.
import { describe, expect, it } from 'vitest';
import { DEFAULT_WARMUP_POLICY, settled, warmupPolicy, warmupStop, type WarmupPolicy } from '../../src/core/warmup.ts';
import { formatRme } from '../../src/text/format.ts';

/** Feed `times` one by one as the runtime does; returns how many runs were made and why it stopped. */
function simulate(times: readonly number[], policy: WarmupPolicy): { runs: number; stop: string | null } {
  const seen: number[] = [];
  let elapsed = 0;
  for (const t of times) {
    seen.push(t);
    elapsed += t;
    const stop = warmupStop(seen, elapsed, policy);
    if (stop) return { runs: seen.length, stop };
  }
  return { runs: seen.length, stop: null };
}

describe('settled', () => {
  it('compares the medians of the last two windows', () => {
    // Windows [10,10,10] and [10.4,9.8,10.2]: medians 10 and 10.2, 2 % apart.
    expect(settled([10, 10, 10, 10.4, 9.8, 10.2], 3, 0.05)).toBe(true);
    // Still speeding up: medians 20 and 12, 40 % apart.
    expect(settled([22, 20, 19, 13, 12, 11], 3, 0.05)).toBe(false);
    // Too few runs for two windows.
    expect(settled([10, 10, 10, 10, 10], 3, 0.05)).toBe(false);
  });

  it('one outlier in a window does not move its median', () => {
    expect(settled([10, 10, 10, 10, 10, 10, 10, 10, 10, 90], 5, 0.05)).toBe(true);
  });
});

describe('warmupStop', () => {
  const policy: WarmupPolicy = { ...DEFAULT_WARMUP_POLICY, minRuns: 2, minMs: 0, capMs: 1_000, window: 3, tolerance: 0.05 };

  it('goes on while the runs are still getting faster (a JIT tiering up), and stops once they settle', () => {
    const tiering = [454, 400, 300, 220, 160, 120, 112, 111, 111, 110, 111, 112];
    // Windows of 3: at run 10, [160,120,112] and [111,111,110] (medians 120 and 111: 7.5 %) still differ; at run 11,
    // [120,112,111] and [111,110,111] (medians 112 and 111: 0.9 %) agree.
    expect(simulate(tiering, { ...policy, capMs: 10_000 })).toEqual({ runs: 11, stop: 'settled' });
  });

  it('stops at the time cap when the runs never settle', () => {
    // 10 % faster every run: windows of 3 are 27 % apart, never within 5 %.
    const drifting = Array.from({ length: 50 }, (_, i) => 100 * 0.9 ** i);
    // 100 + 90 + 81 + 72.9 + 65.61 + 59.05 = 468.6 ms after 6 runs; the 7th (53.1) passes the 500 ms cap.
    expect(simulate(drifting, { ...policy, capMs: 500 })).toEqual({ runs: 7, stop: 'time cap' });
  });

  it('stops at the run cap on models so fast that the time cap is far away', () => {
    expect(
      simulate(
        Array.from({ length: 20 }, (_, i) => 1 / (i + 1)),
        { ...policy, maxRuns: 8 },
      ),
    ).toEqual({ runs: 8, stop: 'run cap' });
  });

  it('warms up at least minMs, however steady (tier-up is driven by executed code)', () => {
    const steady = Array.from({ length: 100 }, () => 0.5);
    // 0.5 ms a run: 25 ms of warm-up is 50 runs.
    expect(simulate(steady, { ...policy, minMs: 25 })).toEqual({ runs: 50, stop: 'settled' });
  });

  it('by default waits out a baseline-tier plateau that the optimized code ends late (PP-OCRv4 rec on 2 cores)', () => {
    // ~70 ms a run, steady, for the first 1.5 s; then the optimized code: 27 ms.
    const plateauThenFast = [...Array.from({ length: 22 }, () => 70), ...Array.from({ length: 100 }, () => 27)];
    const out = simulate(plateauThenFast, DEFAULT_WARMUP_POLICY);
    expect(out.stop).toBe('settled');
    // Not stopped on the plateau: the last two windows are both of the fast code.
    expect(out.runs).toBeGreaterThan(22 + 10);
  });

  it('makes at least minRuns runs', () => {
    expect(simulate([10, 10, 10, 10, 10, 10, 10, 10], { ...policy, minRuns: 8 })).toEqual({ runs: 8, stop: 'settled' });
  });

  it('warmup 0 is no warm-up: the first run is all there is', () => {
    expect(simulate([500, 100], warmupPolicy(0, 3_000))).toEqual({ runs: 1, stop: 'fixed' });
  });

  it('without a cap, exactly the fixed count', () => {
    expect(warmupPolicy(3, null).adaptive).toBe(false);
    expect(simulate([454, 400, 300, 220, 160], warmupPolicy(3, null))).toEqual({ runs: 3, stop: 'fixed' });
    expect(simulate([454, 400], warmupPolicy(1, undefined))).toEqual({ runs: 1, stop: 'fixed' });
  });
});

describe('formatRme', () => {
  it('prints ±rme from 10 samples on, and says "n too small" below', () => {
    expect(formatRme({ n: 9, rme: 3.2 })).toBe('n too small');
    expect(formatRme({ n: 10, rme: 3.25 })).toBe('±3.3 %');
    expect(formatRme(null)).toBe('—');
  });
});
