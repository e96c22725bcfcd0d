/**
 * A decoder language model on onnxruntime-web: its KV-cache layout, read from the session's inputs, and the greedy
 * loop that feeds the cache back step by step. It reaches onnxruntime through ort-engine.ts, the only importer of
 * onnxruntime-web (the import here is types only).
 */
import type * as Ort from 'onnxruntime-web';
import { argmax, type StepTiming } from '../core/generation.ts';
import type { RunSpec } from '../core/spec.ts';
import { halfToFloat } from '../onnx/tensor.ts';
import { createSession, detailOf, endProfilingText, InferenceError, ModelLoadError, runtime, type ExternalData } from './ort-engine.ts';

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
    throw new ModelLoadError(
      `Model "${modelId}": ${first.name} should be float32 or float16 [batch, kv_heads, past_length, head_dim] with fixed kv_heads and head_dim; it is ${first.isTensor ? `${first.type} [${shape.join(', ')}]` : 'not a tensor'}.`,
    );
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
  generate(
    ids: readonly number[],
    maxNewTokens: number,
    banned: readonly number[],
    onToken: (id: number, step: StepTiming) => void,
    shouldStop: () => boolean,
  ): Promise<number[]>;
  /** A decoder loaded with `profiling`: end the profile and return what onnxruntime printed. */
  endProfiling(): string;
  dispose(): Promise<void>;
}

const presentOnGpu = (layers: number): Record<string, 'gpu-buffer'> =>
  Object.fromEntries(
    Array.from({ length: layers }, (_, i) => [`present.${i}.key`, `present.${i}.value`])
      .flat()
      .map((n) => [n, 'gpu-buffer' as const]),
  );

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
export async function loadOrtDecoder(
  spec: RunSpec,
  bytes: Uint8Array,
  layers: number | null,
  externalData?: ExternalData,
  profiling = false,
): Promise<OrtDecoder> {
  const t0 = performance.now();
  // The cache stays on the GPU and is fed straight back; the logits come to the CPU as usual. Without the layer
  // count (config.json), every output stays on the GPU and the logits are read with getData().
  const options: Ort.InferenceSession.SessionOptions =
    spec.device === 'webgpu' ? { preferredOutputLocation: layers ? presentOnGpu(layers) : 'gpu-buffer' } : {};
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
      if (hasPositions)
        feeds.position_ids = new (runtime().Tensor)(
          'int64',
          BigInt64Array.from(ids, (_, i) => BigInt(i)),
          [1, ids.length],
        );
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
