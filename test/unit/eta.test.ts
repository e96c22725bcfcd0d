import { describe, expect, it } from 'vitest';
import { estimatePlanMs, priorRunMs, remainingMs, type RunShape } from '../../src/ui/model/eta.ts';

describe('remainingMs', () => {
  it('is null until a run has ended', () => {
    expect(remainingMs({ total: 4, finishedRunsMs: [] })).toBeNull();
  });
  it('is the mean of the finished runs times the runs left', () => {
    // mean (1000 + 3000) / 2 = 2000 ms; 3 of 5 left → 6000 ms.
    expect(remainingMs({ total: 5, finishedRunsMs: [1000, 3000] })).toBe(6000);
    expect(remainingMs({ total: 3, finishedRunsMs: [250] })).toBe(500);
  });
  it('is 0 when every run has ended, and never negative', () => {
    expect(remainingMs({ total: 2, finishedRunsMs: [10, 20] })).toBe(0);
    expect(remainingMs({ total: 1, finishedRunsMs: [10, 20] })).toBe(0);
  });
});

const run = (device: string, params: number | null, extra: Partial<RunShape> = {}): RunShape => ({
  device,
  params,
  iterations: 5,
  warmup: 1,
  newTokens: null,
  budgetMs: null,
  ...extra,
});

describe('priorRunMs and estimatePlanMs', () => {
  it('costs more on WebGPU than on wasm to start, and more for a bigger model', () => {
    expect(priorRunMs(run('webgpu', 1e6))).toBeGreaterThan(priorRunMs(run('wasm', 1e6)));
    expect(priorRunMs(run('wasm', 100e6))).toBeGreaterThan(priorRunMs(run('wasm', 1e6)));
    // An unknown size counts as 1 M parameters.
    expect(priorRunMs(run('wasm', null))).toBe(priorRunMs(run('wasm', 1e6)));
  });
  it('costs a language model per generated token, and caps the measuring at the time budget', () => {
    expect(priorRunMs(run('wasm', 100e6, { newTokens: 32 }))).toBeGreaterThan(priorRunMs(run('wasm', 100e6)));
    const long = run('wasm', 1e9, { iterations: 10_000 });
    expect(priorRunMs({ ...long, budgetMs: 5000 })).toBeLessThan(priorRunMs(long));
  });
  it('counts a decided run as a few ms, and sums a plan', () => {
    expect(priorRunMs(run('wasm', 1e9, { decided: true }))).toBeLessThan(100);
    const plan = [run('wasm', 1e6), run('webgpu', 1e6)];
    expect(estimatePlanMs(plan)).toBeCloseTo(priorRunMs(plan[0]!) + priorRunMs(plan[1]!));
    expect(estimatePlanMs([])).toBe(0);
  });
});

describe('remainingMs with the runs’ shapes', () => {
  const shapes = [run('wasm', 1e6), run('wasm', 1e6), run('webgpu', 1e6), run('webgpu', 50e6)];
  it('estimates from the start, before any run has ended', () => {
    expect(remainingMs({ total: 4, finishedRunsMs: [], shapes })).toBeCloseTo(estimatePlanMs(shapes));
  });
  it('corrects a backend by its own ended runs only: wasm running 2× slow does not touch the WebGPU runs', () => {
    const wasm = priorRunMs(shapes[0]!);
    const left = remainingMs({ total: 4, finishedRunsMs: [2 * wasm], shapes })!;
    expect(left).toBeCloseTo(2 * wasm + priorRunMs(shapes[2]!) + priorRunMs(shapes[3]!));
  });
  it('scales a backend’s later runs by size: a WebGPU run 3× its prior makes the bigger one 3× its own prior', () => {
    const [a, b, c, d] = shapes.map(priorRunMs) as [number, number, number, number];
    expect(remainingMs({ total: 4, finishedRunsMs: [a, b, 3 * c], shapes })).toBeCloseTo(3 * d);
  });
  it('falls back to the mean of the ended runs when the shapes are not this suite’s', () => {
    expect(remainingMs({ total: 3, finishedRunsMs: [1000], shapes: [run('wasm', 1)] })).toBe(2000);
  });
});
