/**
 * Encoder architectures (BERT, DistilBERT) from their Hugging Face config.json, with the task head the export
 * carries: feature-extraction (last_hidden_state), text-classification or token-classification (logits).
 */
import { z } from '../zod.ts';
import { InvalidInputError } from '../vocab.ts';
import { checkConfig, knownType } from './check.ts';

export const ENCODER_TYPES = ['bert', 'distilbert'] as const;
export const ENCODER_HEADS = ['feature-extraction', 'text-classification', 'token-classification'] as const;
export type EncoderHead = (typeof ENCODER_HEADS)[number];

const count = z.number().int().positive();
const labels = {
  head: z.enum(ENCODER_HEADS).default('feature-extraction'),
  num_labels: count.optional(),
  id2label: z.record(z.string(), z.string()).optional(),
};
const Bert = z.object({
  model_type: z.literal('bert'),
  hidden_size: count,
  num_hidden_layers: count,
  num_attention_heads: count,
  intermediate_size: count,
  vocab_size: count,
  max_position_embeddings: count,
  type_vocab_size: count.default(2),
  layer_norm_eps: z.number().positive().default(1e-12),
  head_dim: count.optional(),
  ...labels,
});
const DistilBert = z.object({
  model_type: z.literal('distilbert'),
  dim: count,
  n_layers: count,
  n_heads: count,
  hidden_dim: count,
  vocab_size: count,
  max_position_embeddings: count,
  layer_norm_eps: z.number().positive().default(1e-12),
  ...labels,
});

export interface EncoderConfig {
  modelType: (typeof ENCODER_TYPES)[number];
  head: EncoderHead;
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  headDim: number;
  intermediate: number;
  maxPositions: number;
  /** Token-type embeddings (BERT); DistilBERT has none and no token_type_ids input. */
  typeVocab: number;
  normEps: number;
  /** Logits per token or per sequence; 0 for feature extraction. */
  labels: number;
}

/** The head a config.json's `architectures` names (BertForTokenClassification → token-classification), if any. */
function headOf(architectures: unknown): EncoderHead | undefined {
  const name = Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : '';
  if (name.endsWith('ForSequenceClassification')) return 'text-classification';
  if (name.endsWith('ForTokenClassification')) return 'token-classification';
  return undefined;
}

/** `head` when given, else from `architectures`, else feature-extraction (a base model's last_hidden_state). */
export function parseEncoderConfig(raw: unknown, what: string): EncoderConfig {
  const modelType = knownType(raw, 'model_type', ENCODER_TYPES, what, 'encoder model_type', 'known encoder types');
  const r = raw as Record<string, unknown>;
  const withHead = r.head === undefined ? { ...r, head: headOf(r.architectures) } : r;
  const c = modelType === 'bert' ? checkConfig(Bert, withHead, what, modelType) : checkConfig(DistilBert, withHead, what, modelType);
  const labelCount = c.head === 'feature-extraction' ? 0 : (c.num_labels ?? Object.keys(c.id2label ?? {}).length) || 2;
  if (c.model_type === 'bert') {
    const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
    if (!Number.isInteger(headDim))
      throw new InvalidInputError(
        `${what}: hidden_size (${c.hidden_size}) must be a multiple of num_attention_heads (${c.num_attention_heads}), or head_dim given.`,
      );
    return {
      modelType: 'bert',
      head: c.head,
      vocab: c.vocab_size,
      hidden: c.hidden_size,
      layers: c.num_hidden_layers,
      heads: c.num_attention_heads,
      headDim,
      intermediate: c.intermediate_size,
      maxPositions: c.max_position_embeddings,
      typeVocab: c.type_vocab_size,
      normEps: c.layer_norm_eps,
      labels: labelCount,
    };
  }
  if (c.dim % c.n_heads !== 0) throw new InvalidInputError(`${what}: dim (${c.dim}) must be a multiple of n_heads (${c.n_heads}).`);
  return {
    modelType: 'distilbert',
    head: c.head,
    vocab: c.vocab_size,
    hidden: c.dim,
    layers: c.n_layers,
    heads: c.n_heads,
    headDim: c.dim / c.n_heads,
    intermediate: c.hidden_dim,
    maxPositions: c.max_position_embeddings,
    typeVocab: 0,
    normEps: c.layer_norm_eps,
    labels: labelCount,
  };
}
