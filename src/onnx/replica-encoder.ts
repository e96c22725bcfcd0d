/**
 * Replicas of BERT and DistilBERT with the I/O of their Optimum / transformers.js exports — input_ids,
 * attention_mask (and token_type_ids for BERT) → last_hidden_state or logits — and synthetic weights. The ops
 * are those of src/onnx/build-bert.ts (post-LN layers, additive mask, GELU via Erf); the heads are BERT's pooler
 * + classifier for sequence classification, DistilBERT's pre_classifier + ReLU + classifier, and a per-token
 * classifier for token classification.
 */
import type { EncoderConfig } from '../core/arch/encoder.ts';
import { GraphBuilder, tensorInfo } from './graph-builder.ts';
import { DataType } from './onnx-schema.ts';
import type { ReplicaGraph } from './replica-types.ts';

/** The sequence length replicas are run (and their activations estimated) at, or the position table's size if smaller. */
export const ENCODER_SEQUENCE = 128;

export function buildEncoderReplica(c: EncoderConfig): ReplicaGraph {
  const g = new GraphBuilder();
  const { hidden: H, intermediate: I, heads: nH, headDim: D } = c;
  const A = nH * D; // attention width (MiniLM's head_dim can make it differ from H)
  const distil = c.modelType === 'distilbert';
  // Positions past the table would make the position Gather fail at run time.
  const S = Math.min(ENCODER_SEQUENCE, c.maxPositions);
  let macs = 0;
  const layerNorm = (x: string, w: string, path: string, output?: string) =>
    g.op(
      'LayerNormalization',
      [x, g.param(`${w}.weight`, [H], { kind: 'const', mean: 1 }), g.param(`${w}.bias`, [H], { kind: 'const', mean: 0 })],
      `${path}/LayerNormalization`,
      { axis: { int: -1 }, epsilon: { float: c.normEps } },
      output,
    );
  /** x · W + b with W [k, n]; `perToken` false for the pooled (one-row) heads. */
  const dense = (x: string, w: string, k: number, n: number, path: string, output?: string, perToken = true) => {
    macs += (perToken ? S : 1) * k * n;
    return g.op(
      'Add',
      [g.op('MatMul', [x, g.param(`${w}.weight`, [k, n])], `${path}/MatMul`), g.param(`${w}.bias`, [n], { kind: 'const', mean: 0 })],
      `${path}/Add`,
      {},
      output,
    );
  };
  // Hugging Face's names: a task model keeps the base model under `bert.` / `distilbert.` (BertModel has no prefix).
  const pre = distil ? 'distilbert.' : c.head === 'feature-extraction' ? '' : 'bert.';
  const [ids, mask, types] = ['input_ids', 'attention_mask', 'token_type_ids'];
  const sLen = g.op('Squeeze', [g.op('Shape', [ids], '/embeddings/Shape', { start: { int: 1 }, end: { int: 2 } }), g.int64([0])], '/embeddings/Squeeze');
  const positions = g.op('Range', [g.int64([0], []), sLen, g.int64([1], [])], '/embeddings/Range');
  const word = g.op('Gather', [g.param(`${pre}embeddings.word_embeddings.weight`, [c.vocab, H]), ids], '/embeddings/word_embeddings/Gather');
  const pos = g.op(
    'Gather',
    [g.param(`${pre}embeddings.position_embeddings.weight`, [c.maxPositions, H]), positions],
    '/embeddings/position_embeddings/Gather',
  );
  let sum = g.op('Add', [word, pos], '/embeddings/Add');
  if (!distil)
    sum = g.op(
      'Add',
      [sum, g.op('Gather', [g.param('embeddings.token_type_embeddings.weight', [c.typeVocab, H]), types], '/embeddings/token_type_embeddings/Gather')],
      '/embeddings/Add_1',
    );
  let x = layerNorm(sum, `${pre}embeddings.LayerNorm`, '/embeddings/LayerNorm');

  const maskF = g.op('Cast', [mask], '/extended_mask/Cast', { to: { int: DataType.FLOAT } });
  const bias = g.op(
    'Unsqueeze',
    [g.op('Mul', [g.op('Sub', [g.float(1), maskF], '/extended_mask/Sub'), g.float(-10000)], '/extended_mask/Mul'), g.int64([1, 2])],
    '/extended_mask/Unsqueeze',
  );
  const splitHeads = (t: string, path: string) =>
    g.op('Transpose', [g.op('Reshape', [t, g.int64([0, 0, nH, D])], `${path}/Reshape`)], `${path}/Transpose`, { perm: { ints: [0, 2, 1, 3] } });
  const scale = g.float(1 / Math.sqrt(D));
  const names = distil
    ? (l: number) => ({
        q: `distilbert.transformer.layer.${l}.attention.q_lin`,
        k: `distilbert.transformer.layer.${l}.attention.k_lin`,
        v: `distilbert.transformer.layer.${l}.attention.v_lin`,
        o: `distilbert.transformer.layer.${l}.attention.out_lin`,
        ln1: `distilbert.transformer.layer.${l}.sa_layer_norm`,
        up: `distilbert.transformer.layer.${l}.ffn.lin1`,
        down: `distilbert.transformer.layer.${l}.ffn.lin2`,
        ln2: `distilbert.transformer.layer.${l}.output_layer_norm`,
      })
    : (l: number) => ({
        q: `${pre}encoder.layer.${l}.attention.self.query`,
        k: `${pre}encoder.layer.${l}.attention.self.key`,
        v: `${pre}encoder.layer.${l}.attention.self.value`,
        o: `${pre}encoder.layer.${l}.attention.output.dense`,
        ln1: `${pre}encoder.layer.${l}.attention.output.LayerNorm`,
        up: `${pre}encoder.layer.${l}.intermediate.dense`,
        down: `${pre}encoder.layer.${l}.output.dense`,
        ln2: `${pre}encoder.layer.${l}.output.LayerNorm`,
      });

  for (let l = 0; l < c.layers; l++) {
    const p = `/encoder/layer.${l}`;
    const n = names(l);
    const q = splitHeads(dense(x, n.q, H, A, `${p}/attention/q`), `${p}/attention/q`);
    const k = splitHeads(dense(x, n.k, H, A, `${p}/attention/k`), `${p}/attention/k`);
    const v = splitHeads(dense(x, n.v, H, A, `${p}/attention/v`), `${p}/attention/v`);
    macs += 2 * nH * S * S * D;
    const kT = g.op('Transpose', [k], `${p}/attention/Transpose_k`, { perm: { ints: [0, 1, 3, 2] } });
    const scores = g.op('Add', [g.op('MatMul', [g.op('Mul', [q, scale], `${p}/attention/Mul`), kT], `${p}/attention/MatMul`), bias], `${p}/attention/Add`);
    const ctx = g.op('MatMul', [g.op('Softmax', [scores], `${p}/attention/Softmax`, { axis: { int: -1 } }), v], `${p}/attention/MatMul_1`);
    const merged = g.op(
      'Reshape',
      [g.op('Transpose', [ctx], `${p}/attention/Transpose_o`, { perm: { ints: [0, 2, 1, 3] } }), g.int64([0, 0, A])],
      `${p}/attention/Reshape_o`,
    );
    x = layerNorm(g.op('Add', [dense(merged, n.o, A, H, `${p}/attention/output`), x], `${p}/attention/Add_residual`), n.ln1, `${p}/attention/LayerNorm`);
    const u = dense(x, n.up, H, I, `${p}/intermediate`);
    const erf = g.op('Erf', [g.op('Div', [u, g.float(Math.SQRT2)], `${p}/intermediate/act/Div`)], `${p}/intermediate/act/Erf`);
    const gelu = g.op(
      'Mul',
      [g.op('Mul', [u, g.op('Add', [erf, g.float(1)], `${p}/intermediate/act/Add`)], `${p}/intermediate/act/Mul`), g.float(0.5)],
      `${p}/intermediate/act/Mul_1`,
    );
    const last = l === c.layers - 1 && c.head === 'feature-extraction';
    x = layerNorm(
      g.op('Add', [dense(gelu, n.down, I, H, `${p}/output`), x], `${p}/output/Add_residual`),
      n.ln2,
      `${p}/output/LayerNorm`,
      last ? 'last_hidden_state' : undefined,
    );
  }

  const inputs = [tensorInfo(ids, DataType.INT64, ['batch_size', 'sequence_length']), tensorInfo(mask, DataType.INT64, ['batch_size', 'sequence_length'])];
  if (!distil) inputs.push(tensorInfo(types, DataType.INT64, ['batch_size', 'sequence_length']));
  let outputs;
  if (c.head === 'feature-extraction') {
    outputs = [tensorInfo('last_hidden_state', DataType.FLOAT, ['batch_size', 'sequence_length', H])];
  } else if (c.head === 'text-classification') {
    const first = g.op('Gather', [x, g.int64([0], [])], '/pooler/Gather', { axis: { int: 1 } });
    const pooled = distil
      ? g.op('Relu', [dense(first, 'pre_classifier', H, H, '/pre_classifier', undefined, false)], '/pre_classifier/Relu')
      : g.op('Tanh', [dense(first, 'bert.pooler.dense', H, H, '/pooler/dense', undefined, false)], '/pooler/Tanh');
    dense(pooled, 'classifier', H, c.labels, '/classifier', 'logits', false);
    outputs = [tensorInfo('logits', DataType.FLOAT, ['batch_size', c.labels])];
  } else {
    dense(x, 'classifier', H, c.labels, '/classifier', 'logits');
    outputs = [tensorInfo('logits', DataType.FLOAT, ['batch_size', 'sequence_length', c.labels])];
  }
  const shape = [1, S];
  return {
    model: g.model(c.modelType, inputs, outputs),
    task: c.head,
    // Ids of 1 are valid in every vocabulary; a full mask; token type 0.
    inputs: { input_ids: { shape, fill: 1 }, attention_mask: { shape, fill: 1 }, ...(distil ? {} : { token_type_ids: { shape, fill: 0 } }) },
    macs,
    // One layer's live tensors at S tokens: the scores and probabilities nH·S·S twice, the MLP's S·I, a few S·H.
    activationBytes: 4 * (2 * nH * S * S + 2 * S * I + 6 * S * H),
    duplicateParams: 0,
  };
}
