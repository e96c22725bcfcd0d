/**
 * A Llama decoder in ONNX (ondevice's generated tiny-llama, in the layout of src/onnx/build-llama.ts) as a GGUF file
 * for llama.cpp, from its real weights and tokenizer, at F32, F16, Q8_0, Q4_0 or the Q4_K_M mix (levels.ts).
 *
 * The conventions are llama.cpp's (its convert_hf_to_gguf.py and gguf-py's constants; facts, not code):
 *   - tensor names: token_embd, blk.N.{attn_norm, attn_q, attn_k, attn_v, attn_output, ffn_norm, ffn_gate, ffn_up,
 *     ffn_down}, output_norm, output; dims in ggml order, so a Linear weight [out, in] has ne = [in, out];
 *   - rotary: Hugging Face's llama rotates the halves of each head (pairs i and i + D/2); llama.cpp's llama rope
 *     rotates adjacent pairs (2i, 2i + 1). The converter permutes the rows of attn_q and attn_k within each head so
 *     that row 2i + j comes from row j·D/2 + i (its `permute`: reshape(heads, 2, D/2, in) → swap axes 1 and 2);
 *   - 1-D tensors (the norms) stay F32 whatever the level, as llama-quantize leaves them;
 *   - metadata `llama.*` (context_length, embedding_length, block_count, feed_forward_length, attention.head_count,
 *     head_count_kv, key_length, value_length, layer_norm_rms_epsilon, rope.freq_base, rope.dimension_count,
 *     vocab_size) and the tokenizer as `tokenizer.ggml.*`: model "gpt2" (byte-level BPE) with pre-tokenizer "gpt-2"
 *     (GPT-2's split pattern, the one our tokenizer.json's ByteLevel pre-tokenizer uses), tokens in id order with their
 *     types (1 normal, 3 control), merges as "left right", and the special ids.
 */
import type { LlamaConfig } from '../core/arch/configs.ts';
import { decodeModel, tensorDims } from '../onnx/model.ts';
import { readFloats } from '../onnx/tensor.ts';
import { GgmlType } from './format.ts';
import { GGUF_LEVELS, matrixType, type GgufLevel } from './levels.ts';
import { kv, type GgufKv, type GgufTensor } from './write.ts';

export type { GgufLevel } from './levels.ts';

/** The parts of a Hugging Face tokenizer.json (byte-level BPE) that llama.cpp's vocabulary needs. */
export interface BpeTokenizerJson {
  model: { type: string; vocab: Record<string, number>; merges: (string | [string, string])[] };
  added_tokens?: { id: number; content: string; special?: boolean }[];
  pre_tokenizer?: { type?: string; use_regex?: boolean } | null;
}

/** tokenizer.ggml.* for a byte-level BPE tokenizer.json; throws naming what llama.cpp could not represent. */
export function bpeTokenizerKvs(t: BpeTokenizerJson, c: LlamaConfig): GgufKv[] {
  if (t.model.type !== 'BPE') throw new Error(`tokenizer.json has a ${t.model.type} model; the GGUF writer takes byte-level BPE`);
  if (t.pre_tokenizer?.type !== 'ByteLevel' || t.pre_tokenizer.use_regex === false)
    throw new Error(
      `tokenizer.json's pre-tokenizer is ${JSON.stringify(t.pre_tokenizer)}; llama.cpp's "gpt-2" pre-tokenizer is ByteLevel with GPT-2's pattern`,
    );
  const tokens: string[] = new Array(c.vocab_size).fill('');
  const types: number[] = new Array(c.vocab_size).fill(1);
  for (const [token, id] of Object.entries(t.model.vocab)) if (id < c.vocab_size) tokens[id] = token;
  for (const a of t.added_tokens ?? []) {
    if (a.id >= c.vocab_size) continue;
    tokens[a.id] = a.content;
    if (a.special) types[a.id] = 3;
  }
  const missing = tokens.findIndex((s) => s === '');
  if (missing >= 0) throw new Error(`tokenizer.json has no token with id ${missing} (vocab_size ${c.vocab_size})`);
  const merges = t.model.merges.map((m) => (typeof m === 'string' ? m : m.join(' ')));
  const specials: GgufKv[] = [];
  if (c.bos_token_id != null) specials.push(kv.u32('tokenizer.ggml.bos_token_id', c.bos_token_id));
  if (c.eos_token_id != null) specials.push(kv.u32('tokenizer.ggml.eos_token_id', c.eos_token_id));
  if (c.pad_token_id != null) specials.push(kv.u32('tokenizer.ggml.padding_token_id', c.pad_token_id));
  return [
    kv.str('tokenizer.ggml.model', 'gpt2'),
    kv.str('tokenizer.ggml.pre', 'gpt-2'),
    kv.strings('tokenizer.ggml.tokens', tokens),
    kv.i32s('tokenizer.ggml.token_type', types),
    kv.strings('tokenizer.ggml.merges', merges),
    ...specials,
    kv.bool('tokenizer.ggml.add_bos_token', c.bos_token_id != null),
    kv.bool('tokenizer.ggml.add_eos_token', false),
  ];
}

