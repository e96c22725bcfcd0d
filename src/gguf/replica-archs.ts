/**
 * The tensors and `<arch>.*` metadata of a GGUF replica, per llama.cpp architecture, as llama.cpp's converter
 * (convert_hf_to_gguf.py) names and shapes them and llama.cpp's loader (llama-model.cpp) asks for them. Facts taken
 * from llama.cpp, not code:
 *
 *   llama / mistral (→ llama), qwen2, gemma2: token_embd; blk.N.{attn_norm, attn_q, attn_k, attn_v, attn_output,
 *     ffn_norm, ffn_gate, ffn_up, ffn_down}; output_norm; output unless tied. qwen2 adds attn_{q,k,v}.bias; gemma2
 *     adds post_attention_norm and post_ffw_norm.
 *   phi3: q, k and v fused as blk.N.attn_qkv.weight [H, nH·D + 2·nKV·D] and gate and up fused as blk.N.ffn_up.weight
 *     [H, 2·I] (gate rows first: llama.cpp's SwiGLU takes the first half through SiLU); no ffn_gate. Metadata: no
 *     key_length/value_length (llama.cpp derives H / nH), but rope.scaling.original_context_length and
 *     attention.sliding_window (written as the config has it, 0 where it has none; llama.cpp refuses a phi3 file
 *     without it unless it recognises the model by its layer count). A longrope config (Phi-3.5's 128k) also gets
 *     rope_factors_long.weight and rope_factors_short.weight, [D/2] F32 each, and rope.scaling.attn_factor
 *     (√(1 + ln(scale) / ln(original context)), scale = context / original context, 1 when scale ≤ 1). The catalog
 *     does not carry the 48 factors, so the replica writes 1.0 for each: llama.cpp runs the same rope with factors
 *     (an element-wise divide per position), only not Phi-3.5's exact frequencies — the tensors are optional in
 *     llama.cpp, and writing them keeps its work the same as on the real file.
 *   gpt2: token_embd, position_embd [H, n_positions] (kept F32, as it is small and a lookup); blk.N.{attn_norm,
 *     attn_qkv, attn_output, ffn_norm, ffn_up, ffn_down}, each .weight and .bias (LayerNorm and Linear biases);
 *     output_norm weight and bias; no output (tied: llama.cpp reuses token_embd). Metadata gpt2.{context_length,
 *     embedding_length, feed_forward_length, block_count, attention.head_count, attention.layer_norm_epsilon}.
 *
 * 1-D tensors (norms, biases, rope factors) stay F32 whatever the level, as llama-quantize leaves them.
 */
import type { DecoderConfig } from '../core/arch/decoder.ts';
import { kv, type GgufKv, type GgufTensor } from './write.ts';

/** Hugging Face model_type → llama.cpp's architecture name, for the decoders a GGUF replica is written for. */
export const GGUF_REPLICA_ARCHS: Readonly<Record<string, string>> = Object.freeze({
  llama: 'llama',
  mistral: 'llama',
  qwen2: 'qwen2',
  phi3: 'phi3',
  gemma2: 'gemma2',
  gpt2: 'gpt2',
});

/** Makes the tensors of one replica: big weights at the level's type, vectors at F32, values synthetic. */
export interface TensorMaker {
  weight(name: string, k: number, rows: number): GgufTensor;
  vector(name: string, size: number, fill?: 'ones' | 'synthetic'): GgufTensor;
  /** A 2-D tensor kept at F32 whatever the level (gpt2's position table). */
  table(name: string, k: number, rows: number): GgufTensor;
}

/** The config fields beyond DecoderConfig that the metadata needs, read from the raw config.json. */
export interface RawExtras {
  original_max_position_embeddings?: number;
  rope_scaling?: { type?: string; rope_type?: string } | null;
  sliding_window?: number | null;
  attn_logit_softcapping?: number | null;
  final_logit_softcapping?: number | null;
}

