/** The ORT engine: any ONNX model on onnxruntime-web, with synthesized inputs. The only importer of onnxruntime-web. */
import * as ort from 'onnxruntime-web/webgpu';
// NOTE: the wasm files must be served by the app, never from a CDN; Vite turns these into asset URLs.
// The webgpu entry uses the asyncify build, the same one transformers.js loads, so the app ships one wasm.
import wasmMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { resolveInputs, synthesize, type InputMeta, type ResolvedInput } from '../core/inputs.ts';
import type { OutputRecord } from '../core/schema.ts';
import type { InputOverride, RunSpec } from '../core/spec.ts';
import type { Device } from '../core/vocab.ts';

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

export class InferenceError extends Error {
  override name = 'InferenceError';
}

/** Values kept per output when a run captures its outputs. */
const OUTPUT_VALUE_CAP = 65536;

export interface LoadedOrtModel {
  inputs: ResolvedInput[];
  sessionMs: number;
  /** One inference on the prepared feeds; returns outputs only when asked (reading them back costs). */
  run(capture: boolean): Promise<OutputRecord[] | null>;
  /** A bare session.run on the same feeds, for the overhead reference. */
  bareRun(): Promise<unknown>;
  dispose(): Promise<void>;
}

export function configureOrt(numThreads: number): void {
  ort.env.wasm.wasmPaths = { mjs: wasmMjsUrl, wasm: wasmUrl };
  ort.env.wasm.numThreads = numThreads;
  // We are already in a worker: ORT's own proxy worker would only add a hop.
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
}

function executionProvider(device: Device): ort.InferenceSession.ExecutionProviderConfig {
  return device === 'webnn' ? { name: 'webnn', deviceType: 'cpu' } : device;
}

function toMeta(meta: ort.InferenceSession.ValueMetadata): InputMeta {
  if (!meta.isTensor) return { name: meta.name, type: 'non-tensor', shape: null };
  return { name: meta.name, type: meta.type, shape: meta.shape };
}

function toOutputRecord(name: string, tensor: ort.Tensor): OutputRecord {
  const data = tensor.data;
  const n = Math.min(tensor.size, OUTPUT_VALUE_CAP);
  const values: number[] = new Array(n);
  for (let i = 0; i < n; i++) values[i] = Number((data as ArrayLike<number | bigint | boolean>)[i]);
  return { name, type: tensor.type, dims: [...tensor.dims], values, truncated: tensor.size > n };
}

/** An error's message without its trailing full stops, to quote inside a sentence of ours. */
const detailOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).replace(/\.+$/, '');

/** Concrete inputs for a session (metadata + overrides) and seeded values for each, as ORT tensors. */
function synthesizedFeeds(session: ort.InferenceSession, overrides: Record<string, InputOverride>) {
  const inputs = resolveInputs(session.inputMetadata.map(toMeta), overrides);
  const feeds: Record<string, ort.Tensor> = {};
  inputs.forEach((input, i) => {
    feeds[input.name] = new ort.Tensor(input.type as ort.Tensor.Type, synthesize(input, i + 1) as ort.Tensor.DataType, input.dims);
  });
  return { inputs, feeds };
}

export async function loadOrtModel(spec: RunSpec, bytes: Uint8Array, overrides: Record<string, InputOverride>): Promise<LoadedOrtModel> {
  const t0 = performance.now();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: [executionProvider(spec.device)],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
  } catch (err) {
    throw new ModelLoadError(
      `onnxruntime-web could not load model "${spec.model.id}" (${bytes.byteLength} bytes) on ${spec.device}: ${detailOf(err)}. Expected a complete ONNX model file.`,
    );
  }
  const sessionMs = performance.now() - t0;
  const { inputs, feeds } = synthesizedFeeds(session, overrides);
  return {
    inputs,
    sessionMs,
    async run(capture) {
      let out: ort.InferenceSession.ReturnType;
      try {
        out = await session.run(feeds);
      } catch (err) {
        const shapes = inputs.map((i) => `${i.name}[${i.dims.join(',')}]`).join(', ');
        throw new InferenceError(
          `Inference failed for model "${spec.model.id}" on ${spec.device} with inputs ${shapes}: ${detailOf(err)}. If an input shape is wrong for this model, set it (CLI: --input NAME=1,3,224,224).`,
        );
      }
      const records = capture ? Object.entries(out).map(([name, t]) => toOutputRecord(name, t)) : null;
      for (const t of Object.values(out)) t.dispose();
      return records;
    },
    bareRun: () => session.run(feeds),
    async dispose() {
      await session.release();
    },
  };
}

/** Run a model once (on wasm) and return the dims of every output it produced, by name. */
export async function probeOutputShapes(bytes: Uint8Array, overrides: Record<string, InputOverride>): Promise<{ shapes: Map<string, number[]>; inputs: ResolvedInput[] }> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], logSeverityLevel: 3 });
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
