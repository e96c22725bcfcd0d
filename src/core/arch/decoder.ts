/**
 * Decoder language-model architectures, as their Hugging Face config.json gives them: the fields a replica
 * needs for each model_type, checked, with Hugging Face's defaults where it has one. Pure data, no ONNX.
 */
import { z } from '../zod.ts';
import { InvalidInputError } from '../vocab.ts';
import { checkConfig, knownType } from './check.ts';

export const DECODER_TYPES = ['llama', 'mistral', 'qwen2', 'phi3', 'gemma2', 'gpt2'] as const;
export type DecoderType = (typeof DECODER_TYPES)[number];

const count = z.number().int().positive();
const tokenIds = z.union([z.number().int(), z.array(z.number().int())]).nullish();

/** llama, mistral, qwen2, phi3 and gemma2 share the Llama field names. */
const LlamaLike = z.object({
  model_type: z.enum(['llama', 'mistral', 'qwen2', 'phi3', 'gemma2']),
  vocab_size: count,
  hidden_size: count,
  intermediate_size: count,
  num_hidden_layers: count,
  num_attention_heads: count,
  num_key_value_heads: count.optional(),
  head_dim: count.nullish(),
  max_position_embeddings: count,
  rms_norm_eps: z.number().positive().default(1e-6),
  rope_theta: z.number().positive().default(10000),
  tie_word_embeddings: z.boolean().default(false),
  attention_bias: z.boolean().default(false),
  mlp_bias: z.boolean().default(false),
  /** Qwen2 has q/k/v biases whatever attention_bias says. */
  qkv_bias: z.boolean().optional(),
  /** Gemma 2. */
  sliding_window: count.nullish(),
  query_pre_attn_scalar: z.number().positive().nullish(),
  attn_logit_softcapping: z.number().positive().nullish(),
  final_logit_softcapping: z.number().positive().nullish(),
  eos_token_id: tokenIds,
  bos_token_id: tokenIds,
});

const Gpt2 = z.object({
  model_type: z.literal('gpt2'),
  vocab_size: count,
  n_embd: count,
  n_layer: count,
  n_head: count,
  n_inner: count.nullish(),
  n_positions: count,
  layer_norm_epsilon: z.number().positive().default(1e-5),
  eos_token_id: tokenIds,
});

/** One shape for every family: what the builder reads. */
export interface DecoderConfig {
  modelType: DecoderType;
  vocab: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  maxPositions: number;
  normEps: number;
  ropeTheta: number;
  /** Input and output embeddings share one matrix (the export still carries lm_head as its own MatMul). */
  tied: boolean;
  qkvBias: boolean;
  oBias: boolean;
  mlpBias: boolean;
  /** Gemma 2: keys older than this many positions are masked on even layers; null elsewhere. */
  slidingWindow: number | null;
  /** Attention scale 1/√(query_pre_attn_scalar) (Gemma 2), else 1/√head_dim. */
  attentionScale: number;
  attnSoftcap: number | null;
  finalSoftcap: number | null;
  eos: number[];
}

const ids = (v: number | number[] | null | undefined): number[] => (v == null ? [] : Array.isArray(v) ? v : [v]);

/** Check a config.json and normalise it; the error names the model, the field and what would be valid. */
export function parseDecoderConfig(raw: unknown, what: string): DecoderConfig {
  const modelType = knownType(raw, 'model_type', DECODER_TYPES, what, 'model_type', 'known decoder types');
  if (modelType === 'gpt2') {
    const c = checkConfig(Gpt2, raw, what, modelType);
    if (c.n_embd % c.n_head !== 0) throw new InvalidInputError(`${what}: n_embd (${c.n_embd}) must be a multiple of n_head (${c.n_head}).`);
    return {
      modelType: 'gpt2',
      vocab: c.vocab_size,
      hidden: c.n_embd,
      intermediate: c.n_inner ?? 4 * c.n_embd,
      layers: c.n_layer,
      heads: c.n_head,
      kvHeads: c.n_head,
      headDim: c.n_embd / c.n_head,
      maxPositions: c.n_positions,
      normEps: c.layer_norm_epsilon,
      ropeTheta: 0,
      tied: true,
      qkvBias: true,
      oBias: true,
      mlpBias: true,
      slidingWindow: null,
      attentionScale: 1 / Math.sqrt(c.n_embd / c.n_head),
      attnSoftcap: null,
      finalSoftcap: null,
      eos: ids(c.eos_token_id),
    };
  }
  const c = checkConfig(LlamaLike, raw, what, modelType);
  const kvHeads = c.num_key_value_heads ?? c.num_attention_heads;
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0)
    throw new InvalidInputError(
      `${what}: head_dim must be an even whole number (got ${headDim}); set head_dim or make hidden_size a multiple of 2 × num_attention_heads.`,
    );
  if (c.num_attention_heads % kvHeads !== 0)
    throw new InvalidInputError(`${what}: num_attention_heads (${c.num_attention_heads}) must be a multiple of num_key_value_heads (${kvHeads}).`);
  const gemma = c.model_type === 'gemma2';
  return {
    modelType: c.model_type,
    vocab: c.vocab_size,
    hidden: c.hidden_size,
    intermediate: c.intermediate_size,
    layers: c.num_hidden_layers,
    heads: c.num_attention_heads,
    kvHeads,
    headDim,
    maxPositions: c.max_position_embeddings,
    normEps: c.rms_norm_eps,
    ropeTheta: c.rope_theta,
    tied: c.tie_word_embeddings,
    qkvBias: c.model_type === 'qwen2' ? (c.qkv_bias ?? true) : c.attention_bias,
    oBias: c.attention_bias,
    mlpBias: c.mlp_bias,
    slidingWindow: gemma ? (c.sliding_window ?? null) : null,
    attentionScale: 1 / Math.sqrt(gemma && c.query_pre_attn_scalar ? c.query_pre_attn_scalar : headDim),
    attnSoftcap: gemma ? (c.attn_logit_softcapping ?? null) : null,
    finalSoftcap: gemma ? (c.final_logit_softcapping ?? null) : null,
    eos: ids(c.eos_token_id),
  };
}
