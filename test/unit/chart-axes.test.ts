// Chart axes (src/report/axes.ts) for the app's and the report's charts: byte ticks at round binary sizes, log axes
// bounded past the outermost points at 1-2-5 values, log tick labels that cannot crowd; and the point labeller's
// source, which the report inlines, naming nothing outside itself.
import { describe, expect, it } from 'vitest';
import { binaryBytes, byteAxis, labelLogTick, logBounds, niceCeil, niceFloor, paddedLinear } from '../../src/report/axes.ts';
import { DRAW_SCRIPT } from '../../src/report/charts.ts';
import { drawPointLabels } from '../../src/report/point-labels.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('byte axes', () => {
  it('ticks at multiples of a power of two, from zero to past the largest size', () => {
    // The case: levels of a ~300 KiB model, whose ticks fell at 97.7/195.3/293.0 KiB.
    const a = byteAxis(300 * KiB);
    expect(a.ticks.map(binaryBytes)).toEqual(['0', '64 KiB', '128 KiB', '192 KiB', '256 KiB', '320 KiB']);
    expect(a.max).toBeGreaterThan(300 * KiB * 1.05);
    expect(Math.log2(a.step) % 1).toBe(0);
    expect(byteAxis(5.3 * MiB).ticks.map(binaryBytes)).toEqual(['0', '1 MiB', '2 MiB', '3 MiB', '4 MiB', '5 MiB', '6 MiB']);
    expect(byteAxis(2.4 * MiB).ticks.map(binaryBytes)).toEqual(['0', '512 KiB', '1 MiB', '1.5 MiB', '2 MiB', '2.5 MiB', '3 MiB']);
  });

  it('never needs more intervals than asked, and leaves room above the largest point', () => {
    for (const bytes of [1, 700, 64 * KiB, 97.7 * KiB, 1.41 * MiB, 14 * MiB, 3.2e9]) {
      const a = byteAxis(bytes, 6);
      expect(a.ticks.length - 1, String(bytes)).toBeLessThanOrEqual(6);
      expect(a.ticks.at(-1)).toBe(a.max);
      expect(a.max, String(bytes)).toBeGreaterThan(bytes);
    }
  });

  it('writes sizes in the binary unit that keeps them ≥ 1', () => {
    expect(binaryBytes(65536)).toBe('64 KiB');
    expect(binaryBytes(1.5 * MiB)).toBe('1.5 MiB');
    expect(binaryBytes(512)).toBe('512 B');
    expect(binaryBytes(3 * 1024 * MiB)).toBe('3 GiB');
  });
});

describe('log axes', () => {
  it('bounds at 1-2-5 values, padded past the outermost points', () => {
    expect([niceFloor(3.4), niceFloor(0.07), niceFloor(1), niceCeil(3.4), niceCeil(0.07), niceCeil(5)]).toEqual([2, 0.05, 1, 5, 0.1, 5]);
    // The TTFT scatter's points at 0.48 and 1.46 ms: neither sits on an edge.
    const b = logBounds([0.482, 1.457, null])!;
    expect(b).toEqual({ min: 0.2, max: 2 });
    // Decode tok/s against parameters: a single point still gets a range around it.
    const one = logBounds([7216])!;
    expect(one.min).toBeLessThan(7216 / 1.1);
    expect(one.max).toBeGreaterThan(7216 * 1.1);
    expect(logBounds([0, null, -1])).toBeNull();
  });

  it('labels only 1, 2 and 5 times a power of ten (only powers of ten past two decades)', () => {
    const ticks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30];
    expect(ticks.filter((v) => labelLogTick(v, 1.5))).toEqual([1, 2, 5, 10, 20]);
    expect(ticks.filter((v) => labelLogTick(v, 3))).toEqual([1, 10]);
    expect(ticks.filter((v) => labelLogTick(v, 2))).toEqual([1, 2, 5, 10, 20]);
    expect([0.2, 0.3, 0.5, 0.7].filter((v) => labelLogTick(v, 1))).toEqual([0.2, 0.5]);
  });

  it('pads linear axes without going below zero for non-negative values', () => {
    expect(paddedLinear([2019.1, 2024.8], 0.04)).toEqual({ min: 2019.1 - 5.7 * 0.04, max: 2024.8 + 5.7 * 0.04 });
    expect(paddedLinear([0.5, 10])!.min).toBe(0);
  });
});

describe('the report’s chart script', () => {
  it('inlines the point labeller and the log-tick rule as self-contained JavaScript', () => {
    expect(String(drawPointLabels)).not.toMatch(/__name|import\(/);
    expect(DRAW_SCRIPT).toContain('pointLabels');
    // It parses (it is not run here: it needs a page and Chart.js).
    expect(() => new Function(DRAW_SCRIPT)).not.toThrow();
  });
});
