/**
 * Replicas of decoder language models (llama, mistral, qwen2, phi3, gemma2, gpt2): the graph an Optimum /
 * transformers.js export has — same I/O (input_ids, attention_mask, position_ids, past_key_values.N.key/value →
 * logits, present.N.key/value), same weight shapes, every projection a MatMul on a [K, N] weight so the quantizer
 * makes each level as it does for real models (q4 → MatMulNBits, q8 → MatMulInteger, …) — with synthetic weights.
 *
 * Plain opset-17 ops that onnxruntime-web runs on wasm and WebGPU, the pattern of src/onnx/build-llama.ts:
 * RMSNorm / LayerNorm, rotary embeddings computed from position_ids, grouped-query attention by repeating the KV
 * heads, softmax attention with an additive causal mask. Family quirks that change the graph are built: qwen2's
 * q/k/v biases, phi3's fused qkv_proj and gate_up_proj (one MatMul, then Slice), gemma2's embedding scale, four
 * norms per layer, GELU-tanh MLP, attention-logit and final-logit soft-capping and its sliding window on even
 * layers, gpt2's learned positions, fused c_attn with biases, LayerNorm and GELU. Phi-3.5's long-rope scaling
 * factors change rotary values, not shapes or op counts: they are left out.
 *
 * lm_head is its own MatMul weight even when the config ties it to the embeddings: exports carry it as a
 * separate (transposed) initializer, and quantized exports quantize it. `duplicateParams` lets the count take it
 * once, as Hugging Face does.
 */
import type { DecoderConfig } from '../core/arch/decoder.ts';
import { applyRotary, causalMask, repeatKv, rmsNorm, rotaryTables, splitHeads } from './decoder-ops.ts';
import { GraphBuilder, tensorInfo } from './graph-builder.ts';
import type { ValueInfoProto } from './model.ts';
import { DataType } from './onnx-schema.ts';
import type { ReplicaGraph } from './replica-types.ts';

/** Prompt length the activation estimate assumes (one prefill of this many tokens). */
export const ESTIMATE_PREFILL_TOKENS = 128;

const ONE = { kind: 'const', mean: 1 } as const;
const ZERO = { kind: 'const', mean: 0 } as const;

