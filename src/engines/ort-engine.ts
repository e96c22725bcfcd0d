/**
 * onnxruntime-web under the ORT engine (ort.ts), the inspector and the thread calibration: its build and env, any
 * ONNX model's session with synthesized inputs, the profiler (the decoder's greedy loop, in ort-decoder.ts, reaches
 * onnxruntime through here). The only importer of onnxruntime-web's code (ort-assets.ts imports its wasm files' URLs).
 */
import type * as Ort from 'onnxruntime-web';
import { resolveInputs, synthesize, type InputMeta, type ResolvedInput } from '../core/inputs.ts';
import { classifyError, heapExhausted, type ErrorClass } from '../core/error-class.ts';
import { WASM_HEAP_LIMIT_BYTES } from '../core/fit.ts';
import { outputRecord } from '../core/result.ts';
import type { OutputRecord } from '../core/schema.ts';
import type { InputOverride, RunSpec } from '../core/spec.ts';
import { ortBuildFor, type Device, type OrtBuild } from '../core/vocab.ts';
import { wasmHeapBytes } from './memory-probes.ts';
import { setUpOrtWasm } from './ort-assets.ts';

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

export class InferenceError extends Error {
  override name = 'InferenceError';
}

export interface LoadedOrtModel {
  inputs: ResolvedInput[];
  sessionMs: number;
  /** One inference on the prepared feeds; returns outputs only when asked (reading them back costs). */
  run(capture: boolean): Promise<OutputRecord[] | null>;
  /** A bare session.run on the same feeds, for the overhead reference. */
  bareRun(): Promise<unknown>;
  dispose(): Promise<void>;
}

/** Weights kept outside the model file (ONNX external data): the file name the graph names, and its bytes or URL. */
export type ExternalData = { path: string; data: string | Uint8Array }[];

type OrtModule = typeof Ort;

/**
 * The onnxruntime-web entry of the build in use, set by `configureOrt`. A worker runs one task, so it loads one
 * build: the plain CPU build for wasm, the asyncify build (WebGPU, WebNN) for the others. Both entries have the
 * same API; only their wasm differs.
 */
let ort: OrtModule | null = null;

export function runtime(): OrtModule {
  if (!ort) throw new Error('onnxruntime-web is not configured: call configureOrt(device, threads) first.');
  return ort;
}

/** Load the build `device` needs (or the one asked for) and set its threads; returns the build, for the record. */
export async function configureOrt(device: Device, threads: number, requested?: OrtBuild | null): Promise<OrtBuild> {
  const build = requested ?? ortBuildFor(device);
  // NOTE: a dynamic import per build keeps the other entries (and their 14–28 MB wasm) out of the worker entirely.
  const loaded = (build === 'plain'
    ? await import('onnxruntime-web/wasm')
    : build === 'asyncify'
      ? await import('onnxruntime-web/webgpu')
      : await import('onnxruntime-web')) as unknown as OrtModule;
  if (ort && ort !== loaded)
    throw new Error(`onnxruntime-web is already loaded with another build in this worker; a worker runs one task (asked for ${build}).`);
  ort = loaded;
  setUpOrtWasm(loaded.env.wasm, build, threads);
  loaded.env.logLevel = 'error';
  return build;
}

/** Lines emscripten's stdout printed while `captured` is set (onnxruntime's profiler output). */
let captured: string[] | null = null;
let stdoutHooked = false;

/**
 * On WebAssembly onnxruntime's profiler writes its JSON to stdout (`std::cout`), which emscripten prints with the
 * `console.log` it bound when the module started: wrap `console.log` before the first session so that the profile
 * can be read back. Outside a capture it prints as before. Idempotent.
 */
export function installOrtStdoutCapture(): void {
  if (stdoutHooked) return;
  stdoutHooked = true;
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (captured) captured.push(args.map(String).join(' '));
    else log.apply(console, args);
  };
}

/** End a profiling session's profile and return what onnxruntime printed (the trace events' JSON, a line at a time). */
export function endProfilingText(session: Ort.InferenceSession): string {
  if (!stdoutHooked) throw new Error("onnxruntime's stdout is not captured (installOrtStdoutCapture was not called before the first session)");
  const lines: string[] = [];
  captured = lines;
  try {
    // Synchronous on this thread (no proxy worker): the profile is printed before endProfiling returns.
    session.endProfiling();
  } finally {
    captured = null;
  }
  return lines.join('\n');
}

function executionProvider(device: Device): Ort.InferenceSession.ExecutionProviderConfig {
  return device === 'webnn' ? { name: 'webnn', deviceType: 'cpu' } : device;
}