/** The llama-family block (llama, mistral, qwen2, gemma2): separate q/k/v and gate/up. */
function llamaFamilyTensors(arch: string, d: DecoderConfig, m: TensorMaker): GgufTensor[] {
  const [H, I, D, nH, nKV] = [d.hidden, d.intermediate, d.headDim, d.heads, d.kvHeads];
  const out: GgufTensor[] = [];
  for (let l = 0; l < d.layers; l++) {
    const b = `blk.${l}`;
    out.push(m.vector(`${b}.attn_norm.weight`, H, 'ones'), m.weight(`${b}.attn_q.weight`, H, nH * D), m.weight(`${b}.attn_k.weight`, H, nKV * D));
    out.push(m.weight(`${b}.attn_v.weight`, H, nKV * D));
    if (arch === 'qwen2') out.push(m.vector(`${b}.attn_q.bias`, nH * D), m.vector(`${b}.attn_k.bias`, nKV * D), m.vector(`${b}.attn_v.bias`, nKV * D));
    out.push(m.weight(`${b}.attn_output.weight`, nH * D, H), m.vector(`${b}.ffn_norm.weight`, H, 'ones'));
    out.push(m.weight(`${b}.ffn_gate.weight`, H, I), m.weight(`${b}.ffn_up.weight`, H, I), m.weight(`${b}.ffn_down.weight`, I, H));
    if (arch === 'gemma2') out.push(m.vector(`${b}.post_attention_norm.weight`, H, 'ones'), m.vector(`${b}.post_ffw_norm.weight`, H, 'ones'));
  }
  return out;
}

const isLongrope = (raw: RawExtras): boolean => ['longrope', 'su'].includes(String(raw.rope_scaling?.type ?? raw.rope_scaling?.rope_type ?? '').toLowerCase());

function phi3Tensors(d: DecoderConfig, raw: RawExtras, m: TensorMaker): GgufTensor[] {
  const [H, I, D, nH, nKV] = [d.hidden, d.intermediate, d.headDim, d.heads, d.kvHeads];
  const out: GgufTensor[] = [];
  // Per-model, not per-layer (llama.cpp shares them across layers).
  if (isLongrope(raw)) out.push(m.vector('rope_factors_long.weight', D / 2, 'ones'), m.vector('rope_factors_short.weight', D / 2, 'ones'));
  for (let l = 0; l < d.layers; l++) {
    const b = `blk.${l}`;
    out.push(m.vector(`${b}.attn_norm.weight`, H, 'ones'), m.weight(`${b}.attn_qkv.weight`, H, nH * D + 2 * nKV * D));
    out.push(m.weight(`${b}.attn_output.weight`, nH * D, H), m.vector(`${b}.ffn_norm.weight`, H, 'ones'));
    out.push(m.weight(`${b}.ffn_up.weight`, H, 2 * I), m.weight(`${b}.ffn_down.weight`, I, H));
  }
  return out;
}

function gpt2Tensors(d: DecoderConfig, m: TensorMaker): GgufTensor[] {
  const [H, I] = [d.hidden, d.intermediate];
  const out: GgufTensor[] = [m.table('position_embd.weight', H, d.maxPositions)];
  for (let l = 0; l < d.layers; l++) {
    const b = `blk.${l}`;
    out.push(m.vector(`${b}.attn_norm.weight`, H, 'ones'), m.vector(`${b}.attn_norm.bias`, H));
    out.push(m.weight(`${b}.attn_qkv.weight`, H, 3 * H), m.vector(`${b}.attn_qkv.bias`, 3 * H));
    out.push(m.weight(`${b}.attn_output.weight`, H, H), m.vector(`${b}.attn_output.bias`, H));
    out.push(m.vector(`${b}.ffn_norm.weight`, H, 'ones'), m.vector(`${b}.ffn_norm.bias`, H));
    out.push(m.weight(`${b}.ffn_up.weight`, H, I), m.vector(`${b}.ffn_up.bias`, I));
    out.push(m.weight(`${b}.ffn_down.weight`, I, H), m.vector(`${b}.ffn_down.bias`, H));
  }
  return out;
}

