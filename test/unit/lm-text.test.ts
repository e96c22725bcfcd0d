// What the app and the report say of a language-model run (src/text): the heading over the streamed text, and when
// the time budget cut a run short — on real tiny-llama records.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/core/schema.ts';
import { parseJsonl } from '../../src/store/export.ts';
import { formatBudgetCut } from '../../src/text/format.ts';
import { streamHeading } from '../../src/text/stream.ts';

const records = parseJsonl(readFileSync(new URL('../fixtures/lm-records.jsonl', import.meta.url), 'utf8')).results;
const generated = records.find((r) => r.generation && !r.generation.contexts)!;
const swept = records.find((r) => r.generation?.contexts?.length)!;
const withGenerations = (r: RunResult, asked: number, made: number, budget: number | null): RunResult => ({
  ...r,
  workload: { ...r.workload, iterations: asked, timeBudgetMs: budget },
  generation: { ...r.generation!, generations: made },
});

describe('budget cut', () => {
  it('says when the time budget cut a run short, and only then', () => {
    expect(formatBudgetCut(withGenerations(generated, 2, 1, 5000))).toBe('2 generations asked, 1 made: 5 s budget');
    expect(formatBudgetCut(withGenerations(generated, 2, 2, 5000))).toBeNull();
    expect(formatBudgetCut(withGenerations(generated, 2, 1, null))).toBeNull();
    expect(formatBudgetCut(generated)).toBeNull(); // the real record made what it was asked
    expect(formatBudgetCut(swept)).toBeNull(); // a context sweep has no generation count
    const inference: RunResult = {
      ...generated,
      generation: null,
      workload: { ...generated.workload, iterations: 20, timeBudgetMs: 10_000 },
      timings: { ...generated.timings, latency: { ...generated.timings.latency!, n: 7 } },
    };
    expect(formatBudgetCut(inference)).toBe('20 iterations asked, 7 made: 10 s budget');
    expect(formatBudgetCut({ ...inference, workload: { ...inference.workload, timeBudgetMs: 250 } })).toBe('20 iterations asked, 7 made: 250 ms budget');
  });
});

describe('stream heading', () => {
  it('labels the warm-up generation as warm-up, and numbers the measured ones', () => {
    expect(streamHeading({ phase: 'generate', done: 3, total: 4, warmup: true, tokPerS: 812.4 }, false)).toBe(
      'warm-up generation (not measured) · token 3/4 · 812.4 tok/s',
    );
    expect(streamHeading({ phase: 'generate', done: 1, total: 8, generation: 2, tokPerS: null }, false)).toBe('generation 2 · token 1/8');
    expect(streamHeading({ phase: 'generate', done: 4, total: 4, context: 64 }, true)).toBe(
      'generation at 64 tokens of context · token 4/4 · a replica: synthetic token ids',
    );
  });
});