function toMeta(meta: Ort.InferenceSession.ValueMetadata): InputMeta {
  if (!meta.isTensor) return { name: meta.name, type: 'non-tensor', shape: null };
  return { name: meta.name, type: meta.type, shape: meta.shape };
}

/** An error's message without its trailing full stops, to quote inside a sentence of ours. */
export const detailOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).replace(/\.+$/, '');

/** Concrete inputs for a session (metadata + overrides) and seeded values for each, as ORT tensors. */
function synthesizedFeeds(session: Ort.InferenceSession, overrides: Record<string, InputOverride>) {
  const inputs = resolveInputs(session.inputMetadata.map(toMeta), overrides);
  const feeds: Record<string, Ort.Tensor> = {};
  inputs.forEach((input, i) => {
    feeds[input.name] = new (runtime().Tensor)(input.type as Ort.Tensor.Type, synthesize(input, i + 1) as Ort.Tensor.DataType, input.dims);
  });
  return { inputs, feeds };
}

/** A session on the spec's backend; a model onnxruntime cannot load is a ModelLoadError naming it. */
export async function createSession(
  spec: RunSpec,
  bytes: Uint8Array,
  extra: Ort.InferenceSession.SessionOptions = {},
  externalData?: ExternalData,
): Promise<Ort.InferenceSession> {
  try {
    return await runtime().InferenceSession.create(bytes, {
      executionProviders: [executionProvider(spec.device)],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // Weight-only DequantizeLinear (q4dq, q8 Conv weights) is folded to fp32 once at load; without this
      // onnxruntime keeps it in the graph for QDQ fusion and dequantizes on every run.
      extra: { session: { disable_quant_qdq: '1' } },
      ...(externalData ? { externalData } : {}),
      ...extra,
    });
  } catch (err) {
    throw sessionError(spec, bytes.byteLength + externalBytes(externalData), externalData !== undefined, err);
  }
}

/** Bytes of external data held in memory (a URL's are not known here). */
const externalBytes = (data?: ExternalData): number => (data ?? []).reduce((n, d) => n + (typeof d.data === 'string' ? 0 : d.data.byteLength), 0);

/** An error whose runtime text is kept beside our message (`raw`), and its class where we know it better. */
class ClassifiedError extends Error {
  readonly class: ErrorClass;
  constructor(
    message: string,
    readonly raw: string,
    cls: ErrorClass,
  ) {
    super(message);
    this.class = cls;
  }
}

export class OutOfMemoryError extends ClassifiedError {
  override name = 'OutOfMemoryError';
}

/**
 * Why creating a session failed, said as what happened: onnxruntime-web reports a failed allocation inside the
 * model's parse as a parse error, so the heap in use is held against its limit first; then the runtime's text.
 */
export function sessionError(spec: RunSpec, modelBytes: number, external: boolean, err: unknown): Error {
  const raw = err instanceof Error ? err.message : typeof err === 'number' ? `onnxruntime-web threw a raw number (${err})` : String(err);
  const heap = wasmHeapBytes().bytes;
  const cls = classifyError({ name: 'ModelLoadError', message: raw }, { device: spec.device });
  const what = `model "${spec.model.id}" (${formatBytes(modelBytes)}${external ? ' with external data' : ''}) on ${spec.device}`;
  const exhausted = heapExhausted({ heapBytes: heap, limitBytes: WASM_HEAP_LIMIT_BYTES, modelBytes });
  if (cls === 'out-of-memory' || exhausted) {
    const inUse = heap === null ? 'the heap in use is unknown' : `heap ${formatBytes(heap)} of ${formatBytes(WASM_HEAP_LIMIT_BYTES)} in use`;
    // A heap far from full that still failed was asked for one block past what it can address (a tensor over 4 GiB).
    const what_ = exhausted || heap === null ? inUse : `one allocation larger than the heap can hold (${inUse})`;
    return new OutOfMemoryError(
      `Out of memory at session creation for ${what}: ${what_}. onnxruntime-web's WASM heap is 4 GiB at most; try a smaller level (q4dq, q8) or WebGPU.`,
      raw,
      'out-of-memory',
    );
  }
  const hint =
    cls === 'unsupported-op'
      ? ' This build of onnxruntime-web lacks an operator, domain or opset the model uses.'
      : cls === 'bad-model'
        ? ' Expected a complete ONNX model file.'
        : '';
  return Object.assign(new ModelLoadError(`onnxruntime-web could not load ${what}: ${detailOf(err)}.${hint}`), { raw, class: cls });
}

