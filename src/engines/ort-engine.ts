/**
 * onnxruntime-web under the ORT engine (ort.ts), the inspector and the thread calibration: its build and env, any
 * ONNX model's session with synthesized inputs, the decoder's greedy loop, the profiler. The only importer of onnxruntime-web.
 */
import type * as Ort from 'onnxruntime-web';
import { argmax, type StepTiming } from '../core/generation.ts';
import { resolveInputs, synthesize, type InputMeta, type ResolvedInput } from '../core/inputs.ts';
import { outputRecord } from '../core/result.ts';
import type { OutputRecord } from '../core/schema.ts';
import type { InputOverride, RunSpec } from '../core/spec.ts';
import { ortBuildFor, type Device, type OrtBuild } from '../core/vocab.ts';
import { halfToFloat } from '../onnx/tensor.ts';
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

function runtime(): OrtModule {
  if (!ort) throw new Error('onnxruntime-web is not configured: call configureOrt(device, threads) first.');
  return ort;
}

/** Load the build `device` needs (or the one asked for) and set its threads; returns the build, for the record. */
export async function configureOrt(device: Device, threads: number, requested?: OrtBuild | null): Promise<OrtBuild> {
  const build = requested ?? ortBuildFor(device);
  // NOTE: a dynamic import per build keeps the other entries (and their 14–28 MB wasm) out of the worker entirely.
  const loaded = (build === 'plain' ? await import('onnxruntime-web/wasm') : build === 'asyncify' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web')) as unknown as OrtModule;
  if (ort && ort !== loaded) throw new Error(`onnxruntime-web is already loaded with another build in this worker; a worker runs one task (asked for ${build}).`);
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
function endProfilingText(session: Ort.InferenceSession): string {
  if (!stdoutHooked) throw new Error('onnxruntime\'s stdout is not captured (installOrtStdoutCapture was not called before the first session)');
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
const detailOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).replace(/\.+$/, '');

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
async function createSession(spec: RunSpec, bytes: Uint8Array, extra: Ort.InferenceSession.SessionOptions = {}, externalData?: ExternalData): Promise<Ort.InferenceSession> {
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
    throw new ModelLoadError(
      `onnxruntime-web could not load model "${spec.model.id}" (${bytes.byteLength} bytes${externalData ? ' + external data' : ''}) on ${spec.device}: ${detailOf(err)}. Expected a complete ONNX model file.`,
    );
  }
}

export async function loadOrtModel(spec: RunSpec, bytes: Uint8Array, overrides: Record<string, InputOverride>, externalData?: ExternalData): Promise<LoadedOrtModel> {
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
        throw new InferenceError(
          `Inference failed for model "${spec.model.id}" on ${spec.device} with inputs ${shapes}: ${detailOf(err)}. If an input shape is wrong for this model, set it (CLI: --input NAME=1,3,224,224).`,
        );
      }
      const records = capture ? Object.entries(out).map(([name, t]) => outputRecord(name, t.type, t.dims, t.data as ArrayLike<number | bigint | boolean>)) : null;
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
  spec: RunSpec, bytes: Uint8Array, overrides: Record<string, InputOverride>, externalData?: ExternalData, warmupRuns = 1, profiledRuns = 1,
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
export async function probeOutputShapes(bytes: Uint8Array, overrides: Record<string, InputOverride>): Promise<{ shapes: Map<string, number[]>; inputs: ResolvedInput[] }> {
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

/** A decoder's KV-cache layout, read from its `past_key_values.N.key` inputs. */
interface KvLayout {
  layers: number;
  kvHeads: number;
  headDim: number;
  type: 'float32' | 'float16';
}

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

/** Check that a session has a decoder's I/O and read its cache layout; the error names what is missing. */
function decoderLayout(session: Ort.InferenceSession, modelId: string): KvLayout {
  const inputs = session.inputMetadata;
  const names = new Set(inputs.map((m) => m.name));
  const missing = ['input_ids', 'attention_mask'].filter((n) => !names.has(n));
  if (!session.outputNames.includes('logits')) missing.push('logits (output)');
  const past = inputs.filter((m) => PAST.test(m.name));
  if (past.length === 0) missing.push('past_key_values.N.key/value');
  for (const m of past) {
    const present = m.name.replace('past_key_values', 'present');
    if (!session.outputNames.includes(present)) missing.push(`${present} (output)`);
  }
  if (missing.length) {
    throw new ModelLoadError(
      `Model "${modelId}" does not have a decoder's inputs and outputs: missing ${missing.join(', ')}. A text-generation model needs input_ids, attention_mask, [position_ids], past_key_values.N.key/value → logits, present.N.key/value (the Optimum / transformers.js export).`,
    );
  }
  const first = past[0]!;
  const shape = first.isTensor ? first.shape : [];
  const [kvHeads, headDim] = [shape[1], shape[3]];
  if (typeof kvHeads !== 'number' || typeof headDim !== 'number' || !first.isTensor || (first.type !== 'float32' && first.type !== 'float16')) {
    throw new ModelLoadError(`Model "${modelId}": ${first.name} should be float32 or float16 [batch, kv_heads, past_length, head_dim] with fixed kv_heads and head_dim; it is ${first.isTensor ? `${first.type} [${shape.join(', ')}]` : 'not a tensor'}.`);
  }
  return { layers: past.length / 2, kvHeads, headDim, type: first.type };
}

export interface OrtDecoder {
  kv: KvLayout;
  sessionMs: number;
  /**
   * Greedy generation with the KV cache; see LanguageModel.generate. `banned`: ids argmax skips, strictly
   * ascending. Each token comes with what its step spent building feeds, in session.run and sampling.
   */
  generate(ids: readonly number[], maxNewTokens: number, banned: readonly number[], onToken: (id: number, step: StepTiming) => void, shouldStop: () => boolean): Promise<number[]>;
  /** A decoder loaded with `profiling`: end the profile and return what onnxruntime printed. */
  endProfiling(): string;
  dispose(): Promise<void>;
}

const presentOnGpu = (layers: number): Record<string, 'gpu-buffer'> =>
  Object.fromEntries(Array.from({ length: layers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat().map((n) => [n, 'gpu-buffer' as const]));

/**
 * The last position's logits as float32: a view on ORT's output when they are float32 (no copy), else widened
 * from fp16 into `widened`, which is reused while it is large enough.
 */
function lastLogits(t: Ort.Tensor, data: Ort.Tensor.DataType, widened: Float32Array): Float32Array {
  const vocab = t.dims.at(-1)!;
  const offset = t.size - vocab;
  if (t.type === 'float32') return (data as Float32Array).subarray(offset);
  if (t.type === 'float16') {
    // ORT hands fp16 out as raw half bits (Uint16Array), or as Float16Array where the platform has one.
    const out = widened.subarray(0, vocab);
    if (data instanceof Uint16Array) for (let i = 0; i < vocab; i++) out[i] = halfToFloat(data[offset + i]!);
    else for (let i = 0; i < vocab; i++) out[i] = Number((data as ArrayLike<number>)[offset + i]);
    return out;
  }
  throw new InferenceError(`logits are ${t.type}; expected float32 or float16`);
}

/**
 * Greedy decoding straight on onnxruntime-web: prefill the prompt, then one token per step, feeding each step's
 * `present.*` back as `past_key_values.*`. On WebGPU the cache stays on the GPU between steps
 * (`preferredOutputLocation: 'gpu-buffer'` for the present outputs); only the logits come back to the CPU.
 *
 * A decode step allocates nothing of ours: ORT copies CPU inputs into its own heap on every run
 * (wasm-core-impl's prepareInputOutputTensor, honouring a view's byteOffset), so input_ids and position_ids are one
 * [1, 1] tensor each, rewritten in place, and attention_mask is a cached tensor per length over one buffer of ones.
 * The cache is handed back as ORT returned it: on wasm, pre-allocated CPU outputs would be copied into a fresh heap
 * allocation anyway, and on WebGPU a static in-place cache needs a model exported for it. `enableCpuMemArena` and
 * `enableMemPattern` stay off: measured on wasm (tiny-llama, SmolLM2-135M replica fp32/q8), neither changed
 * session.run's median step or the heap peak beyond run-to-run noise.
 */
export async function loadOrtDecoder(spec: RunSpec, bytes: Uint8Array, layers: number | null, externalData?: ExternalData, profiling = false): Promise<OrtDecoder> {
  const t0 = performance.now();
  // The cache stays on the GPU and is fed straight back; the logits come to the CPU as usual. Without the layer
  // count (config.json), every output stays on the GPU and the logits are read with getData().
  const options: Ort.InferenceSession.SessionOptions = spec.device === 'webgpu' ? { preferredOutputLocation: layers ? presentOnGpu(layers) : 'gpu-buffer' } : {};
  const session = await createSession(spec, bytes, profiling ? { ...options, enableProfiling: true } : options, externalData);
  const kv = decoderLayout(session, spec.model.id);
  const sessionMs = performance.now() - t0;
  const hasPositions = session.inputNames.includes('position_ids');
  const pastNames = session.inputNames.filter((n) => PAST.test(n));
  const presentNames = pastNames.map((n) => n.replace('past_key_values', 'present'));
  const emptyPast = (feeds: Record<string, Ort.Tensor>) => {
    const data = kv.type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    for (const n of pastNames) feeds[n] = new (runtime().Tensor)(kv.type, data, [1, kv.kvHeads, 0, kv.headDim]);
  };

  // Buffers every step reuses (see above); the mask buffer grows (doubling) only when a longer context comes.
  let ones = new BigInt64Array(0);
  const masks: Ort.Tensor[] = [];
  const maskOf = (length: number): Ort.Tensor => {
    if (ones.length < length) ones = new BigInt64Array(Math.max(length, 2 * ones.length)).fill(1n);
    return (masks[length] ??= new (runtime().Tensor)('int64', ones.subarray(0, length), [1, length]));
  };
  const stepId = new BigInt64Array(1);
  const stepIdTensor = new (runtime().Tensor)('int64', stepId, [1, 1]);
  const stepPosition = new BigInt64Array(1);
  const stepPositionTensor = new (runtime().Tensor)('int64', stepPosition, [1, 1]);
  let widened = new Float32Array(0);

  return {
    kv,
    sessionMs,
    async generate(ids, maxNewTokens, banned, onToken, shouldStop) {
      let tFeeds = performance.now();
      const feeds: Record<string, Ort.Tensor> = {
        input_ids: new (runtime().Tensor)('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
        attention_mask: maskOf(ids.length),
      };
      if (hasPositions) feeds.position_ids = new (runtime().Tensor)('int64', BigInt64Array.from(ids, (_, i) => BigInt(i)), [1, ids.length]);
      emptyPast(feeds);
      let total = ids.length;
      // The last run's outputs: their present.* become the next step's past.
      let pending: Ort.InferenceSession.ReturnType | null = null;
      const out: number[] = [];
      try {
        for (;;) {
          if (pending) {
            for (let i = 0; i < pastNames.length; i++) {
              // The old cache is released right away (on WebGPU, its buffers).
              feeds[pastNames[i]!]!.dispose();
              feeds[pastNames[i]!] = pending[presentNames[i]!]!;
            }
            pending = null;
            stepId[0] = BigInt(out.at(-1)!);
            feeds.input_ids = stepIdTensor;
            stepPosition[0] = BigInt(total);
            if (hasPositions) feeds.position_ids = stepPositionTensor;
            total += 1;
            feeds.attention_mask = maskOf(total);
          }
          const tRun = performance.now();
          let result: Ort.InferenceSession.ReturnType;
          try {
            result = await session.run(feeds);
          } catch (err) {
            throw new InferenceError(`Generation failed for model "${spec.model.id}" on ${spec.device} at ${total} tokens of context: ${detailOf(err)}.`);
          }
          pending = result;
          const tSample = performance.now();
          const logits = result.logits!;
          // CPU logits are read synchronously: no await, no copy.
          const data = logits.location === 'cpu' ? logits.data : await logits.getData();
          if (logits.type === 'float16' && widened.length < logits.dims.at(-1)!) widened = new Float32Array(logits.dims.at(-1)!);
          const next = argmax(lastLogits(logits, data, widened), banned);
          logits.dispose();
          const tEnd = performance.now();
          out.push(next);
          onToken(next, { runMs: tSample - tRun, feedsMs: tRun - tFeeds, samplingMs: tEnd - tSample });
          if (out.length >= maxNewTokens || shouldStop()) break;
          tFeeds = performance.now();
        }
      } finally {
        for (const n of pastNames) feeds[n]?.dispose();
        if (pending) for (const n of presentNames) pending[n]?.dispose();
      }
      return out;
    },
    endProfiling: () => endProfilingText(session),
    async dispose() {
      await session.release();
    },
  };
}
