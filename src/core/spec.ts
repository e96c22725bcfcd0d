/** What to run: a model, an engine, a device and a workload. Plain data that crosses the worker boundary. */
import type { ThreadChoice } from './threads.ts';
import type { Device, Dtype, Engine, ModelSource, OrtBuild, TaskKind } from './vocab.ts';

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
  /** A model in the Hugging Face layout (config.json, tokenizer.json, onnx/model{suffix}.onnx); LMs and the transformers engine need it. */
  repo?: ModelRepo;
  /** A replica (source "replica"): built in the worker from this architecture config, with synthetic weights. */
  replica?: ReplicaRef;
}

/** What a replica is built from: the family of builder and the architecture config (Hugging Face or torchvision fields). */
export interface ReplicaRef {
  kind: 'decoder' | 'encoder' | 'vision';
  config: Record<string, unknown>;
  /** GGUF replicas: the most bytes one GGUF file may hold (default wllama's per-file limit); past it the replica is split. Tests set it small. */
  ggufFileBytes?: number;
}

/**
 * Where a Hugging Face-layout model's files are: `{host}/{id}/{file}` for files the app serves (`local`, host
 * is the app's root), `{host}/{id}/resolve/main/{file}` on a hub (the Hugging Face Hub or a mirror of it).
 */
export interface ModelRepo {
  id: string;
  host: string;
  layout: 'local' | 'hub';
}

/** What a language-model run generates. */
export interface GenerationWorkload {
  prompt: string;
  /** New tokens per generation; generation does not stop early at end-of-sequence, so runs compare. */
  maxNewTokens: number;
  /**
   * The context-length run type: instead of generating after the prompt, fill the context to each of these
   * lengths and measure decode speed and memory there (capped by the model's maximum).
   */
  contextLengths?: number[] | null;
}

export const DEFAULT_GENERATION: Readonly<GenerationWorkload> = Object.freeze({
  prompt: 'Small models run on the device in your hand. Measure how fast they answer',
  maxNewTokens: 32,
  contextLengths: null,
});

/** Context lengths of the context-length run type when none are given (capped by each model's maximum). */
export const DEFAULT_CONTEXT_LENGTHS: readonly number[] = Object.freeze([128, 512, 2048, 4096]);

export interface Workload {
  /** Timed iterations after warm-up (an upper bound when a time budget is set). */
  iterations: number;
  /** Warm-up runs at least (the first run, timed alone, counts as one); 0: none. */
  warmup: number;
  /**
   * Adaptive warm-up: after `warmup` runs, go on until the recent runs settle, for at most this long
   * (src/core/warmup.ts). Null or absent: exactly `warmup` runs.
   */
  warmupCapMs?: number | null;
  /** Stop iterating once this much time has been spent measuring (at least one iteration runs). */
  timeBudgetMs?: number | null;
  /** onnxruntime-web build to load; null or absent: the device's fastest (ortBuildFor). For setup comparisons. */
  ortBuild?: OrtBuild | null;
  /**
   * WASM threads; null: `auto`, which the page resolves to a calibrated count (src/client/thread-calibration.ts)
   * before the run; `sweep`: the page runs the model at every count (a worker given `sweep` ends unsupported).
   */
  numThreads?: number | 'sweep' | null;
  /** The page's choice of threads and its reason, recorded as the result's env.threads. */
  threadChoice?: ThreadChoice | null;
  /** Overrides on top of the model's own, by input name. */
  inputs?: Record<string, InputOverride>;
  /** Keep the first iteration's outputs in the result (tests and fidelity; can be large). */
  captureOutputs?: boolean;
  /** Language models: what to generate (defaults: DEFAULT_GENERATION). */
  generation?: GenerationWorkload;
  /** After the measured iterations, one more with onnxruntime's profiler (ORT engine only): `result.profile`. */
  profile?: boolean;
}

/** One stage of a task pipeline: its name (det, cls, rec; vad) and the model at the level it runs at. */
export interface TaskStage {
  name: string;
  model: ModelRef;
  /** Why this stage runs at another level than the run's (the model does not ship it), for the record. */
  note?: string;
}

/**
 * A task run's input and pipeline (issue 17): the spec's model is the pipeline (`ocr:ppocr-v4`), its stages the
 * models it chains; the input is the file's bytes, decoded in the worker.
 */
export interface TaskInput {
  kind: TaskKind;
  stages: TaskStage[];
  input: { name: string; bytes: Uint8Array };
  /** Extra files a pipeline needs by name (OCR: `keys`, the recognizer's character list), as URLs. */
  assets?: Record<string, string>;
  /** OCR: the text the image holds (lines joined by newlines), for CER. */
  expectedText?: string;
  /** VAD: the speech segments the clip holds, for segment F1. */
  expectedSegments?: { startMs: number; endMs: number }[];
}

export interface RunSpec {
  id: string;
  /** A task pipeline run instead of a single model's (contract: `executeTask`). */
  task?: TaskInput;
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
  /** `total` null: adaptive warm-up, which goes on until steady (`elapsedMs` of at most `capMs`). */
  | { phase: 'warmup'; done: number; total: number | null; elapsedMs?: number; capMs?: number }
  | { phase: 'measure'; done: number; total: number }
  /**
   * Tokens generated in the current generation (`context` is set in the context-length run type; `warmup` in a warm-up
   * generation). `text`: the text this generation added since its last event that carried some (a delta), or with
   * `textReset` (its first) the whole of it so far; sent at most every 100 ms and at a measured generation's last
   * token (engines/lm.ts). `tokPerS`: decode tokens/s so far in this generation.
   */
  | {
      phase: 'generate';
      done: number;
      total: number;
      context?: number;
      warmup?: boolean;
      /** Which measured generation this is (1, 2, …); absent in warm-up and context-length generations. */
      generation?: number;
      text?: string;
      textReset?: boolean;
      tokPerS?: number | null;
    }
  /** Downloads by file (transformers.js and hub models fetch several files). */
  | { phase: 'download'; file: string; loadedBytes: number; totalBytes: number | null }
  /** A replica's weights being written (or found cached: written = total at once). */
  | { phase: 'build'; writtenBytes: number; totalBytes: number }
  /** Everything is measured; the extra profiled iteration is under way (OS memory samplers stop here). */
  | { phase: 'profile' };

/**
 * Defaults: 20 timed iterations after at least 2 warm-up runs (the first run, timed alone, counts as one) and then
 * until steady for up to 3 s, capped at 10 s of measuring so that a slow backend (WebGPU on SwiftShader takes
 * seconds per run) still finishes.
 */
export const DEFAULT_WORKLOAD: Readonly<Workload> = Object.freeze({ iterations: 20, warmup: 2, warmupCapMs: 3_000, timeBudgetMs: 10_000 });
