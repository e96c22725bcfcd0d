/**
 * Adaptive warm-up: keep running until the recent iterations settle, within a time cap. Pure: the runtime feeds it
 * each warm-up iteration's time and asks whether to go on.
 *
 * Why: a fresh worker compiles onnxruntime's wasm with V8's baseline compiler and tiers hot functions up while the
 * model runs. A fixed two warm-up runs left that in the measurement (a PP-OCR record fell from 454 ms to 111 ms
 * over its 20 "measured" samples). Counting warm-up in both time and iterations, as tinybench does, and then
 * waiting for the trend to flatten, measures the device instead of the JIT.
 */
import type { Progress, Workload } from './spec.ts';

export interface WarmupPolicy {
  /** False: exactly `minRuns` runs, as a fixed count (what a workload without a cap asks for). */
  adaptive: boolean;
  /** Warm-up runs at least (the first run, timed alone, counts as one). 0: no warm-up at all. */
  minRuns: number;
  /**
   * Warm up for at least this long (unless maxRuns comes first). V8 tiers a hot wasm function up by compiling it
   * with its optimizing compiler on a background thread, which competes with onnxruntime's threads for the cores:
   * on 2 cores, PP-OCRv4 rec ran a steady ~70 ms per run in the baseline tier for its first ~1.5 s, so two
   * windows agreed at 250 ms and the optimized code (27 ms) arrived during the timed samples (p50 spread over
   * three benches 34 %; with 2 s here, 11 %).
   */
  minMs: number;
  /** Never warm up longer than this (or more than maxRuns runs): a run that never settles is measured anyway. */
  capMs: number;
  maxRuns: number;
  /** Runs in each of the two windows compared. */
  window: number;
  /** Settled: the last window's median is within this fraction of the window before it. */
  tolerance: number;
}

/** The defaults of the CLI and the app: 2 s at least (or 500 runs), 3 s at most, five-run windows that agree within 5 %. */
export const DEFAULT_WARMUP_POLICY: Readonly<WarmupPolicy> = Object.freeze({
  adaptive: true,
  minRuns: 2,
  minMs: 2_000,
  capMs: 3_000,
  maxRuns: 500,
  window: 5,
  tolerance: 0.05,
});

/** Why the warm-up stopped: it settled, ran into its cap, or was a fixed count (no adaptive policy). */
export type WarmupStop = 'settled' | 'time cap' | 'run cap' | 'fixed';

export interface WarmupOutcome {
  runs: number;
  ms: number;
  stop: WarmupStop;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * Whether two windows of the most recent times agree: the later one's median is not more than `tolerance` below
 * (still speeding up) or above the earlier one's. Needs 2 × window times.
 */
export function settled(times: readonly number[], window: number, tolerance: number): boolean {
  if (window < 1 || times.length < 2 * window) return false;
  const recent = median(times.slice(-window));
  const before = median(times.slice(-2 * window, -window));
  if (before === 0) return recent === 0;
  return Math.abs(recent - before) / before <= tolerance;
}

/**
 * Go on warming up? `times` are the warm-up runs so far (the first run included), `elapsedMs` their total.
 * Returns null to go on, or why to stop.
 */
export function warmupStop(times: readonly number[], elapsedMs: number, policy: WarmupPolicy): WarmupStop | null {
  if (times.length < policy.minRuns) return null;
  // `--warmup 0` means none: the first run (timed alone) is all the model gets before measuring.
  if (!policy.adaptive || policy.minRuns === 0) return 'fixed';
  if (times.length >= policy.maxRuns) return 'run cap';
  if (elapsedMs >= policy.capMs) return 'time cap';
  if (elapsedMs < policy.minMs) return null;
  return settled(times, policy.window, policy.tolerance) ? 'settled' : null;
}

/** The policy for a workload: adaptive when it names a cap, else exactly `warmup` runs (the old fixed count). */
export function warmupPolicy(warmup: number, capMs: number | null | undefined): WarmupPolicy {
  return capMs == null ? { ...DEFAULT_WARMUP_POLICY, adaptive: false, minRuns: warmup } : { ...DEFAULT_WARMUP_POLICY, minRuns: warmup, capMs };
}

/**
 * Warm up after the first run: at least `workload.warmup` runs in all, then (with a cap) until the recent runs
 * settle. Every warm-up run is timed (performance.now, in the worker), since the rule reads the times; none of them is a sample.
 */
export async function warmUp(
  run: () => Promise<unknown>,
  firstRunMs: number,
  workload: Pick<Workload, 'warmup' | 'warmupCapMs'>,
  onProgress: (p: Progress) => void,
  aborted: () => boolean = () => false,
): Promise<WarmupOutcome> {
  const policy = warmupPolicy(workload.warmup, workload.warmupCapMs);
  const times = [firstRunMs];
  let elapsed = firstRunMs;
  let stop: WarmupStop | null;
  while ((stop = warmupStop(times, elapsed, policy)) === null && !aborted()) {
    onProgress(
      policy.adaptive
        ? { phase: 'warmup', done: times.length, total: null, elapsedMs: elapsed, capMs: policy.capMs }
        : { phase: 'warmup', done: times.length, total: policy.minRuns },
    );
    const t = performance.now();
    await run();
    const dt = performance.now() - t;
    times.push(dt);
    elapsed += dt;
  }
  return { runs: times.length, ms: elapsed, stop: stop ?? 'fixed' };
}
