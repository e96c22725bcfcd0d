/**
 * A tiny generated BERT encoder with the I/O of an Optimum / transformers.js export (input_ids, attention_mask,
 * token_type_ids → last_hidden_state or logits), for the feature-extraction, text-classification and
 * token-classification pipelines. Word + position + token-type embeddings, post-LN layers (LayerNormalization),
 * multi-head self-attention with the attention mask as an additive bias, GELU via Erf. Weights are seeded
 * random with Hugging Face's initializer_range (0.02); the classifier heads are larger (0.2) so their logits are
 * not all near-tied.
 */
import { DataType } from './onnx-schema.ts';
import { GraphBuilder, normalSource, randomMatrix, tensorInfo } from './graph-builder.ts';
import type { BertConfig, BertHead } from '../core/arch/configs.ts';

export type { BertConfig, BertHead } from '../core/arch/configs.ts';

export const BERT_ARCHITECTURE: Readonly<Record<BertHead, string>> = Object.freeze({
  'feature-extraction': 'BertModel',
  'text-classification': 'BertForSequenceClassification',
  'token-classification': 'BertForTokenClassification',
});

function numLabels(c: BertConfig, head: BertHead): number {
  if (head === 'feature-extraction') return 0;
  const n = Object.keys(c.id2label ?? {}).length;
  if (n === 0) throw new Error(`a ${head} BERT needs id2label in its config`);
  return n;
}

/**
 * Parameters in the graph: embeddings (V + P + T)·H + LayerNorm 2H; per layer 4 attention projections 4(H² + H),
 * two LayerNorms 4H, the MLP H·I + I + I·H + H; the sequence classifier's pooler H² + H; the classifier H·L + L.
 * (Hugging Face's BertModel also has a pooler; the feature-extraction export does not use it, so it is not here.)
 */
export function bertParams(c: BertConfig, head: BertHead): number {
  const [h, i] = [c.hidden_size, c.intermediate_size];
  const embeddings = (c.vocab_size + c.max_position_embeddings + c.type_vocab_size) * h + 2 * h;
  const layer = 4 * (h * h + h) + 4 * h + h * i + i + i * h + h;
  const labels = numLabels(c, head);
  const pooler = head === 'text-classification' ? h * h + h : 0;
  const classifier = labels ? h * labels + labels : 0;
  return embeddings + c.num_hidden_layers * layer + pooler + classifier;
}