/** llama.* metadata and general.* for a Llama config. */
export function llamaKvs(c: LlamaConfig, name: string, level: GgufLevel): GgufKv[] {
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  return [
    kv.str('general.architecture', 'llama'),
    kv.str('general.name', name),
    kv.u32('general.file_type', GGUF_LEVELS[level].fileType),
    kv.u32('general.quantization_version', 2),
    kv.u32('llama.context_length', c.max_position_embeddings),
    kv.u32('llama.embedding_length', c.hidden_size),
    kv.u32('llama.block_count', c.num_hidden_layers),
    kv.u32('llama.feed_forward_length', c.intermediate_size),
    kv.u32('llama.attention.head_count', c.num_attention_heads),
    kv.u32('llama.attention.head_count_kv', c.num_key_value_heads),
    kv.u32('llama.attention.key_length', headDim),
    kv.u32('llama.attention.value_length', headDim),
    kv.f32('llama.attention.layer_norm_rms_epsilon', c.rms_norm_eps),
    kv.f32('llama.rope.freq_base', c.rope_theta),
    kv.u32('llama.rope.dimension_count', headDim),
    kv.u32('llama.vocab_size', c.vocab_size),
  ];
}

/** [K, N] row-major (an ONNX MatMul weight, x·W) → [N, K] row-major (a Linear weight [out, in], ggml ne = [K, N]). */
export function transposeKN(w: Float32Array, k: number, n: number): Float32Array {
  const out = new Float32Array(k * n);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) out[j * k + i] = w[i * n + j]!;
  return out;
}

/** Rows of a [heads·D, in] weight reordered within each head from rotate-half pairs to adjacent pairs (see above). */
export function permuteRotary(w: Float32Array, heads: number, headDim: number, inDim: number): Float32Array {
  const out = new Float32Array(w.length);
  const half = headDim / 2;
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < half; i++)
      for (let j = 0; j < 2; j++) {
        const from = (h * headDim + j * half + i) * inDim;
        out.set(w.subarray(from, from + inDim), (h * headDim + 2 * i + j) * inDim);
      }
  return out;
}

/** The GGUF tensors of a Llama ONNX model from src/onnx/build-llama.ts (weights as initializers, MatMul [K, N]). */
export function llamaTensors(onnx: Uint8Array, c: LlamaConfig, level: GgufLevel, what = 'the model'): GgufTensor[] {
  const model = decodeModel(onnx, what);
  const init = new Map(model.graph!.initializer.map((t) => [t.name, t]));
  const [H, I, V] = [c.hidden_size, c.intermediate_size, c.vocab_size];
  const place = (layer?: number) => ({ layer, layers: c.num_hidden_layers, tied: !!c.tie_word_embeddings });
  const [nH, nKV] = [c.num_attention_heads, c.num_key_value_heads];
  const D = c.head_dim ?? H / nH;
  const get = (name: string, dims: number[]): Float32Array => {
    const t = init.get(name);
    if (!t) throw new Error(`${what} has no weight "${name}": it is not a llama model as ondevice builds it`);
    const shape = tensorDims(t);
    if (shape.join(',') !== dims.join(',')) throw new Error(`${what}: weight "${name}" is [${shape.join(', ')}], expected [${dims.join(', ')}]`);
    return readFloats(t)!;
  };
  const norm = (name: string, from: string): GgufTensor => ({ name, dims: [H], type: GgmlType.F32, values: get(from, [H]) });
  let layer: number | undefined;
  const linear = (name: string, from: string, k: number, n: number, rotaryHeads = 0): GgufTensor => {
    let w = transposeKN(get(from, [k, n]), k, n);
    if (rotaryHeads) w = permuteRotary(w, rotaryHeads, D, k);
    return { name, dims: [k, n], type: matrixType(level, name, k, place(layer)), values: w };
  };
  const embd = 'token_embd.weight';
  const tensors: GgufTensor[] = [{ name: embd, dims: [H, V], type: matrixType(level, embd, H, place()), values: get('model.embed_tokens.weight', [V, H]) }];
  for (let l = 0; l < c.num_hidden_layers; l++) {
    layer = l;
    const [b, m] = [`blk.${l}`, `model.layers.${l}`];
    tensors.push(
      norm(`${b}.attn_norm.weight`, `${m}.input_layernorm.weight`),
      linear(`${b}.attn_q.weight`, `${m}.self_attn.q_proj.weight`, H, nH * D, nH),
      linear(`${b}.attn_k.weight`, `${m}.self_attn.k_proj.weight`, H, nKV * D, nKV),
      linear(`${b}.attn_v.weight`, `${m}.self_attn.v_proj.weight`, H, nKV * D),
      linear(`${b}.attn_output.weight`, `${m}.self_attn.o_proj.weight`, nH * D, H),
      norm(`${b}.ffn_norm.weight`, `${m}.post_attention_layernorm.weight`),
      linear(`${b}.ffn_gate.weight`, `${m}.mlp.gate_proj.weight`, H, I),
      linear(`${b}.ffn_up.weight`, `${m}.mlp.up_proj.weight`, H, I),
      linear(`${b}.ffn_down.weight`, `${m}.mlp.down_proj.weight`, I, H),
    );
  }
  layer = undefined;
  tensors.push(norm('output_norm.weight', 'model.norm.weight'));
  if (!c.tie_word_embeddings) tensors.push(linear('output.weight', 'lm_head.weight', H, V));
  return tensors;
}
