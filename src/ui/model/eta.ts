/**
 * How long a suite should take, and how long it has left: each run estimated by its backend and its model's size,
 * and the estimate for a backend corrected by how long that backend's runs have actually taken so far. A suite of
 * wasm and WebGPU runs is not extrapolated from its wasm runs alone.
 */
import type { PlannedRun } from '../../core/plan.ts';

/** What decides how long a run takes, as far as the plan knows before it runs. */
export interface RunShape {
  device: string;
  /** The model's parameters; null when the catalog does not know (a file, a hub id): taken as 1 M. */
  params: number | null;
  iterations: number;
  warmup: number;
  /** Language models: new tokens per generation (each iteration is a generation). */
  newTokens: number | null;
  /** Stop measuring after this long; null: every iteration. */
  budgetMs: number | null;
  /** Decided without running (a level the model lacks): a few ms. */
  decided?: boolean;
}

/**
 * What a run costs before its first iteration (a fresh worker, the runtime's wasm, the session) and per parameter
 * to fetch and load; per parameter for one inference or one generated token. Rough figures from this project's runs
 * (a 1.4 M-parameter MLP: ~3 s a run on wasm; WebGPU sessions on a software adapter: tens of seconds).
 */
const START_MS: Record<string, number> = { wasm: 3_000, webgpu: 8_000, webnn: 5_000 };
const LOAD_MS_PER_PARAM = 1e-5;
const ITERATION_MS_PER_PARAM: Record<string, number> = { wasm: 2e-7, webgpu: 1e-7, webnn: 1e-7 };
const TOKEN_MS_PER_PARAM: Record<string, number> = { wasm: 5e-7, webgpu: 3e-7, webnn: 3e-7 };
const DEFAULT_PARAMS = 1e6;
const DECIDED_MS = 10;

/** The estimate for one run before any run of its backend has ended. */
export function priorRunMs(run: RunShape): number {
  if (run.decided) return DECIDED_MS;
  const params = run.params ?? DEFAULT_PARAMS;
  const start = START_MS[run.device] ?? START_MS.wasm!;
  const perIteration = run.newTokens
    ? run.newTokens * params * (TOKEN_MS_PER_PARAM[run.device] ?? TOKEN_MS_PER_PARAM.wasm!)
    : params * (ITERATION_MS_PER_PARAM[run.device] ?? ITERATION_MS_PER_PARAM.wasm!);
  const measuring = run.iterations * perIteration;
  return start + params * LOAD_MS_PER_PARAM + run.warmup * perIteration + (run.budgetMs === null ? measuring : Math.min(measuring, run.budgetMs));
}

/** A plan's runs as shapes, in the order the suite runs them. */
export function shapesOf(planned: readonly PlannedRun[]): RunShape[] {
  return planned.map((p) => {
    if (p.kind === 'decided') return { device: p.result.device, params: null, iterations: 0, warmup: 0, newTokens: null, budgetMs: null, decided: true };
    const { spec } = p;
    const generative = spec.model.task === 'text-generation';
    return {
      device: spec.device,
      params: spec.model.params ?? null,
      iterations: spec.workload.iterations,
      warmup: spec.workload.warmup,
      newTokens: generative ? (spec.workload.generation?.maxNewTokens ?? 32) : null,
      budgetMs: spec.workload.timeBudgetMs ?? null,
    };
  });
}

/** How long a whole plan should take, before it runs. */
export function estimatePlanMs(runs: readonly RunShape[]): number {
  return runs.reduce((sum, r) => sum + priorRunMs(r), 0);
}

export interface SuiteClock {
  /** Runs in the suite. */
  total: number;
  /** How long each run that has ended took, in ms (a run decided without running counts, with its few ms). */
  finishedRunsMs: readonly number[];
  /**
   * The suite's runs as shapes, in order (its first `finishedRunsMs.length` have ended). Absent or of another
   * length (a suite planned elsewhere): the mean of the ended runs times the runs left.
   */
  shapes?: readonly RunShape[];
}

/**
 * Milliseconds left. With the runs' shapes: each run still to go at its prior, times how much slower (or faster)
 * than their priors its backend's ended runs were (decided runs say nothing about a backend). Without: null until a
 * run has ended, then the mean of the ended runs times the runs left. No run in flight is credited for the time it
 * has already had: the estimate changes only when a run ends, so it does not jump about while a long run loads.
 */
export function remainingMs({ total, finishedRunsMs, shapes }: SuiteClock): number | null {
  const done = finishedRunsMs.length;
  const left = Math.max(0, total - done);
  if (left === 0) return done === 0 ? null : 0;
  if (shapes && shapes.length === total) {
    const ratios = new Map<string, number[]>();
    finishedRunsMs.forEach((ms, i) => {
      const shape = shapes[i]!;
      if (shape.decided) return;
      const list = ratios.get(shape.device) ?? [];
      list.push(ms / priorRunMs(shape));
      ratios.set(shape.device, list);
    });
    const factor = (device: string): number => {
      const list = ratios.get(device);
      return list?.length ? list.reduce((a, b) => a + b, 0) / list.length : 1;
    };
    return shapes.slice(done).reduce((sum, s) => sum + (s.decided ? DECIDED_MS : priorRunMs(s) * factor(s.device)), 0);
  }
  if (done === 0) return null;
  const mean = finishedRunsMs.reduce((a, b) => a + b, 0) / done;
  return mean * left;
}
