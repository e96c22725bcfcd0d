import { describe, expect, it } from 'vitest';
import { engineComparison } from '../../src/core/compare.ts';
import { argmax, generationBlock, sortedIds, stepBreakdown, type GenerationTrace, type StepTiming } from '../../src/core/generation.ts';
import { emptyResult, finish } from '../../src/core/result.ts';
import { RunResultSchema, type RunResult } from '../../src/core/schema.ts';
import { DEFAULT_WORKLOAD } from '../../src/core/spec.ts';
import type { Engine } from '../../src/core/vocab.ts';
import { formatStepMs } from '../../src/text/format.ts';

describe('greedy argmax with banned ids', () => {
  it('picks the largest logit when nothing is banned', () => {
    expect(argmax(new Float32Array([0.1, 3, -2, 2.9]))).toBe(1);
    expect(argmax([5])).toBe(0);
  });
  it('skips banned ids, wherever they sit', () => {
    const logits = new Float32Array([9, 1, 8, 7, 10]);
    expect(argmax(logits, [4])).toBe(0);
    expect(argmax(logits, [0, 4])).toBe(2);
    expect(argmax(logits, [0, 2, 4])).toBe(3);
    // Banned ids beyond the vocabulary, or negative, change nothing.
    expect(argmax(logits, [-1, 99])).toBe(4);
  });
  it('keeps the first of equal maxima, as a plain scan does', () => {
    expect(argmax([1, 4, 4, 2])).toBe(1);
    expect(argmax([4, 1, 4, 2], [0])).toBe(2);
  });
  it('ignores NaN and fails when nothing is usable', () => {
    expect(argmax([NaN, 1, NaN])).toBe(1);
    expect(() => argmax([NaN, NaN])).toThrow(/NaN, -Infinity or banned/);
    expect(() => argmax([1, 2], [0, 1])).toThrow(/banned/);
  });
  it('rejects banned ids that are not strictly ascending, and sortedIds makes them so', () => {
    expect(() => argmax([1, 2, 3], [2, 0])).toThrow(/strictly ascending, got \[2, 0\]/);
    expect(sortedIds([7, 2, 7, 0])).toEqual([0, 2, 7]);
  });
});

const step = (runMs: number, feedsMs: number | null = null, samplingMs: number | null = null): StepTiming => ({ runMs, feedsMs, samplingMs });

describe('per-step breakdown', () => {
  it('takes medians over decode steps, leaving the prefill step out', () => {
    // Tokens at 10, 12, 15, 16 ms: decode intervals 2, 3, 1 ms; step 0 is the prefill (run 9 ms).
    const t: GenerationTrace = {
      startMs: 0,
      tokenTimesMs: [10, 12, 15, 16],
      tokens: [1, 2, 3, 4],
      steps: [step(9, 0.5, 0.1), step(1.5, 0.1, 0.2), step(2, 0.3, 0.4), step(0.8, 0.2, 0.1)],
    };
    const b = stepBreakdown([t])!;
    expect(b.n).toBe(3);
    expect(b.runMs).toBe(1.5);
    expect(b.feedsMs).toBe(0.2);
    expect(b.samplingMs).toBe(0.2);
    // Outside run per step: 2 − 1.5, 3 − 2, 1 − 0.8 → 0.5, 1, 0.2.
    expect(b.outsideRunMs).toBeCloseTo(0.5, 12);
  });
  it('pools steps over generations; a part an engine cannot time is null', () => {
    const a: GenerationTrace = { startMs: 0, tokenTimesMs: [5, 6, 7], tokens: [1, 2, 3], steps: [step(4), step(0.6), step(0.7)] };
    const b: GenerationTrace = { startMs: 0, tokenTimesMs: [5, 6], tokens: [1, 2], steps: [step(4), step(0.8)] };
    const s = stepBreakdown([a, b])!;
    expect(s).toMatchObject({ n: 3, runMs: 0.7, feedsMs: null, samplingMs: null });
    expect(s.outsideRunMs).toBeCloseTo(0.3, 12);
  });
  it('is null without step timings or without decode steps', () => {
    expect(stepBreakdown([{ startMs: 0, tokenTimesMs: [1, 2], tokens: [1, 2] }])).toBeNull();
    expect(stepBreakdown([{ startMs: 0, tokenTimesMs: [1], tokens: [1], steps: [step(1)] }])).toBeNull();
  });
  it('a run longer than its interval (clock granularity) counts as nothing outside it, never negative', () => {
    const t: GenerationTrace = { startMs: 0, tokenTimesMs: [1, 1.5], tokens: [1, 2], steps: [step(1), step(0.505)] };
    expect(stepBreakdown([t])!.outsideRunMs).toBe(0);
  });
  it('lands in the generation block, validates, and older records without it still parse', () => {
    const t: GenerationTrace = { startMs: 0, tokenTimesMs: [10, 11], tokens: [1, 2], steps: [step(9), step(0.75, 0.01, 0.02)] };
    const g = generationBlock({ promptTokens: 3, newTokens: 2, traces: [t] });
    expect(g.stepMs).toMatchObject({ n: 1, runMs: 0.75, feedsMs: 0.01, samplingMs: 0.02 });
    const r = lmResult('ort', g);
    expect(RunResultSchema.safeParse(r).success).toBe(true);
    const old = JSON.parse(JSON.stringify(r)) as { generation: Record<string, unknown> };
    delete old.generation.stepMs;
    const parsed = RunResultSchema.parse(old);
    expect(parsed.generation?.stepMs ?? null).toBeNull();
  });
  it('is shown with the parts the engine timed', () => {
    expect(formatStepMs({ n: 3, runMs: 0.31, feedsMs: 0.004, samplingMs: 0.0125, outsideRunMs: 0.03 })).toBe(
      'run 0.310 · feeds 0.004 · sampling 0.013 · outside run 0.030 ms',
    );
    expect(formatStepMs({ n: 3, runMs: 129.4, feedsMs: null, samplingMs: null, outsideRunMs: 1.25 })).toBe('run 129 · outside run 1.25 ms');
    expect(formatStepMs(null)).toBe('—');
  });
  it("the engines comparison carries each side's median step and time outside session.run", () => {
    const mk = (run: number, interval: number): GenerationTrace => ({
      startMs: 0,
      tokenTimesMs: [1, 1 + interval, 1 + 2 * interval],
      tokens: [1, 2, 3],
      steps: [step(1), step(run), step(run)],
    });
    const ort = lmResult('ort', generationBlock({ promptTokens: 3, newTokens: 3, traces: [mk(0.3, 0.5)] }));
    const tf = lmResult('transformers', generationBlock({ promptTokens: 3, newTokens: 3, traces: [mk(0.4, 1)] }));
    const [row] = engineComparison([ort, tf]);
    expect(row!.decodeRatio).toBeCloseTo(2, 9);
    expect(row!.ort.tpotP50Ms).toBeCloseTo(0.5, 12);
    expect(row!.ort.outsideRunMs).toBeCloseTo(0.2, 12);
    expect(row!.transformers.outsideRunMs).toBeCloseTo(0.6, 12);
  });
});

function lmResult(engine: Engine, generation: RunResult['generation']): RunResult {
  const r = emptyResult({
    id: `${engine}-fp32`,
    engine,
    device: 'wasm',
    workload: DEFAULT_WORKLOAD,
    model: { id: 'tiny-llama', source: 'bundled', url: 'x', dtype: 'fp32', task: 'text-generation' },
  });
  r.generation = generation;
  return finish(r, 'completed');
}
