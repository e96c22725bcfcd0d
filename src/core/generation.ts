/**
 * Language-model figures from token timestamps: time to first token, prefill and decode rates, time per output
 * token. Pure: engines record when each token arrived, this turns traces into the record's `generation` block.
 */
import type { ContextPoint, Generation, StepBreakdown } from './schema.ts';
import type { GenerationWorkload } from './spec.ts';
import { asSamples, summarize } from './stats.ts';
import { InvalidInputError } from './vocab.ts';

/** What one step of a generation spent, in ms, as far as the engine can see (null: a part it cannot time). */
export interface StepTiming {
  runMs: number;
  feedsMs: number | null;
  samplingMs: number | null;
}

/** One generation: when it was called and when each new token arrived (performance.now() milliseconds). */
export interface GenerationTrace {
  startMs: number;
  tokenTimesMs: number[];
  tokens: number[];
  /** The step that made each token, where the engine reports it (steps[0] is the prefill). */
  steps?: (StepTiming | undefined)[];
}

/** Decode figures of one trace: the intervals between consecutive tokens (the first token is prefill's). */
export function decodeIntervals(trace: GenerationTrace): number[] {
  const t = trace.tokenTimesMs;
  return t.slice(1).map((x, i) => x - t[i]!);
}

const median = (xs: readonly number[]): number | null => {
  const s = asSamples(xs);
  return s ? summarize(s).p50Ms : null;
};

/**
 * Where decode steps spent their time: medians over every decode step (the prefill step left out, as TPOT leaves it
 * out). `outsideRunMs` is the interval between two tokens minus that step's session.run: what the loop around the
 * model costs, comparable across engines even where an engine's feeds and sampling cannot be timed apart.
 */
export function stepBreakdown(traces: readonly GenerationTrace[]): StepBreakdown | null {
  const run: number[] = [];
  const feeds: number[] = [];
  const sampling: number[] = [];
  const outside: number[] = [];
  for (const t of traces) {
    for (let i = 1; i < t.tokenTimesMs.length; i++) {
      const s = t.steps?.[i];
      if (!s) continue;
      run.push(s.runMs);
      if (s.feedsMs !== null) feeds.push(s.feedsMs);
      if (s.samplingMs !== null) sampling.push(s.samplingMs);
      outside.push(Math.max(0, t.tokenTimesMs[i]! - t.tokenTimesMs[i - 1]! - s.runMs));
    }
  }
  const n = run.length;
  if (n === 0) return null;
  // A part timed on only some steps would be a median of a different population: leave it out.
  const whole = (xs: number[]) => (xs.length === n ? median(xs) : null);
  return { n, runMs: median(run)!, feedsMs: whole(feeds), samplingMs: whole(sampling), outsideRunMs: median(outside)! };
}

/**
 * Greedy sampling: the index of the largest logit, skipping `banned` ids (strictly ascending, as `sortedIds` gives
 * them). The scan runs over the stretches between banned ids, so no logit pays a lookup.
 */
export function argmax(logits: ArrayLike<number>, banned: readonly number[] = []): number {
  let best = -1;
  let bestValue = -Infinity;
  let start = 0;
  for (let b = 0; b <= banned.length; b++) {
    const next = banned[b];
    if (next !== undefined && b > 0 && next <= banned[b - 1]!) throw new RangeError(`banned ids must be strictly ascending, got [${banned.join(', ')}]`);
    const end = next === undefined ? logits.length : Math.min(next, logits.length);
    for (let i = start; i < end; i++) {
      const v = logits[i]!;
      if (v > bestValue) {
        best = i;
        bestValue = v;
      }
    }
    start = end + 1;
  }
  if (best < 0) throw new Error('every logit is NaN, -Infinity or banned: the model produced no usable scores');
  return best;
}

/** Token ids as `argmax` takes its banned ones: unique, ascending. */
export const sortedIds = (ids: Iterable<number>): number[] => [...new Set(ids)].sort((a, b) => a - b);

/**
 * The `generation` block from the measured traces (a warm-up generation is not among them). TTFT and prefill
 * rate are medians over generations; decode rate pools every decode interval: Σ tokens after the first ÷ Σ time.
 */