/** Every tensor of the replica, in llama.cpp's converter order: embeddings, blocks, output norm, output. */
export function archTensors(arch: string, d: DecoderConfig, raw: RawExtras, m: TensorMaker): GgufTensor[] {
  const blocks = arch === 'phi3' ? phi3Tensors(d, raw, m) : arch === 'gpt2' ? gpt2Tensors(d, m) : llamaFamilyTensors(arch, d, m);
  const tensors = [m.weight('token_embd.weight', d.hidden, d.vocab), ...blocks, m.vector('output_norm.weight', d.hidden, 'ones')];
  if (arch === 'gpt2') tensors.push(m.vector('output_norm.bias', d.hidden));
  if (!d.tied) tensors.push(m.weight('output.weight', d.hidden, d.vocab));
  return tensors;
}

/** `<arch>.*` metadata (general.* and the tokenizer are the caller's). */
export function archMetadata(arch: string, d: DecoderConfig, raw: RawExtras): GgufKv[] {
  const a = arch;
  const common = [
    kv.u32(`${a}.context_length`, d.maxPositions),
    kv.u32(`${a}.embedding_length`, d.hidden),
    kv.u32(`${a}.block_count`, d.layers),
    kv.u32(`${a}.feed_forward_length`, d.intermediate),
    kv.u32(`${a}.attention.head_count`, d.heads),
  ];
  if (arch === 'gpt2') return [...common, kv.f32('gpt2.attention.layer_norm_epsilon', d.normEps)];
  const rope = [kv.f32(`${a}.rope.freq_base`, d.ropeTheta), kv.u32(`${a}.rope.dimension_count`, d.headDim)];
  const rms = kv.f32(`${a}.attention.layer_norm_rms_epsilon`, d.normEps);
  if (arch === 'phi3') {
    const original = raw.original_max_position_embeddings ?? d.maxPositions;
    const scale = d.maxPositions / original;
    return [
      ...common,
      kv.u32('phi3.attention.head_count_kv', d.kvHeads),
      rms,
      kv.u32('phi3.rope.scaling.original_context_length', original),
      ...rope,
      kv.u32('phi3.attention.sliding_window', raw.sliding_window ?? 0),
      ...(isLongrope(raw) ? [kv.f32('phi3.rope.scaling.attn_factor', scale > 1 ? Math.sqrt(1 + Math.log(scale) / Math.log(original)) : 1)] : []),
    ];
  }
  return [
    ...common,
    kv.u32(`${a}.attention.head_count_kv`, d.kvHeads),
    kv.u32(`${a}.attention.key_length`, d.headDim),
    kv.u32(`${a}.attention.value_length`, d.headDim),
    rms,
    ...rope,
    kv.u32(`${a}.vocab_size`, d.vocab),
    // gemma2's keys beyond llama's, each only where the config sets it (llama.cpp reads them as optional).
    ...(arch === 'gemma2' && raw.sliding_window ? [kv.u32('gemma2.attention.sliding_window', raw.sliding_window)] : []),
    ...(arch === 'gemma2' && raw.attn_logit_softcapping ? [kv.f32('gemma2.attn_logit_softcapping', raw.attn_logit_softcapping)] : []),
    ...(arch === 'gemma2' && raw.final_logit_softcapping ? [kv.f32('gemma2.final_logit_softcapping', raw.final_logit_softcapping)] : []),
  ];
}

/** Why llama.cpp could not take this config as `arch`, or null (its shape checks, before a byte is written). */
export function archProblem(arch: string, d: DecoderConfig): string | null {
  // llama.cpp's phi3 and gpt2 attention output is [H, H]: the heads must tile the hidden size.
  if ((arch === 'phi3' || arch === 'gpt2') && d.heads * d.headDim !== d.hidden)
    return `llama.cpp's ${arch} needs num_attention_heads × head_dim (${d.heads} × ${d.headDim}) to equal hidden_size (${d.hidden})`;
  return null;
}
