/**
 * Replicas: a model the articles name, rebuilt from its architecture config with the published export's graph,
 * shapes and dtypes, and synthetic weights. Latency and memory do not depend on weight values, so a replica's
 * timings are the real model's; its outputs mean nothing. This module picks the builder, takes the graph to a
 * quantization level, and says how many bytes a run will need (the fit check).
 */
import { parseDecoderConfig } from '../core/arch/decoder.ts';
import { parseEncoderConfig } from '../core/arch/encoder.ts';
import { parseVisionConfig } from '../core/arch/vision.ts';
import { fitEstimate, type FitEstimate } from '../core/fit.ts';
import type { ReplicaRef } from '../core/spec.ts';
import { InvalidInputError, type Dtype } from '../core/vocab.ts';
import { collectWeights } from './graph.ts';
import { inspectModel } from './inspect.ts';
import { quantizeGraph, type QuantizeReport } from './quantize.ts';
import { buildDecoderReplica } from './replica-decoder.ts';
import { buildEncoderReplica } from './replica-encoder.ts';
import type { ReplicaGraph } from './replica-types.ts';
import { buildVisionReplica } from './replica-vision.ts';
import { DataType } from './onnx-schema.ts';
import { tensorBytes } from './tensor.ts';

export type { ReplicaGraph } from './replica-types.ts';

/** The fp32 graph of a replica (synthetic weights, nothing allocated). `what` names it in errors. */
export function buildReplicaGraph(ref: ReplicaRef, what: string): ReplicaGraph {
  switch (ref.kind) {
    case 'decoder':
      return buildDecoderReplica(parseDecoderConfig(ref.config, what));
    case 'encoder':
      return buildEncoderReplica(parseEncoderConfig(ref.config, what));
    case 'vision':
      return buildVisionReplica(parseVisionConfig(ref.config, what));
    default:
      throw new InvalidInputError(`${what}: unknown replica kind "${String((ref as { kind: unknown }).kind)}"; expected decoder, encoder or vision.`);
  }
}

export interface BuiltReplica {
  graph: ReplicaGraph;
  dtype: Dtype;
  report: QuantizeReport | null;
  /** Parameters as the inspector counts them at fp32, less what the graph holds twice (ReplicaGraph.duplicateParams). */
  params: number;
  weightBytes: number;
  /** What the weights take in the runtime's memory once loaded: q4dq's 4-bit codes become fp32 at load. */
  heapWeightBytes: number;
  largestTensorBytes: number;
}

/** A replica at one level: built at fp32, then rewritten by the quantizer (still no weight bytes). */
export function replicaAtLevel(ref: ReplicaRef, dtype: Dtype, what: string): BuiltReplica {
  const graph = buildReplicaGraph(ref, what);
  const params = inspectModel(graph.model).params - graph.duplicateParams;
  const report = dtype === 'fp32' ? null : quantizeGraph(graph.model, dtype, {}, what);
  let [weightBytes, heapWeightBytes, largestTensorBytes] = [0, 0, 0];
  for (const w of collectWeights(graph.model)) {
    const bytes = tensorBytes(w.tensor);
    const folded = dtype === 'q4dq' && (w.tensor.dataType === DataType.INT4 || w.tensor.dataType === DataType.UINT4) ? bytes * 8 : bytes;
    weightBytes += bytes;
    heapWeightBytes += folded;
    largestTensorBytes = Math.max(largestTensorBytes, folded);
  }
  return { graph, dtype, report, params, weightBytes, heapWeightBytes, largestTensorBytes };
}

/** Bytes per KV-cache element: the cache is float32 in every replica (fp16 levels cast inside the graph). */
const KV_BYTES = 4;

/** The fit estimate of a run: weights + KV cache at `contextTokens` (decoders) + activations. */
export function replicaFit(built: BuiltReplica, contextTokens: number | null): FitEstimate {
  const lm = built.graph.lm;
  const kvCacheBytes = lm && contextTokens ? 2 * lm.layers * lm.kvHeads * lm.headDim * contextTokens * KV_BYTES : 0;
  return fitEstimate({
    weightBytes: built.heapWeightBytes,
    largestTensorBytes: built.largestTensorBytes,
    kvCacheBytes,
    contextTokens: lm ? contextTokens : null,
    activationBytes: built.graph.activationBytes,
  });
}

/**
 * FLOPs of one inference (a multiply-add counts 2) at the shapes a run fed: the builder's count, which holds only
 * at the input shapes it was built for (an encoder run on 32 tokens instead of 128 gets null, not a wrong figure).
 * Null for decoders: their count is per token, and a generation is many inferences of different lengths.
 */
export function replicaFlops(
  graph: Pick<ReplicaGraph, 'macs' | 'inputs' | 'lm'>,
  runInputs: readonly { name: string; dims: readonly number[] }[],
): number | null {
  if (graph.macs === null || graph.lm) return null;
  const same = Object.entries(graph.inputs).every(([name, o]) => {
    const fed = runInputs.find((i) => i.name === name);
    return o.shape !== undefined && fed !== undefined && fed.dims.length === o.shape.length && fed.dims.every((d, i) => d === o.shape![i]);
  });
  return same ? 2 * graph.macs : null;
}
