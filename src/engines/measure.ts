/**
 * Timing a loaded model, engine-neutral: every engine's `Loaded` (engine.ts) is measured here, a runnable per run
 * and a language model per generated token (lm.ts), so engines are compared by the same code.
 */
import type { RunResult } from '../core/schema.ts';
import type { RunSpec } from '../core/spec.ts';
import { asSamples, summarize } from '../core/stats.ts';
import { warmUp } from '../core/warmup.ts';
import type { Loaded, Runnable } from './engine.ts';
import { AbortedError, measureLanguageModel, type LmHooks } from './lm.ts';

/**
 * The first run alone (shader compilation, lazy allocation, the outputs), warm-up until steady (or the fixed
 * count), then timed iterations.
 */
async function measureRunnable(model: Runnable, spec: RunSpec, result: RunResult, { onProgress, aborted }: LmHooks): Promise<void> {
  const { iterations } = spec.workload;
  const budget = spec.workload.timeBudgetMs ?? null;
  let t = performance.now();
  result.outputs = await model.run(spec.workload.captureOutputs === true);
  result.timings.firstRunMs = performance.now() - t;
  result.timings.warmup = await warmUp(() => model.run(false), result.timings.firstRunMs, spec.workload, onProgress, aborted);
  const samples: number[] = result.timings.samplesMs;
  const started = performance.now();
  while (samples.length < iterations && (budget === null || performance.now() - started < budget || samples.length === 0)) {
    if (aborted()) throw new AbortedError(`Aborted after ${samples.length} timed iteration(s); their figures are kept.`);
    t = performance.now();
    await model.run(false);
    samples.push(performance.now() - t);
    const s = asSamples(samples);
    result.timings.latency = s ? summarize(s) : null;
    onProgress({ phase: 'measure', done: samples.length, total: iterations });
  }
}

/** Measure what an engine loaded; fills `result.timings` (and `result.generation` for a language model). */
export async function measure(loaded: Loaded, spec: RunSpec, result: RunResult, hooks: LmHooks): Promise<void> {
  if (loaded.kind === 'lm') await measureLanguageModel(loaded.model, spec, result, hooks);
  else await measureRunnable(loaded.model, spec, result, hooks);
}