export function buildDecoderReplica(c: DecoderConfig): ReplicaGraph {
  const g = new GraphBuilder();
  const { hidden: H, intermediate: I, heads: nH, kvHeads: nKV, headDim: D, vocab: V } = c;
  const gpt2 = c.modelType === 'gpt2';
  const gemma = c.modelType === 'gemma2';
  let macsPerToken = 0;

  /** x · W (+ b): W [k, n] synthetic, named as Hugging Face names it. */
  const linear = (x: string, k: number, n: number, weight: string, path: string, bias = false, output?: string): string => {
    macsPerToken += k * n;
    const y = g.op('MatMul', [x, g.param(`${weight}.weight`, [k, n])], `${path}/MatMul`, {}, bias ? undefined : output);
    return bias ? g.op('Add', [y, g.param(`${weight}.bias`, [n], ZERO)], `${path}/Add`) : y;
  };
  // GPT-2: LayerNorm with a bias. The others: RMSNorm — Gemma scales by (1 + w) with w stored around 0, the rest by
  // w around 1 (same ops, same shapes).
  const norm = (input: string, weight: string, path: string): string =>
    gpt2
      ? g.op('LayerNormalization', [input, g.param(`${weight}.weight`, [H], ONE), g.param(`${weight}.bias`, [H], ZERO)], `${path}/LayerNormalization`, {
          axis: { int: -1 },
          epsilon: { float: c.normEps },
        })
      : rmsNorm(g, input, g.param(`${weight}.weight`, [H], gemma ? ZERO : ONE), c.normEps, path);
  const gelu = (x: string, path: string): string => {
    // gelu_new / gelu_pytorch_tanh: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    const cube = g.op('Mul', [g.op('Mul', [x, x], `${path}/Mul`), x], `${path}/Mul_1`);
    const inner = g.op(
      'Mul',
      [g.op('Add', [x, g.op('Mul', [cube, g.float(0.044715)], `${path}/Mul_2`)], `${path}/Add`), g.float(Math.sqrt(2 / Math.PI))],
      `${path}/Mul_3`,
    );
    const t = g.op('Add', [g.op('Tanh', [inner], `${path}/Tanh`), g.float(1)], `${path}/Add_1`);
    return g.op('Mul', [g.op('Mul', [x, g.float(0.5)], `${path}/Mul_4`), t], `${path}/Mul_5`);
  };
  const softcap = (x: string, cap: number, path: string, output?: string): string =>
    g.op('Mul', [g.op('Tanh', [g.op('Div', [x, g.float(cap)], `${path}/Div`)], `${path}/Tanh`), g.float(cap)], `${path}/Mul`, {}, output);

  const [ids, mask, positions] = ['input_ids', 'attention_mask', 'position_ids'];
  const inputs: ValueInfoProto[] = [
    tensorInfo(ids, DataType.INT64, ['batch_size', 'sequence_length']),
    tensorInfo(mask, DataType.INT64, ['batch_size', 'total_sequence_length']),
    tensorInfo(positions, DataType.INT64, ['batch_size', 'sequence_length']),
  ];
  const embedName = gpt2 ? 'transformer.wte.weight' : 'model.embed_tokens.weight';
  let x = g.op('Gather', [g.param(embedName, [V, H]), ids], '/model/embed_tokens/Gather');
  if (gemma) x = g.op('Mul', [x, g.float(Math.sqrt(H))], '/model/embed_tokens/Mul_normalizer');
  if (gpt2)
    x = g.op(
      'Add',
      [x, g.op('Gather', [g.param('transformer.wpe.weight', [c.maxPositions, H]), positions], '/transformer/wpe/Gather')],
      '/transformer/Add_positions',
    );

  const rotary = gpt2 ? null : rotaryTables(g, positions, D, c.ropeTheta);

  // A sliding-window layer also hides keys more than `window` positions back.
  const { bias, allowed, keyIdx, queryIdx } = causalMask(g, ids, mask);
  let slidingBias = '';
  if (c.slidingWindow) {
    const recent = g.op('Greater', [keyIdx, g.op('Sub', [queryIdx, g.int64([c.slidingWindow], [])], '/model/mask/Sub_window')], '/model/mask/Greater_window');
    slidingBias = g.op('Where', [g.op('And', [allowed, recent], '/model/mask/And_window'), g.float(0), g.float(-10000)], '/model/mask/Where_window');
  }
  const slice = (t: string, from: number, to: number, path: string) => g.op('Slice', [t, g.int64([from]), g.int64([to]), g.int64([-1])], path);

  const presents: ValueInfoProto[] = [];
  const scale = g.float(c.attentionScale);
  for (let l = 0; l < c.layers; l++) {
    const p = gpt2 ? `/transformer/h.${l}` : `/model/layers.${l}`;
    const w = gpt2 ? `transformer.h.${l}` : `model.layers.${l}`;
    const [pastK, pastV] = [`past_key_values.${l}.key`, `past_key_values.${l}.value`];
    inputs.push(
      tensorInfo(pastK, DataType.FLOAT, ['batch_size', nKV, 'past_sequence_length', D]),
      tensorInfo(pastV, DataType.FLOAT, ['batch_size', nKV, 'past_sequence_length', D]),
    );

    const xn = norm(x, gpt2 ? `${w}.ln_1` : `${w}.input_layernorm`, `${p}/input_layernorm`);
    let q: string;
    let k: string;
    let v: string;
    const [qN, kvN] = [nH * D, nKV * D];
    if (gpt2) {
      const qkv = linear(xn, H, 3 * H, `${w}.attn.c_attn`, `${p}/attn/c_attn`, true);
      [q, k, v] = [slice(qkv, 0, H, `${p}/attn/Slice_q`), slice(qkv, H, 2 * H, `${p}/attn/Slice_k`), slice(qkv, 2 * H, 3 * H, `${p}/attn/Slice_v`)];
    } else if (c.modelType === 'phi3') {
      const qkv = linear(xn, H, qN + 2 * kvN, `${w}.self_attn.qkv_proj`, `${p}/self_attn/qkv_proj`);
      [q, k, v] = [
        slice(qkv, 0, qN, `${p}/self_attn/Slice_q`),
        slice(qkv, qN, qN + kvN, `${p}/self_attn/Slice_k`),
        slice(qkv, qN + kvN, qN + 2 * kvN, `${p}/self_attn/Slice_v`),
      ];
    } else {
      q = linear(xn, H, qN, `${w}.self_attn.q_proj`, `${p}/self_attn/q_proj`, c.qkvBias);
      k = linear(xn, H, kvN, `${w}.self_attn.k_proj`, `${p}/self_attn/k_proj`, c.qkvBias);
      v = linear(xn, H, kvN, `${w}.self_attn.v_proj`, `${p}/self_attn/v_proj`, c.qkvBias);
    }
    let qh = splitHeads(g, q, nH, D, `${p}/attn/q`);
    let kh = splitHeads(g, k, nKV, D, `${p}/attn/k`);
    if (rotary) [qh, kh] = [applyRotary(g, qh, rotary, `${p}/attn/q_rotary`), applyRotary(g, kh, rotary, `${p}/attn/k_rotary`)];
    const presentK = g.op('Concat', [pastK, kh], `${p}/attn/Concat_k`, { axis: { int: 2 } }, `present.${l}.key`);
    const presentV = g.op('Concat', [pastV, splitHeads(g, v, nKV, D, `${p}/attn/v`)], `${p}/attn/Concat_v`, { axis: { int: 2 } }, `present.${l}.value`);
    presents.push(
      tensorInfo(presentK, DataType.FLOAT, ['batch_size', nKV, 'total_sequence_length', D]),
      tensorInfo(presentV, DataType.FLOAT, ['batch_size', nKV, 'total_sequence_length', D]),
    );

    const kT = g.op('Transpose', [repeatKv(g, presentK, nH, nKV, D, `${p}/attn/repeat_k`)], `${p}/attn/Transpose_k`, { perm: { ints: [0, 1, 3, 2] } });
    let scores = g.op('MatMul', [g.op('Mul', [qh, scale], `${p}/attn/Mul_scale`), kT], `${p}/attn/MatMul_qk`);
    if (c.attnSoftcap) scores = softcap(scores, c.attnSoftcap, `${p}/attn/softcap`);
    // Hugging Face's Gemma 2 slides the window on even layers.
    scores = g.op('Add', [scores, slidingBias && l % 2 === 0 ? slidingBias : bias], `${p}/attn/Add_mask`);
    const probs = g.op('Softmax', [scores], `${p}/attn/Softmax`, { axis: { int: -1 } });
    const ctx = g.op('MatMul', [probs, repeatKv(g, presentV, nH, nKV, D, `${p}/attn/repeat_v`)], `${p}/attn/MatMul_pv`);
    const merged = g.op(
      'Reshape',
      [g.op('Transpose', [ctx], `${p}/attn/Transpose_o`, { perm: { ints: [0, 2, 1, 3] } }), g.int64([0, 0, qN])],
      `${p}/attn/Reshape_o`,
    );
    let attnOut = gpt2
      ? linear(merged, H, H, `${w}.attn.c_proj`, `${p}/attn/c_proj`, true)
      : linear(merged, qN, H, `${w}.self_attn.o_proj`, `${p}/self_attn/o_proj`, c.oBias);
    if (gemma) attnOut = norm(attnOut, `${w}.post_attention_layernorm`, `${p}/post_attention_layernorm`);
    x = g.op('Add', [x, attnOut], `${p}/Add`);

    const hn = norm(x, gpt2 ? `${w}.ln_2` : gemma ? `${w}.pre_feedforward_layernorm` : `${w}.post_attention_layernorm`, `${p}/pre_mlp_norm`);
    let mlpOut: string;
    if (gpt2) {
      mlpOut = linear(gelu(linear(hn, H, I, `${w}.mlp.c_fc`, `${p}/mlp/c_fc`, true), `${p}/mlp/act`), I, H, `${w}.mlp.c_proj`, `${p}/mlp/c_proj`, true);
    } else {
      let gate: string;
      let up: string;
      if (c.modelType === 'phi3') {
        const gateUp = linear(hn, H, 2 * I, `${w}.mlp.gate_up_proj`, `${p}/mlp/gate_up_proj`);
        [gate, up] = [slice(gateUp, 0, I, `${p}/mlp/Slice_gate`), slice(gateUp, I, 2 * I, `${p}/mlp/Slice_up`)];
      } else {
        gate = linear(hn, H, I, `${w}.mlp.gate_proj`, `${p}/mlp/gate_proj`, c.mlpBias);
        up = linear(hn, H, I, `${w}.mlp.up_proj`, `${p}/mlp/up_proj`, c.mlpBias);
      }
      const act = gemma ? gelu(gate, `${p}/mlp/act_fn`) : g.op('Mul', [gate, g.op('Sigmoid', [gate], `${p}/mlp/act_fn/Sigmoid`)], `${p}/mlp/act_fn/Mul`);
      mlpOut = linear(g.op('Mul', [act, up], `${p}/mlp/Mul`), I, H, `${w}.mlp.down_proj`, `${p}/mlp/down_proj`, c.mlpBias);
    }
    if (gemma) mlpOut = norm(mlpOut, `${w}.post_feedforward_layernorm`, `${p}/post_feedforward_layernorm`);
    x = g.op('Add', [x, mlpOut], `${p}/Add_1`);
  }

  const xn = norm(x, gpt2 ? 'transformer.ln_f' : 'model.norm', '/model/norm');
  if (c.finalSoftcap) softcap(linear(xn, H, V, 'lm_head', '/lm_head'), c.finalSoftcap, '/model/final_softcap', 'logits');
  else linear(xn, H, V, 'lm_head', '/lm_head', false, 'logits');
  const model = g.model(c.modelType, inputs, [tensorInfo('logits', DataType.FLOAT, ['batch_size', 'sequence_length', V]), ...presents]);

  // Activations of one prefill of S tokens at context S (fp32): logits S·V, the attention scores of one layer
  // nH·S·S (twice: scores and probabilities), the MLP's three S·I tensors, and a few S·H residual tensors.
  const S = ESTIMATE_PREFILL_TOKENS;
  const activationBytes = 4 * (S * V + 2 * nH * S * S + 3 * S * I + 6 * S * H);
  return {
    model,
    task: 'text-generation',
    inputs: {},
    macs: macsPerToken,
    activationBytes,
    duplicateParams: c.tied ? H * V : 0,
    lm: { layers: c.layers, kvHeads: nKV, headDim: D, vocab: V, maxContext: c.maxPositions, eos: c.eos },
  };
}