export function buildBert(c: BertConfig, head: BertHead, seed = 1): Uint8Array {
  const [V, H, I, L, nH] = [c.vocab_size, c.hidden_size, c.intermediate_size, c.num_hidden_layers, c.num_attention_heads];
  const D = H / nH;
  if (!Number.isInteger(D)) throw new Error(`hidden_size (${H}) must be a multiple of num_attention_heads (${nH})`);
  if (L < 1) throw new Error('num_hidden_layers must be at least 1');
  const labels = numLabels(c, head);
  const normal = normalSource(seed);
  const std = 0.02;
  const g = new GraphBuilder();
  const matrix = (name: string, k: number, n: number, s = std) => g.weight(name, [k, n], randomMatrix(normal, k, n, s));
  const vector = (name: string, n: number, s = std) => g.weight(name, [n], randomMatrix(normal, 1, n, s));
  const ones = (name: string) => g.weight(name, [H], new Float32Array(H).fill(1));
  const zeros = (name: string) => g.weight(name, [H], new Float32Array(H));
  const layerNorm = (x: string, w: string, path: string, output?: string) =>
    g.op(
      'LayerNormalization',
      [x, ones(`${w}.weight`), zeros(`${w}.bias`)],
      `${path}/LayerNormalization`,
      { axis: { int: -1 }, epsilon: { float: c.layer_norm_eps } },
      output,
    );
  const dense = (x: string, w: string, k: number, n: number, path: string, s = std, output?: string) =>
    g.op('Add', [g.op('MatMul', [x, matrix(`${w}.weight`, k, n, s)], `${path}/MatMul`), vector(`${w}.bias`, n, s)], `${path}/Add`, {}, output);

  const ids = 'input_ids';
  const mask = 'attention_mask';
  const types = 'token_type_ids';
  // Embeddings: word + absolute position (0 … S−1, made in the graph as Optimum's BERT export does) + token type.
  const sLen = g.op('Squeeze', [g.op('Shape', [ids], '/embeddings/Shape', { start: { int: 1 }, end: { int: 2 } }), g.int64([0])], '/embeddings/Squeeze');
  const positions = g.op('Range', [g.int64([0], []), sLen, g.int64([1], [])], '/embeddings/Range');
  const word = g.op('Gather', [matrix('embeddings.word_embeddings.weight', V, H), ids], '/embeddings/word_embeddings/Gather');
  const pos = g.op(
    'Gather',
    [matrix('embeddings.position_embeddings.weight', c.max_position_embeddings, H), positions],
    '/embeddings/position_embeddings/Gather',
  );
  const type = g.op('Gather', [matrix('embeddings.token_type_embeddings.weight', c.type_vocab_size, H), types], '/embeddings/token_type_embeddings/Gather');
  const sum = g.op('Add', [g.op('Add', [word, type], '/embeddings/Add'), pos], '/embeddings/Add_1');
  let x = layerNorm(sum, 'embeddings.LayerNorm', '/embeddings/LayerNorm');

  // attention_mask [B, S] → additive bias [B, 1, 1, S]: 0 where 1, −10000 where 0 (finite in fp16).
  const maskF = g.op('Cast', [mask], '/extended_mask/Cast', { to: { int: DataType.FLOAT } });
  const inverted = g.op('Sub', [g.float(1), maskF], '/extended_mask/Sub');
  const bias = g.op('Unsqueeze', [g.op('Mul', [inverted, g.float(-10000)], '/extended_mask/Mul'), g.int64([1, 2])], '/extended_mask/Unsqueeze');
  const scale = g.float(1 / Math.sqrt(D));
  const splitHeads = (t: string, path: string) =>
    g.op('Transpose', [g.op('Reshape', [t, g.int64([0, 0, nH, D])], `${path}/Reshape`)], `${path}/Transpose`, { perm: { ints: [0, 2, 1, 3] } });

  for (let l = 0; l < L; l++) {
    const p = `/encoder/layer.${l}`;
    const w = `encoder.layer.${l}`;
    const q = splitHeads(dense(x, `${w}.attention.self.query`, H, H, `${p}/attention/self/query`), `${p}/attention/self/q`);
    const k = splitHeads(dense(x, `${w}.attention.self.key`, H, H, `${p}/attention/self/key`), `${p}/attention/self/k`);
    const v = splitHeads(dense(x, `${w}.attention.self.value`, H, H, `${p}/attention/self/value`), `${p}/attention/self/v`);
    const kT = g.op('Transpose', [k], `${p}/attention/self/Transpose_k`, { perm: { ints: [0, 1, 3, 2] } });
    const qScaled = g.op('Mul', [q, scale], `${p}/attention/self/Mul`);
    const scores = g.op('Add', [g.op('MatMul', [qScaled, kT], `${p}/attention/self/MatMul`), bias], `${p}/attention/self/Add`);
    const probs = g.op('Softmax', [scores], `${p}/attention/self/Softmax`, { axis: { int: -1 } });
    const ctx = g.op('MatMul', [probs, v], `${p}/attention/self/MatMul_1`);
    const merged = g.op(
      'Reshape',
      [g.op('Transpose', [ctx], `${p}/attention/self/Transpose_o`, { perm: { ints: [0, 2, 1, 3] } }), g.int64([0, 0, H])],
      `${p}/attention/self/Reshape_o`,
    );
    const attn = dense(merged, `${w}.attention.output.dense`, H, H, `${p}/attention/output/dense`);
    x = layerNorm(g.op('Add', [attn, x], `${p}/attention/output/Add`), `${w}.attention.output.LayerNorm`, `${p}/attention/output/LayerNorm`);
    // GELU(u) = u · ½ · (1 + erf(u / √2))
    const u = dense(x, `${w}.intermediate.dense`, H, I, `${p}/intermediate/dense`);
    const erf = g.op('Erf', [g.op('Div', [u, g.float(Math.SQRT2)], `${p}/intermediate/intermediate_act_fn/Div`)], `${p}/intermediate/intermediate_act_fn/Erf`);
    const gelu = g.op(
      'Mul',
      [
        g.op('Mul', [u, g.op('Add', [erf, g.float(1)], `${p}/intermediate/intermediate_act_fn/Add`)], `${p}/intermediate/intermediate_act_fn/Mul`),
        g.float(0.5),
      ],
      `${p}/intermediate/intermediate_act_fn/Mul_1`,
    );
    const out = dense(gelu, `${w}.output.dense`, I, H, `${p}/output/dense`);
    const last = l === L - 1 && head === 'feature-extraction';
    x = layerNorm(g.op('Add', [out, x], `${p}/output/Add`), `${w}.output.LayerNorm`, `${p}/output/LayerNorm`, last ? 'last_hidden_state' : undefined);
  }

  const inputs = [
    tensorInfo(ids, DataType.INT64, ['batch_size', 'sequence_length']),
    tensorInfo(mask, DataType.INT64, ['batch_size', 'sequence_length']),
    tensorInfo(types, DataType.INT64, ['batch_size', 'sequence_length']),
  ];
  if (head === 'feature-extraction') {
    return g.encode('bert', inputs, [tensorInfo('last_hidden_state', DataType.FLOAT, ['batch_size', 'sequence_length', H])]);
  }
  const headStd = 0.2;
  if (head === 'text-classification') {
    // Pooler: the first ([CLS]) token → Dense → Tanh → classifier.
    const first = g.op('Gather', [x, g.int64([0], [])], '/pooler/Gather', { axis: { int: 1 } });
    const pooled = g.op('Tanh', [dense(first, 'pooler.dense', H, H, '/pooler/dense', headStd)], '/pooler/activation/Tanh');
    dense(pooled, 'classifier', H, labels, '/classifier', headStd, 'logits');
    return g.encode('bert', inputs, [tensorInfo('logits', DataType.FLOAT, ['batch_size', labels])]);
  }
  dense(x, 'classifier', H, labels, '/classifier', headStd, 'logits');
  return g.encode('bert', inputs, [tensorInfo('logits', DataType.FLOAT, ['batch_size', 'sequence_length', labels])]);
}

/** config.json as Hugging Face writes it for this head; classifiers get label2id as well as id2label. */
export function bertHfConfig(c: BertConfig, head: BertHead): Record<string, unknown> {
  const labels = c.id2label ? { id2label: c.id2label, label2id: Object.fromEntries(Object.entries(c.id2label).map(([id, label]) => [label, Number(id)])) } : {};
  const all: Record<string, unknown> = {
    architectures: [BERT_ARCHITECTURE[head]],
    model_type: 'bert',
    attention_probs_dropout_prob: 0.1,
    classifier_dropout: null,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    initializer_range: 0.02,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    use_cache: true,
    ...(head === 'text-classification' ? { problem_type: 'single_label_classification' } : {}),
    ...c,
    ...labels,
  };
  return Object.fromEntries(Object.entries(all).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
