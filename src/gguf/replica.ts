/**
 * GGUF replicas: a decoder the catalog names (llama, mistral, qwen2 or gemma2 architecture), as the GGUF file llama.cpp's
 * converter would make from it, with synthetic weights (speed and memory depend on shapes and types, not on values)
 * and a synthetic byte-level vocabulary of the model's size. The file is laid out by write.ts and made as it is
 * streamed, so the weights never exist at fp32.
 *
 * The vocabulary: the config's special ids as control tokens, the 256 byte symbols of byte-level BPE after them, and
 * filler tokens `<rN>` up to vocab_size; no merges, so llama.cpp reads ASCII text as one token per byte, and a prompt
 * of N ids can be written as N letters (replicaPromptText) that llama.cpp turns back into N tokens.
 */
import { bytesToUnicode } from '../onnx/build-tokenizer.ts';
import { GgmlType } from './format.ts';
import { GGUF_LEVELS, matrixType, type GgufLevel } from './levels.ts';
import { kv, layoutGguf, type GgufFile, type GgufKv, type GgufTensor } from './write.ts';

/** The architectures a GGUF replica is written for, by Hugging Face model_type → llama.cpp's architecture name. */
export const GGUF_REPLICA_ARCHS: Readonly<Record<string, string>> = Object.freeze({ llama: 'llama', mistral: 'llama', qwen2: 'qwen2', gemma2: 'gemma2' });

/** wllama's limit per file: one ArrayBuffer (2 GiB); a larger model has to be split, which ondevice does not do yet. */
export const WLLAMA_FILE_LIMIT_BYTES = 2 ** 31 - 1;

interface DecoderConfig {
  model_type: string;
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads?: number;
  head_dim?: number;
  max_position_embeddings: number;
  rms_norm_eps: number;
  rope_theta: number;
  tie_word_embeddings?: boolean;
  bos_token_id?: number | null;
  eos_token_id?: number | number[] | null;
}

/** gemma2's own config fields: local attention's window and the tanh caps on attention and final logits. */
interface Gemma2Config {
  sliding_window?: number;
  attn_logit_softcapping?: number | null;
  final_logit_softcapping?: number | null;
}

/** gemma2's keys beyond llama's, each only where the config sets it (llama.cpp reads them as optional). */
const gemma2Meta = (c: Gemma2Config): GgufKv[] => [
  ...(c.sliding_window ? [kv.u32('gemma2.attention.sliding_window', c.sliding_window)] : []),
  ...(c.attn_logit_softcapping ? [kv.f32('gemma2.attn_logit_softcapping', c.attn_logit_softcapping)] : []),
  ...(c.final_logit_softcapping ? [kv.f32('gemma2.final_logit_softcapping', c.final_logit_softcapping)] : []),
];

/** Why a replica config cannot be written as GGUF, or null. */
export function ggufReplicaProblem(config: Record<string, unknown>): string | null {
  const type = String(config.model_type);
  if (!GGUF_REPLICA_ARCHS[type]) return `GGUF replicas are written for the ${Object.keys(GGUF_REPLICA_ARCHS).join(', ')} architectures; this model is ${type}.`;
  return null;
}

/** Uniform values of standard deviation `std` from a seeded xorshift32 (fast: a replica has billions of them). */
function synthetic(seed: number, std: number): (start: number, count: number) => Float32Array {
  const a = std * Math.sqrt(3);
  return (start, count) => {
    let x = (seed ^ Math.imul(start + 1, 0x9e3779b1)) >>> 0 || 1;
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = ((x >>> 0) / 4294967296 - 0.5) * 2 * a;
    }
    return out;
  };
}

const ones = (_start: number, count: number): Float32Array => new Float32Array(count).fill(1);

/** The synthetic vocabulary's metadata (see the module comment). */
function replicaVocab(c: DecoderConfig, arch: string): GgufKv[] {
  const eos = Array.isArray(c.eos_token_id) ? c.eos_token_id : c.eos_token_id != null ? [c.eos_token_id] : [];
  const specials = [...new Set([c.bos_token_id, ...eos].filter((x): x is number => x != null))];
  const base = specials.length ? Math.max(...specials) + 1 : 0;
  const bytes = bytesToUnicode();
  const tokens: string[] = [];
  const types: number[] = [];
  for (let id = 0; id < c.vocab_size; id++) {
    if (specials.includes(id)) {
      tokens.push(`<|special_${id}|>`);
      types.push(3);
    } else if (id >= base && id < base + 256) {
      tokens.push(bytes[id - base]!);
      types.push(1);
    } else {
      tokens.push(`<r${id}>`);
      types.push(1);
    }
  }
  return [
    kv.str('tokenizer.ggml.model', 'gpt2'),
    kv.str('tokenizer.ggml.pre', arch === 'qwen2' ? 'qwen2' : 'gpt-2'),
    kv.strings('tokenizer.ggml.tokens', tokens),
    kv.i32s('tokenizer.ggml.token_type', types),
    kv.strings('tokenizer.ggml.merges', []),
    ...(c.bos_token_id != null ? [kv.u32('tokenizer.ggml.bos_token_id', c.bos_token_id)] : []),
    ...(eos.length ? [kv.u32('tokenizer.ggml.eos_token_id', eos[0]!)] : []),
    kv.bool('tokenizer.ggml.add_bos_token', false),
    kv.bool('tokenizer.ggml.add_eos_token', false),
  ];
}

