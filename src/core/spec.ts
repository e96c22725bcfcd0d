/** What to run: a model, an engine, a device and a workload. Plain data that crosses the worker boundary. */
import type { Device, Dtype, Engine, ModelSource } from './vocab.ts';

/** Override for one model input: its shape (all dims concrete) and/or a constant fill value. */
export interface InputOverride {
  shape?: number[];
  /** Every element set to this value; without it, inputs get seeded pseudo-random values. */
  fill?: number;
}

export interface ModelRef {
  /** Catalog id, file path or URL: what the user named. */
  id: string;
  source: ModelSource;
  /** Where the worker fetches the ONNX bytes (same origin, or CORS-enabled). */
  url: string;
  dtype: Dtype;
  task: string;
  params?: number | null;
  /** Input shapes and fills the catalog knows to be right for this model. */
  inputs?: Record<string, InputOverride>;
  /** Set when this level could not be made (e.g. the quantizer found nothing to quantize): runs end unsupported. */
  unavailable?: string;
}

export interface Workload {
  /** Timed iterations after warm-up (an upper bound when a time budget is set). */
  iterations: number;
  warmup: number;
  /** Stop iterating once this much time has been spent measuring (at least one iteration runs). */
  timeBudgetMs?: number | null;
  /** WASM threads; default: all cores when cross-origin isolated, else 1. */
  numThreads?: number | null;
  /** Overrides on top of the model's own, by input name. */
  inputs?: Record<string, InputOverride>;
  /** Keep the first iteration's outputs in the result (tests and fidelity; can be large). */
  captureOutputs?: boolean;
}

export interface RunSpec {
  id: string;
  suiteId?: string | null;
  model: ModelRef;
  engine: Engine;
  device: Device;
  workload: Workload;
}

/** What the worker reports while it works; `fraction` is 0..1 of the current phase where known. */
export type Progress =
  | { phase: 'fetch'; loadedBytes: number; totalBytes: number | null }
  | { phase: 'session' }
  | { phase: 'warmup'; done: number; total: number }
  | { phase: 'measure'; done: number; total: number };

/**
 * Defaults: 20 timed iterations after 2 warm-up runs (the first run, timed alone, counts as one), capped at
 * 10 s of measuring so that a slow backend (WebGPU on SwiftShader takes seconds per run) still finishes.
 */
export const DEFAULT_WORKLOAD: Readonly<Workload> = Object.freeze({ iterations: 20, warmup: 2, timeBudgetMs: 10_000 });