const formatBytes = (n: number): string =>
  n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${n} bytes`;

export async function loadOrtModel(
  spec: RunSpec,
  bytes: Uint8Array,
  overrides: Record<string, InputOverride>,
  externalData?: ExternalData,
): Promise<LoadedOrtModel> {
  const t0 = performance.now();
  const session = await createSession(spec, bytes, {}, externalData);
  const sessionMs = performance.now() - t0;
  const { inputs, feeds } = synthesizedFeeds(session, overrides);
  return {
    inputs,
    sessionMs,
    async run(capture) {
      let out: Ort.InferenceSession.ReturnType;
      try {
        out = await session.run(feeds);
      } catch (err) {
        const shapes = inputs.map((i) => `${i.name}[${i.dims.join(',')}]`).join(', ');
        throw Object.assign(
          new InferenceError(
            `Inference failed for model "${spec.model.id}" on ${spec.device} with inputs ${shapes}: ${detailOf(err)}. If an input shape is wrong for this model, set it (CLI: --input NAME=1,3,224,224).`,
          ),
          { raw: err instanceof Error ? err.message : String(err) },
        );
      }
      const records = capture
        ? Object.entries(out).map(([name, t]) => outputRecord(name, t.type, t.dims, t.data as ArrayLike<number | bigint | boolean>))
        : null;
      for (const t of Object.values(out)) t.dispose();
      return records;
    },
    bareRun: () => session.run(feeds),
    async dispose() {
      await session.release();
    },
  };
}

/** What a profiling session printed, and how many of its session.run calls came before the profiled iteration. */
export interface OrtProfileText {
  text: string;
  skipRuns: number;
}

/**
 * One inference profiled, on a second session created with onnxruntime's profiler on (the measured session is gone
 * by then): `warmupRuns` runs to warm it up, then `profiledRuns` profiled ones; the caller reads those (`skipRuns`).
 */
export async function profileOrtModel(
  spec: RunSpec,
  bytes: Uint8Array,
  overrides: Record<string, InputOverride>,
  externalData?: ExternalData,
  warmupRuns = 1,
  profiledRuns = 1,
): Promise<OrtProfileText> {
  const session = await createSession(spec, bytes, { enableProfiling: true }, externalData);
  try {
    const { feeds } = synthesizedFeeds(session, overrides);
    for (let i = 0; i < warmupRuns + profiledRuns; i++) {
      const out = await session.run(feeds);
      for (const t of Object.values(out)) t.dispose();
    }
    return { text: endProfilingText(session), skipRuns: warmupRuns };
  } finally {
    await session.release();
  }
}

/** Run a model once (on wasm) and return the dims of every output it produced, by name. */
export async function probeOutputShapes(
  bytes: Uint8Array,
  overrides: Record<string, InputOverride>,
): Promise<{ shapes: Map<string, number[]>; inputs: ResolvedInput[] }> {
  // Unoptimized: constant folding turns some exposed values (a Range of constants) into ones ORT cannot hand out.
  const session = await runtime().InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  try {
    const { inputs, feeds } = synthesizedFeeds(session, overrides);
    const out = await session.run(feeds);
    const shapes = new Map(Object.entries(out).map(([name, t]) => [name, [...t.dims]]));
    for (const input of inputs) shapes.set(input.name, input.dims);
    for (const t of Object.values(out)) t.dispose();
    return { shapes, inputs };
  } finally {
    await session.release();
  }
}

/** A float tensor as task pipelines pass them (src/engines/tasks/): data and dims, no onnxruntime type. */
export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

/** A session fed and read as plain float tensors, for task pipelines (OCR, VAD) that build their own inputs. */
export interface TensorSession {
  sessionMs: number;
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>>;
  release(): Promise<void>;
}

/** Open `bytes` (the model `spec.model` names) as a TensorSession on the spec's backend. */
export async function openTensorSession(spec: RunSpec, bytes: Uint8Array): Promise<TensorSession> {
  const t0 = performance.now();
  const session = await createSession(spec, bytes);
  const sessionMs = performance.now() - t0;
  return {
    sessionMs,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const ortFeeds: Record<string, Ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new (runtime().Tensor)('float32', t.data, t.dims);
      let out: Ort.InferenceSession.ReturnType;
      try {
        out = await session.run(ortFeeds);
      } catch (err) {
        const shapes = Object.entries(feeds).map(([n, t]) => `${n}[${t.dims.join(',')}]`);
        throw Object.assign(
          new InferenceError(`Inference failed for model "${spec.model.id}" on ${spec.device} with inputs ${shapes.join(', ')}: ${detailOf(err)}.`),
          {
            raw: err instanceof Error ? err.message : String(err),
          },
        );
      }
      const result: Record<string, FloatTensor> = {};
      for (const [name, t] of Object.entries(out)) {
        const data = t.data;
        result[name] = { data: data instanceof Float32Array ? data.slice() : Float32Array.from(data as ArrayLike<number>), dims: [...t.dims] };
        t.dispose();
      }
      return result;
    },
    release: () => session.release(),
  };
}
