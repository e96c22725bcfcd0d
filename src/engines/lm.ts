/**
 * Language-model runs, engine-neutral: both engines hand over a `LanguageModel` (greedy generation that reports
 * each token as it arrives), and this module times it — warm-up, measured generations, the context-length
 * sweep, abort — so the two engines are measured by the same code.
 */
import { checkGeneration, contextLengthsFor, contextPoint, generationBlock, type GenerationTrace, type StepTiming } from '../core/generation.ts';
import type { ContextPoint, Generation, RunResult } from '../core/schema.ts';
import { DEFAULT_GENERATION, type GenerationWorkload, type Progress, type RunSpec } from '../core/spec.ts';
import { asSamples, summarize } from '../core/stats.ts';
import { warmUp } from '../core/warmup.ts';
import { gpuPhasePeakBytes, markGpuPeak, wasmHeapBytes } from './memory-probes.ts';

export interface LanguageModel {
  /** The model's maximum context (max_position_embeddings), when its config says. */
  maxContextTokens: number | null;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /**
   * Greedy generation of exactly `maxNewTokens` tokens after `ids` (end-of-sequence is suppressed so runs
   * compare), calling `onToken` as each arrives, with what that step spent where the engine can time it; stops
   * early when `shouldStop()` turns true.
   */
  generate(ids: readonly number[], maxNewTokens: number, onToken: (id: number, step?: StepTiming) => void, shouldStop: () => boolean): Promise<number[]>;
  /** Bytes of the KV cache at `tokens` tokens, from the model's cache shapes; null when unknown. */
  kvCacheBytes(tokens: number): number | null;
  dispose(): Promise<void>;
}

/** Thrown inside a measurement when the user aborts; what was measured so far is kept. */
export class AbortedError extends Error {
  override name = 'AbortError';
}

export interface LmHooks {
  onProgress: (p: Progress) => void;
  aborted: () => boolean;
}

/**
 * How often a generation's text is decoded and sent while it streams. Decoding runs between two timed tokens, so it is
 * rare: at 100 ms, a few tens of µs of decoding are < 0.1 % of any interval they fall in. A measured generation also
 * sends its text at its last token (after its last timed interval), so a fast model's text shows too.
 */
export const STREAM_TEXT_MS = 100;
/** When text was last sent, across generations (one run per worker): the 100 ms clock does not restart per generation. */
let textSentAt = -Infinity;

/**
 * One generation, timed token by token. Its progress events carry the decode rate so far and, now and then, the text:
 * the first time in a generation the whole text so far (`textReset`), then what was added since (a delta).
 */
async function trace(
  lm: LanguageModel,
  ids: readonly number[],
  n: number,
  hooks: LmHooks,
  how: { context?: number; warmup?: boolean; generation?: number } = {},
): Promise<GenerationTrace> {
  const t: GenerationTrace = { startMs: performance.now(), tokenTimesMs: [], tokens: [], steps: [] };
  let sent: string | null = null;
  await lm.generate(
    ids,
    n,
    (id, step) => {
      const now = performance.now();
      t.tokenTimesMs.push(now);
      t.tokens.push(id);
      t.steps!.push(step);
      const done = t.tokens.length;
      const tokPerS = done > 1 ? ((done - 1) * 1000) / (now - t.tokenTimesMs[0]!) : null;
      let text: { text: string; textReset?: true } | null = null;
      if ((done === n && !how.warmup) || now - textSentAt >= STREAM_TEXT_MS || hooks.aborted()) {
        const whole = lm.decode(t.tokens);
        text = sent !== null && whole.startsWith(sent) ? { text: whole.slice(sent.length) } : { text: whole, textReset: true };
        sent = whole;
        textSentAt = performance.now();
      }
      hooks.onProgress({
        phase: 'generate',
        done,
        total: n,
        ...(how.context ? { context: how.context } : {}),
        ...(how.warmup ? { warmup: true } : {}),
        ...(how.generation ? { generation: how.generation } : {}),
        ...(text ?? {}),
        tokPerS,
      });
    },
    hooks.aborted,
  );
  return t;
}

/** Prompt ids of exactly `length` tokens: the prompt's tokens repeated (real text, so any tokenizer's ids are valid). */
export function fillContext(promptIds: readonly number[], length: number): number[] {
  return Array.from({ length }, (_, i) => promptIds[i % promptIds.length]!);
}

