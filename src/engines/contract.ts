/** The one typed boundary between page and worker: the client wraps it with comlink, the worker exposes it. */
import type { Capabilities } from '../core/capabilities.ts';
import type { OpProfile, RunResult } from '../core/schema.ts';
import type { InputOverride, ModelRef, Progress, RunSpec } from '../core/spec.ts';
import type { Dtype } from '../core/vocab.ts';
import type { ModelStats } from '../core/flops.ts';
import type { FlopsEstimate, ModelInspection } from '../onnx/inspect.ts';
import type { QuantizeReport } from '../onnx/quantize.ts';

export interface InspectResult {
  model: ModelRef;
  bytes: number;
  inspection: ModelInspection;
  /** FLOPs at `inputs`, from shapes probed by running the model once; null with a reason when that failed. */
  flops: FlopsEstimate | null;
  flopsError: string | null;
  inputs: { name: string; dims: number[] }[];
}

export type { ModelStats } from '../core/flops.ts';

/** A replica built (or found in the cache) without running it: what building costs, for bench/replica-build.ts. */
export interface ReplicaBuild {
  model: ModelRef;
  params: number;
  weightBytes: number;
  graphBytes: number;
  dataBytes: number;
  buildMs: number;
  cache: 'opfs' | 'memory';
  cached: boolean;
  note: string | null;
}

export interface Variant {
  level: Dtype;
  bytes: Uint8Array;
  report: QuantizeReport;
}

/** onnxruntime's wasm as the page compiled it (src/client/wasm-modules.ts), and the URL it came from. */
export interface CompiledWasm {
  module: WebAssembly.Module;
  url: string;
  /** The page's fetch and compile of it, once per page. */
  compileMs: number;
  /** A Web Lock every onnxruntime thread worker holds (shared) until it is gone: the page waits on it (src/client/thread-workers.ts). */
  threadsLock?: string;
}

export interface RunnerApi {
  /** What this device offers (WebGPU adapter, WASM SIMD/threads, isolation), probed inside the worker. */
  capabilities(): Promise<Capabilities>;
  /**
   * Load, warm up, measure and dispose, in that order; always resolves to a result (a failure is a result
   * with a reason). Timing happens here, inside the worker. The worker is terminated afterwards.
   */
  execute(spec: RunSpec, onProgress: (p: Progress) => void, abortFlag?: Int32Array | null, wasm?: CompiledWasm | null): Promise<RunResult>;
  /**
   * A task pipeline (`spec.task`: OCR, VAD) on its input: every stage's session loaded, `workload.iterations` timed
   * passes end to end, the output and per-stage timings in `result.pipeline`. Always resolves to a result; bad input
   * is an errored one whose reason names the input and what was expected.
   */
  executeTask(spec: RunSpec, onProgress: (p: Progress) => void, abortFlag?: Int32Array | null, wasm?: CompiledWasm | null): Promise<RunResult>;
  /**
   * After `execute` (and after the page has measured memory), in the same worker: one more iteration with
   * onnxruntime's profiler, on a second session, so that no measured figure includes profiling. ORT engine only;
   * anything else (or a failure) is a null profile with the reason. A model whose measured p50 was under a second
   * gets the median of three profiled runs (a single run on a busy machine can stall anywhere).
   */
  profile(spec: RunSpec, measuredP50Ms: number | null): Promise<{ profile: OpProfile | null; reason: string | null }>;
  /**
   * Ask the run in progress to stop at its next token or iteration; it resolves `aborted` with what it measured.
   * A message only arrives when the worker's loop yields to its event loop, which a wasm decode loop may not do:
   * `execute`'s `abortFlag` (shared memory, set to 1 by the page) is read synchronously instead, where available.
   */
  abort(): Promise<void>;
  /**
   * A bare `session.run` loop on the same model and inputs, with no harness around it: the reference the
   * runner's own overhead is measured against (bench/runner-overhead.ts).
   */
  bareLoop(spec: RunSpec, iterations: number): Promise<number[]>;
  /**
   * Load a model and keep its session for `timeRuns` (the thread calibration: one worker per count, since
   * onnxruntime's thread count is global to its wasm module). Resolves to the threads it runs with.
   */
  openTiming(spec: RunSpec, wasm?: CompiledWasm | null): Promise<{ threads: number }>;
  /** Time `runs` runs of the session `openTiming` opened, back to back (ms each). */
  timeRuns(runs: number): Promise<number[]>;
  /** Parse and inspect a model; FLOPs at its (overridden) input shapes. */
  inspect(model: ModelRef): Promise<InspectResult>;
  /**
   * Parameters and FLOPs of a model at the given inputs (a decoder: its per-step cost), for a run's record; run in
   * a fresh worker after the run's own is gone, on one thread, so it disturbs nothing the run measured.
   */
  modelStats(model: ModelRef, inputs: Record<string, InputOverride>): Promise<ModelStats>;
  /** Build a replica's files into the cache (or find them there) without loading them. */
  buildReplica(model: ModelRef, onProgress: (written: number, total: number) => void): Promise<ReplicaBuild>;
  /** Empty the replica cache (OPFS); returns how many files were removed. */
  clearReplicaCache(): Promise<number>;
  /** Make the given levels of an fp32 model with the quantizer (bytes are transferred, not copied). */
  quantize(model: ModelRef, levels: Dtype[], onProgress: (done: number, total: number, level: Dtype) => void): Promise<Variant[]>;
}
