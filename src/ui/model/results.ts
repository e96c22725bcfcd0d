/** What the Results panel leads with: the last suite of the log (after a reload), and the one figure to show first. */
import type { RunResult } from '../../core/schema.ts';

/** The runs of the suite that started last (a record without a suite id is a suite of its own), in log order. */
export function lastSuite(records: readonly RunResult[]): RunResult[] {
  if (records.length === 0) return [];
  const latest = records.reduce((a, b) => (b.startedAt >= a.startedAt ? b : a));
  return latest.suiteId === null ? [latest] : records.filter((r) => r.suiteId === latest.suiteId);
}

export interface Headline {
  /** The run the figure comes from. */
  result: RunResult;
  /** Latency (p50) for a single inference, decode tokens/s for a language model. */
  kind: 'p50' | 'decode';
  value: number;
  /** Runs in the suite, and how many of them completed. */
  runs: number;
  completed: number;
}

/**
 * The figure that answers "how fast": the fastest completed run (lowest p50, or for language models the highest
 * decode speed, which wins when the suite has both). Null when no run completed.
 */
export function headlineOf(results: readonly RunResult[]): Headline | null {
  const completed = results.filter((r) => r.state === 'completed');
  const counts = { runs: results.length, completed: completed.length };
  const decoders = completed.filter((r) => (r.generation?.decodeTokPerS ?? 0) > 0);
  if (decoders.length) {
    const best = decoders.reduce((a, b) => (b.generation!.decodeTokPerS! > a.generation!.decodeTokPerS! ? b : a));
    return { result: best, kind: 'decode', value: best.generation!.decodeTokPerS!, ...counts };
  }
  const timed = completed.filter((r) => r.timings.latency?.p50Ms != null);
  if (!timed.length) return null;
  const best = timed.reduce((a, b) => (b.timings.latency!.p50Ms < a.timings.latency!.p50Ms ? b : a));
  return { result: best, kind: 'p50', value: best.timings.latency!.p50Ms, ...counts };
}

/** Runs that ended aborted but kept figures (the iterations measured before the abort). */
export const keptFigures = (results: readonly RunResult[]): RunResult[] =>
  results.filter((r) => r.state === 'aborted' && (r.timings.latency !== null || (r.generation?.decodeTokPerS ?? null) !== null));
