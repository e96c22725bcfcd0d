/**
 * A model's ONNX bytes ready for an onnxruntime session: fetched (a real model), or built from its architecture
 * (a replica), its weights written into the replica cache beside it. The ORT engine's loads and profiles, the bare
 * loop and `buildReplica` get their bytes here.
 */
import type { Capabilities } from '../core/capabilities.ts';
import { fitProblem, WASM_HEAP_LIMIT_BYTES } from '../core/fit.ts';
import { runContextTokens } from '../core/generation.ts';
import type { RunResult } from '../core/schema.ts';
import { DEFAULT_GENERATION, type InputOverride, type Progress, type RunSpec } from '../core/spec.ts';
import { replicaAtLevel, replicaFit, type BuiltReplica } from '../onnx/replica.ts';
import type { ReplicaGraph, ReplicaLm } from '../onnx/replica-types.ts';
import { layoutModel } from '../onnx/write-model.ts';
import { UnsupportedError } from './engine.ts';
import { fetchModelBytes } from './fetch-model.ts';
import type { ExternalData } from './ort-engine.ts';
import { replicaPromptIds } from './ort-lm.ts';
import { replicaData } from './replica-store.ts';

/** A model's ONNX bytes ready for a session: fetched, or (a replica) built, with its weights beside it. */
export interface OnnxSource {
  bytes: Uint8Array;
  externalData?: ExternalData;
  /** Inputs the replica builder says to feed (a real model's come from its catalog entry). */
  inputs?: Record<string, InputOverride>;
  /** A replica decoder's cache layout and vocabulary (a real one's come from its config.json). */
  lm?: ReplicaLm;
  /** A replica's graph: its builder counted the multiply-adds (result.model.flops at the shapes it was built for). */
  graph?: ReplicaGraph;
  /** Let go of what the session has read (an object URL). */
  release?: () => void;
}

/** The context a generation run reaches (core/generation.ts runContextTokens), with the replica's prompt ids. */
function contextTokensOf(spec: RunSpec, lm: { vocab: number; eos: number[]; maxContext: number }): number {
  const g = { ...DEFAULT_GENERATION, ...spec.workload.generation };
  return runContextTokens(g, replicaPromptIds(g.prompt, lm).length, lm.maxContext);
}

/** A real model's bytes, fetched (a hub model through the Cache API); fills the fetch timing and model.bytes. */
export async function fetchOnnx(spec: RunSpec, result: RunResult, onProgress: (p: Progress) => void): Promise<Uint8Array> {
  const t0 = performance.now();
  const bytes = await fetchModelBytes(spec.model.id, spec.model.url, onProgress, { cache: spec.model.source === 'hub' });
  result.timings.fetchMs = performance.now() - t0;
  result.model.bytes = bytes.byteLength;
  if (bytes.byteLength === 0) {
    throw Object.assign(new Error(`Model "${spec.model.id}" is empty (0 bytes at ${spec.model.url}): expected an ONNX protobuf file.`), {
      name: 'ModelLoadError',
    });
  }
  onProgress({ phase: 'session' });
  return bytes;
}

/** A replica's weights written into the cache (or found there) — the one build path of runs and `buildReplica`. */
export async function writeReplica(built: BuiltReplica, onProgress: (written: number, total: number) => void, aborted: () => boolean) {
  const files = layoutModel(built.graph.model);
  return { files, data: await replicaData(files, onProgress, aborted) };
}

/**
 * A replica's bytes, as fetchOnnx gives a real model's: built here from its architecture (no weight bytes),
 * checked against the device's limits before a byte is written, its weights streamed into the OPFS cache.
 */
async function buildOnnx(spec: RunSpec, caps: Capabilities, result: RunResult, onProgress: (p: Progress) => void, aborted: () => boolean): Promise<OnnxSource> {
  const t0 = performance.now();
  const built = replicaAtLevel(spec.model.replica!, spec.model.dtype, `Replica "${spec.model.id}"`);
  const lm = built.graph.lm;
  const predicted = replicaFit(built, lm ? contextTokensOf(spec, lm) : null);
  result.memory.predicted = predicted;
  result.model.params = built.params;
  const limits = {
    wasmHeapBytes: WASM_HEAP_LIMIT_BYTES,
    maxBufferSize: caps.webgpu?.maxBufferSize ?? null,
    maxStorageBufferBindingSize: caps.webgpu?.maxStorageBufferBindingSize ?? null,
    deviceMemoryGiB: caps.deviceMemory,
  };
  const problem = fitProblem(predicted, spec.device, limits);
  if (problem) throw new UnsupportedError(`${spec.model.id} at ${spec.model.dtype} on ${spec.device}: ${problem}`);
  const { files, data } = await writeReplica(built, (written, total) => onProgress({ phase: 'build', writtenBytes: written, totalBytes: total }), aborted);
  result.timings.buildMs = performance.now() - t0;
  result.model.bytes = files.graph.byteLength + files.dataBytes;
  result.replica = { paramsPublished: spec.model.params ?? null, cache: data.cache, cached: data.cached, dataBytes: files.dataBytes, cacheNote: data.note };
  onProgress({ phase: 'session' });
  return {
    bytes: files.graph,
    externalData: [{ path: files.dataFile, data: data.data }],
    inputs: built.graph.inputs,
    lm,
    graph: built.graph,
    release: data.release,
  };
}

/** The spec's model as ONNX bytes: a replica built, anything else fetched. */
export async function onnxSource(
  spec: RunSpec,
  caps: Capabilities,
  result: RunResult,
  onProgress: (p: Progress) => void,
  aborted: () => boolean,
): Promise<OnnxSource> {
  return spec.model.source === 'replica' ? await buildOnnx(spec, caps, result, onProgress, aborted) : { bytes: await fetchOnnx(spec, result, onProgress) };
}
