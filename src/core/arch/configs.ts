/** The config.json fields of the bundled generated models (tiny BERTs, tiny Llama): the catalog names them, src/onnx builds them. */

export type BertHead = 'feature-extraction' | 'text-classification' | 'token-classification';

/** The architecture fields of a Hugging Face BERT config.json. */
export interface BertConfig {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  layer_norm_eps: number;
  /** Label names by index ("0": "NEGATIVE", …); the classifier heads have one logit per label. */
  id2label?: Record<string, string>;
}

/** The architecture fields of a Hugging Face Llama config.json (plus the special token ids it lists). */
export interface LlamaConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  /** Per-head size; hidden_size / num_attention_heads when absent. */
  head_dim?: number;
  max_position_embeddings: number;
  rms_norm_eps: number;
  rope_theta: number;
  tie_word_embeddings: boolean;
  /** Special tokens: never a successor in the generated cycle. */
  bos_token_id?: number;
  eos_token_id?: number;
  pad_token_id?: number;
}
