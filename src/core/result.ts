/** Building result records: every run ends as one, whatever happened to it. */
import type { CompletedRun, IncompleteRun, OutputRecord, RunResult } from './schema.ts';
import { classifyError, ERROR_CLASSES, type ErrorClass, type ErrorInfo } from './error-class.ts';
import type { RunSpec } from './spec.ts';
import { RESULT_SCHEMA, type IncompleteState, type RunState } from './vocab.ts';

export type { ErrorInfo } from './error-class.ts';

/** Errors cross the worker boundary as `{name, message}` (and `class`, `raw`): branch on `name`, never `instanceof`. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err && typeof err === 'object' && 'message' in err) {
    const name = 'name' in err && typeof err.name === 'string' ? err.name : 'Error';
    const info: ErrorInfo = { name, message: String(err.message) };
    if ('class' in err && (ERROR_CLASSES as readonly unknown[]).includes(err.class)) info.class = err.class as ErrorClass;
    if ('raw' in err && typeof err.raw === 'string') info.raw = err.raw;
    return info;
  }
  if (typeof err === 'number') {
    // onnxruntime-web's wasm layer throws a bare pointer when an allocation fails: classifyMemoryError names it.
    return { name: 'RuntimeError', message: `onnxruntime-web threw a raw number (${err})` };
  }
  return { name: 'Error', message: String(err) };
}

/**
 * A record being built: engines fill in its fields as they learn them. It starts as an errored record whose reason
 * says it was never finished (one that escaped before `finish` would read as a failed run); `finish` gives it its
 * final state and reason.
 */
export type RunDraft = IncompleteRun;

/** A record with nothing measured yet; engines fill in what they learn, then `finish` closes it. */
export function emptyResult(spec: RunSpec, startedAt: Date = new Date()): RunDraft {
  return {
    schema: RESULT_SCHEMA,
    id: spec.id,
    suiteId: spec.suiteId ?? null,
    startedAt: startedAt.toISOString(),
    finishedAt: null,
    state: 'errored',
    model: {
      id: spec.model.id,
      source: spec.model.source,
      url: spec.model.url,
      dtype: spec.model.dtype,
      bytes: null,
      params: spec.model.params ?? null,
      flops: null,
      flopsBasis: null,
      weightBytesPerToken: null,
    },
    engine: spec.engine,
    task: spec.model.task,
    device: spec.device,
    workload: {
      iterations: spec.workload.iterations,
      warmup: spec.workload.warmup,
      warmupCapMs: spec.workload.warmupCapMs ?? null,
      timeBudgetMs: spec.workload.timeBudgetMs ?? null,
      inputs: [],
    },
    timings: { loadMs: null, fetchMs: null, buildMs: null, sessionMs: null, firstRunMs: null, warmup: null, latency: null, samplesMs: [] },
    generation: null,
    memory: {
      modelBytes: null,
      wasmHeapPeakBytes: null,
      gpuBufferPeakBytes: null,
      uaMemoryBytes: null,
      osPeakRssBytes: null,
      unknown: {},
      phases: null,
      predicted: null,
      engineBuffers: null,
      os: null,
    },
    fidelity: null,
    replica: null,
    utilisation: null,
    utilisationReason: null,
    profile: null,
    profileReason: null,
    env: null,
    remote: null,
    outputs: null,
    error: { name: 'UnfinishedError', message: 'The run stopped before its record was finished.' },
  };
}

/** Close a record in a final state; a non-completed state needs its reason (a completed one drops any). */
export function finish(result: RunResult, state: 'completed', error?: null, at?: Date): CompletedRun;
export function finish(result: RunResult, state: IncompleteState, error: ErrorInfo, at?: Date): IncompleteRun;
export function finish(result: RunResult, state: RunState, error?: ErrorInfo | null, at?: Date): RunResult;
export function finish(result: RunResult, state: RunState, error: ErrorInfo | null = null, at: Date = new Date()): RunResult {
  const finishedAt = at.toISOString();
  if (state === 'completed') return { ...result, state, error: null, finishedAt };
  if (!error) throw new Error(`a ${state} result needs an error with its reason`);
  return { ...result, state, error: withClass(error, state, result.device), finishedAt };
}

/** An error's class: the one it was recorded with, else what its state says (aborted, unsupported), else its text. */
export function errorClass(error: ErrorInfo, state: RunState, device: string): ErrorClass {
  if (error.class) return error.class;
  return state === 'aborted' ? 'aborted' : state === 'unsupported' ? 'unsupported' : classifyError(error, { device });
}

/** The error with its class (see errorClass). */
const withClass = (error: ErrorInfo, state: IncompleteState, device: string): ErrorInfo =>
  error.class ? error : { ...error, class: errorClass(error, state, device) };

/** Values kept per output when a run captures its outputs. */
export const OUTPUT_VALUE_CAP = 65536;

/** An output tensor as the record keeps it: numbers in row-major order, capped at OUTPUT_VALUE_CAP. */
export function outputRecord(name: string, type: string, dims: readonly number[], data: ArrayLike<number | bigint | boolean>): OutputRecord {
  const n = Math.min(data.length, OUTPUT_VALUE_CAP);
  const values: number[] = new Array(n);
  for (let i = 0; i < n; i++) values[i] = Number(data[i]);
  return { name, type, dims: [...dims], values, truncated: data.length > n };
}