/**
 * Measure a language model: a warm-up generation (timed as the first run), then generations until the
 * iteration count or time budget is reached; or, in the context-length run type, one decode at each length.
 * Fills `result.timings` and `result.generation`; throws AbortedError (after filling what it has) on abort.
 */
export async function measureLanguageModel(lm: LanguageModel, spec: RunSpec, result: RunResult, hooks: LmHooks): Promise<void> {
  const g: GenerationWorkload = { ...DEFAULT_GENERATION, ...spec.workload.generation };
  const promptIds = lm.encode(g.prompt);
  checkGeneration(g, promptIds.length, lm.maxContextTokens);
  const finishBlock = (traces: GenerationTrace[], contexts: ContextPoint[] | null): Generation =>
    generationBlock({
      promptTokens: promptIds.length,
      newTokens: g.maxNewTokens,
      traces,
      text: traces[0] ? lm.decode(traces[0].tokens) : null,
      maxContextTokens: lm.maxContextTokens,
      contexts,
    });

  // Warm-up: shaders, kernels and allocations happen here, not in the first measured generation. `warmup: 0` skips
  // it (a multi-billion-parameter model on wasm spends minutes on one prefill): the first measured generation is
  // then cold, and its time is the first run's.
  const spanOf = (t: GenerationTrace) => (t.tokenTimesMs.at(-1) ?? performance.now()) - t.startMs;
  if (spec.workload.warmup > 0) {
    const warmTokens = Math.min(4, g.maxNewTokens);
    const warm = await trace(lm, promptIds, warmTokens, hooks, { warmup: true });
    result.timings.firstRunMs = spanOf(warm);
    if (hooks.aborted()) {
      // Keep what the warm-up made (its tokens and timings, cold as they are): an abort never loses a measurement.
      result.generation = warm.tokens.length ? finishBlock([warm], null) : null;
      throw new AbortedError(
        `Aborted during the warm-up generation (${warm.tokens.length} token(s), kept as the generation figures; they include warm-up costs).`,
      );
    }
    // More short generations until their times settle (with a cap; or exactly `warmup` of them without one).
    result.timings.warmup = await warmUp(
      () => trace(lm, promptIds, warmTokens, hooks, { warmup: true }),
      result.timings.firstRunMs,
      spec.workload,
      hooks.onProgress,
      hooks.aborted,
    );
  }

  if (g.contextLengths?.length) {
    const lengths = contextLengthsFor(g.contextLengths, lm.maxContextTokens, g.maxNewTokens);
    const contexts: ContextPoint[] = [];
    for (const length of lengths) {
      markGpuPeak();
      const t = await trace(lm, fillContext(promptIds, length), g.maxNewTokens, hooks, { context: length });
      if (t.tokens.length === 0) break;
      contexts.push(
        contextPoint({
          contextTokens: length,
          trace: t,
          kvCacheBytes: lm.kvCacheBytes(length + t.tokens.length),
          wasmHeapBytes: wasmHeapBytes().bytes,
          gpuLiveBytes: spec.device === 'webgpu' ? gpuPhasePeakBytes() : null,
        }),
      );
      result.generation = finishBlock([], contexts);
      if (hooks.aborted()) throw new AbortedError(`Aborted during the context-length sweep after ${contexts.length} of ${lengths.length} lengths.`);
    }
    result.generation = finishBlock([], contexts);
    return;
  }

  const traces: GenerationTrace[] = [];
  const budget = spec.workload.timeBudgetMs ?? null;
  const started = performance.now();
  const record = () => {
    result.generation = finishBlock(traces, null);
    result.timings.samplesMs = traces.map((t) => (t.tokenTimesMs.at(-1) ?? t.startMs) - t.startMs);
    const s = asSamples(result.timings.samplesMs);
    result.timings.latency = s ? summarize(s) : null;
  };
  while (traces.length < Math.max(1, spec.workload.iterations) && (budget === null || traces.length === 0 || performance.now() - started < budget)) {
    const t = await trace(lm, promptIds, g.maxNewTokens, hooks, { generation: traces.length + 1 });
    result.timings.firstRunMs ??= spanOf(t);
    if (t.tokens.length > 0) traces.push(t);
    record();
    hooks.onProgress({ phase: 'measure', done: traces.length, total: spec.workload.iterations });
    if (hooks.aborted()) throw new AbortedError(`Aborted after ${traces.length} measured generation(s); their figures are kept.`);
  }
}
