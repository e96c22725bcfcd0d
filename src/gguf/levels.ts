/**
 * The GGUF levels ondevice writes (core/vocab.ts GGUF_DTYPES) and the ggml type of each tensor at each level.
 *
 * f32, f16, q8_0 and q4_0 write every matrix in the one type (llama-quantize --pure). q4_k_m is llama.cpp's
 * LLAMA_FTYPE_MOSTLY_Q4_K_M mix, by the rules of llama_tensor_get_type in its src/llama-quant.cpp (facts, not code),
 * for the decoders ondevice writes (no experts, not falcon, not a 70B):
 *   - matrices are Q4_K by default;
 *   - output.weight (or token_embd.weight when the embeddings are tied, as it then serves as the output) is Q6_K, or
 *     Q8_0 when its rows are not a multiple of 256;
 *   - attn_v.weight and ffn_down.weight of layer i of n are Q6_K where use_more_bits(i, n):
 *     i < n/8 or i ≥ 7n/8 or (i − n/8) % 3 = 2 (integer division; llama.cpp counts them in layer order);
 *   - a type whose block does not divide the row falls back: Q4_K → Q5_0, Q6_K → Q8_0, then F16 when even 32 does
 *     not divide it (tensor_type_fallback);
 * 1-D tensors (norms, biases) stay F32 at every level, as llama-quantize leaves them.
 */
import type { GgufDtype } from '../core/vocab.ts';
import { GGML_BLOCK, GgmlType } from './format.ts';

export type GgufLevel = GgufDtype;

/** Each level's default matrix type and its general.file_type (llama.cpp's llama_ftype). */
export const GGUF_LEVELS: Readonly<Record<GgufLevel, { type: GgmlType; fileType: number }>> = Object.freeze({
  f32: { type: GgmlType.F32, fileType: 0 },
  f16: { type: GgmlType.F16, fileType: 1 },
  q8_0: { type: GgmlType.Q8_0, fileType: 7 },
  q4_0: { type: GgmlType.Q4_0, fileType: 2 },
  q4_k_m: { type: GgmlType.Q4_K, fileType: 15 },
});

/** Where a matrix sits in the model: what the q4_k_m mix looks at besides its name and row length. */
export interface MatrixPlace {
  /** Its layer, for blk.N.* tensors. */
  layer?: number;
  /** The model's layer count. */
  layers: number;
  /** Whether the model has no output.weight (token_embd serves as the output). */
  tied: boolean;
}

/** llama.cpp's use_more_bits: the first and last eighth of the layers and every third one between them. */
export const useMoreBits = (i: number, n: number): boolean => i < Math.floor(n / 8) || i >= Math.floor((7 * n) / 8) || (i - Math.floor(n / 8)) % 3 === 2;

const FALLBACK: Partial<Record<GgmlType, GgmlType>> = { [GgmlType.Q4_K]: GgmlType.Q5_0, [GgmlType.Q6_K]: GgmlType.Q8_0 };

/** The type a matrix of `rowLength` values per row can take instead of `type` (llama.cpp's tensor_type_fallback). */
export function fallbackType(type: GgmlType, rowLength: number): GgmlType {
  if (rowLength % GGML_BLOCK[type].values === 0) return type;
  const next = FALLBACK[type] ?? GgmlType.F16;
  return rowLength % GGML_BLOCK[next].values === 0 ? next : GgmlType.F16;
}

/** The ggml type of matrix `name` (ne[0] = `rowLength`) at `level`. */
export function matrixType(level: GgufLevel, name: string, rowLength: number, place: MatrixPlace): GgmlType {
  const base = GGUF_LEVELS[level].type;
  if (level !== 'q4_k_m') return fallbackType(base, rowLength);
  let type = base;
  if (name === 'output.weight' || (place.tied && name === 'token_embd.weight')) type = rowLength % 256 === 0 ? GgmlType.Q6_K : GgmlType.Q8_0;
  else if ((name.endsWith('.attn_v.weight') || name.endsWith('.ffn_down.weight')) && place.layer !== undefined && useMoreBits(place.layer, place.layers))
    type = GgmlType.Q6_K;
  return fallbackType(type, rowLength);
}