export function generationBlock(args: {
  promptTokens: number;
  newTokens: number;
  traces: readonly GenerationTrace[];
  text?: string | null;
  maxContextTokens?: number | null;
  contexts?: ContextPoint[] | null;
}): Generation {
  const { promptTokens, traces } = args;
  const ttfts = traces.filter((t) => t.tokenTimesMs.length > 0).map((t) => t.tokenTimesMs[0]! - t.startMs);
  const ttftMs = median(ttfts);
  const intervals = traces.flatMap(decodeIntervals);
  const decodeMs = intervals.reduce((a, b) => a + b, 0);
  const tpotSamples = asSamples(intervals);
  return {
    promptTokens,
    newTokens: args.newTokens,
    generations: traces.length,
    ttftMs,
    prefillTokPerS: ttftMs && ttftMs > 0 && promptTokens > 0 ? (promptTokens / ttftMs) * 1000 : null,
    decodeTokPerS: decodeMs > 0 ? (intervals.length / decodeMs) * 1000 : null,
    tpot: tpotSamples ? summarize(tpotSamples) : null,
    tokens: traces[0]?.tokens ?? [],
    text: args.text ?? null,
    maxContextTokens: args.maxContextTokens ?? null,
    contexts: args.contexts ?? null,
    stepMs: stepBreakdown(traces),
  };
}

/**
 * One point of the context-length run type from one generation over a context of `contextTokens`: its first
 * token carries the prefill of the whole context; the intervals after it are decode steps at that length.
 */
export function contextPoint(args: {
  contextTokens: number;
  trace: GenerationTrace;
  kvCacheBytes: number | null;
  wasmHeapBytes: number | null;
  gpuLiveBytes: number | null;
}): ContextPoint {
  const first = args.trace.tokenTimesMs[0];
  if (first === undefined) throw new RangeError('a context point needs at least one generated token');
  const intervals = decodeIntervals(args.trace);
  const total = intervals.reduce((a, b) => a + b, 0);
  const s = asSamples(intervals);
  return {
    contextTokens: args.contextTokens,
    prefillMs: first - args.trace.startMs,
    decodeTokens: intervals.length,
    decodeTokPerS: total > 0 ? (intervals.length / total) * 1000 : null,
    tpot: s ? summarize(s) : null,
    kvCacheBytes: args.kvCacheBytes,
    wasmHeapBytes: args.wasmHeapBytes,
    gpuLiveBytes: args.gpuLiveBytes,
  };
}

/** The context lengths to measure: requested ones that leave room for the decoded tokens, plus the maximum if all are cut. */
export function contextLengthsFor(requested: readonly number[], maxContext: number | null, decodeTokens: number): number[] {
  const limit = maxContext === null ? Infinity : maxContext - decodeTokens;
  const kept = [...new Set(requested)].filter((n) => n >= 1 && n <= limit).sort((a, b) => a - b);
  if (kept.length < requested.length && Number.isFinite(limit) && limit >= 1 && !kept.includes(limit)) kept.push(limit);
  return kept;
}

/** The context a generation run reaches: the prompt (or the longest context point) plus the new tokens, within the model's. */
export function runContextTokens(g: Pick<GenerationWorkload, 'maxNewTokens' | 'contextLengths'>, promptTokens: number, maxContext: number | null): number {
  const start = g.contextLengths?.length ? Math.max(...g.contextLengths) : promptTokens;
  return Math.min(maxContext ?? Infinity, start + g.maxNewTokens);
}

/** Bytes of a KV cache: layers × (key + value) × kv heads × head dim × tokens × element size. */
export const kvCacheBytes = (c: { layers: number; kvHeads: number; headDim: number; bytesPerElement: number }, tokens: number): number =>
  c.layers * 2 * c.kvHeads * c.headDim * tokens * c.bytesPerElement;

/** Reject a generation workload a model cannot take, naming the input and what would be valid. */
export function checkGeneration(g: GenerationWorkload, promptTokens: number, maxContext: number | null): void {
  if (!Number.isInteger(g.maxNewTokens) || g.maxNewTokens < 1) {
    throw new InvalidInputError(`Max new tokens must be a whole number ≥ 1, got ${g.maxNewTokens}.`);
  }
  if (promptTokens < 1) throw new InvalidInputError('The prompt is empty after tokenization: give at least one token of text.');
  if (maxContext !== null && promptTokens + g.maxNewTokens > maxContext) {
    throw new InvalidInputError(
      `The prompt (${promptTokens} tokens) plus ${g.maxNewTokens} new tokens exceeds the model's context of ${maxContext} tokens. Shorten the prompt or ask for at most ${Math.max(0, maxContext - promptTokens)} new tokens.`,
    );
  }
}
