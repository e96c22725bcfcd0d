/**
 * Will a GGUF replica fit? The same check as the ONNX replicas' (src/core/fit.ts), before a byte is written: the
 * file's tensors (all its parts, when split; llama.cpp loads them into the WASM heap) and the KV cache llama.cpp allocates for its whole context
 * (f16 keys and values, its default), against the 4 GiB a wasm32 heap addresses.
 */
import { parseDecoderConfig } from '../core/arch/decoder.ts';
import { fitEstimate, type FitEstimate } from '../core/fit.ts';
import type { GgufFile } from './write.ts';

/**
 * The estimate for a GGUF replica of `config` laid out as `file`, with llama.cpp's context of `contextTokens`.
 * llama.cpp's compute buffer and wllama's own heap are not modelled (activations and runtime count 0): the estimate
 * is a floor, so the check refuses only what cannot fit.
 */
export function ggufReplicaFit(config: Record<string, unknown>, file: Pick<GgufFile, 'totalBytes' | 'placed'>, contextTokens: number): FitEstimate {
  // Normalised across families (gpt2 names its fields n_embd, n_layer, n_head).
  const d = parseDecoderConfig(config, `config of model_type ${String(config.model_type)}`);
  const kvCacheBytes = 2 * d.layers * contextTokens * d.kvHeads * d.headDim * 2;
  const largestTensorBytes = Math.max(0, ...file.placed.map((t) => t.bytes));
  return fitEstimate({ weightBytes: file.totalBytes, largestTensorBytes, kvCacheBytes, contextTokens, activationBytes: 0 }, 0);
}