/** A prompt of `ids.length` tokens as text the replica's vocabulary reads back as exactly that many tokens. */
export const replicaPromptText = (ids: readonly number[]): string => ids.map((id) => String.fromCharCode(97 + (id % 26))).join('');

/** Lay out the GGUF replica of a decoder config at `level`; nothing is generated until it is streamed. */
export function ggufReplica(config: Record<string, unknown>, level: GgufLevel, name: string, seed = 1): GgufFile {
  const problem = ggufReplicaProblem(config);
  if (problem) throw new Error(problem);
  const c = config as unknown as DecoderConfig;
  const arch = GGUF_REPLICA_ARCHS[c.model_type]!;
  const [H, I, V, L] = [c.hidden_size, c.intermediate_size, c.vocab_size, c.num_hidden_layers];
  const nH = c.num_attention_heads;
  const nKV = c.num_key_value_heads ?? nH;
  const D = c.head_dim ?? H / nH;
  let n = 0;
  // The level's type for each matrix (levels.ts: q4_k_m mixes Q4_K and Q6_K by name and layer).
  const weight = (name: string, k: number, rows: number): GgufTensor => {
    const layer = /^blk\.(\d+)\./.exec(name)?.[1];
    const type = matrixType(level, name, k, { layer: layer === undefined ? undefined : Number(layer), layers: L, tied: !!c.tie_word_embeddings });
    return { name, dims: [k, rows], type, values: synthetic(seed * 7919 + n++, 0.02) };
  };
  const vector = (name: string, size: number, values = synthetic(seed * 7919 + n++, 0.02)): GgufTensor => ({ name, dims: [size], type: GgmlType.F32, values });
  const tensors: GgufTensor[] = [weight('token_embd.weight', H, V)];
  for (let l = 0; l < L; l++) {
    const b = `blk.${l}`;
    tensors.push(
      vector(`${b}.attn_norm.weight`, H, ones),
      weight(`${b}.attn_q.weight`, H, nH * D),
      weight(`${b}.attn_k.weight`, H, nKV * D),
      weight(`${b}.attn_v.weight`, H, nKV * D),
    );
    // qwen2 has q/k/v biases (llama.cpp's attn_{q,k,v}.bias).
    if (arch === 'qwen2') tensors.push(vector(`${b}.attn_q.bias`, nH * D), vector(`${b}.attn_k.bias`, nKV * D), vector(`${b}.attn_v.bias`, nKV * D));
    tensors.push(
      weight(`${b}.attn_output.weight`, nH * D, H),
      vector(`${b}.ffn_norm.weight`, H, ones),
      weight(`${b}.ffn_gate.weight`, H, I),
      weight(`${b}.ffn_up.weight`, H, I),
      weight(`${b}.ffn_down.weight`, I, H),
    );
    // gemma2 normalizes each sublayer's output too (llama.cpp's post_attention_norm and post_ffw_norm).
    if (arch === 'gemma2') tensors.push(vector(`${b}.post_attention_norm.weight`, H, ones), vector(`${b}.post_ffw_norm.weight`, H, ones));
  }
  tensors.push(vector('output_norm.weight', H, ones));
  if (!c.tie_word_embeddings) tensors.push(weight('output.weight', H, V));
  const meta: GgufKv[] = [
    kv.str('general.architecture', arch),
    kv.str('general.name', name),
    kv.u32('general.file_type', GGUF_LEVELS[level].fileType),
    kv.u32('general.quantization_version', 2),
    kv.u32(`${arch}.context_length`, c.max_position_embeddings),
    kv.u32(`${arch}.embedding_length`, H),
    kv.u32(`${arch}.block_count`, L),
    kv.u32(`${arch}.feed_forward_length`, I),
    kv.u32(`${arch}.attention.head_count`, nH),
    kv.u32(`${arch}.attention.head_count_kv`, nKV),
    kv.u32(`${arch}.attention.key_length`, D),
    kv.u32(`${arch}.attention.value_length`, D),
    kv.f32(`${arch}.attention.layer_norm_rms_epsilon`, c.rms_norm_eps),
    kv.f32(`${arch}.rope.freq_base`, c.rope_theta),
    kv.u32(`${arch}.rope.dimension_count`, D),
    kv.u32(`${arch}.vocab_size`, V),
    ...replicaVocab(c, arch),
    ...(arch === 'gemma2' ? gemma2Meta(c as DecoderConfig & Gemma2Config) : []),
  ];
  return layoutGguf(meta, tensors);
}
