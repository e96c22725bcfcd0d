/**
 * A tiny generated Llama decoder with the exact I/O of an Optimum / transformers.js export (input_ids,
 * attention_mask, position_ids, past_key_values.N.key/value → logits, present.N.key/value), so the LM engines
 * and transformers.js run it like a real text-generation model. Plain opset-17 ops that onnxruntime-web has on
 * wasm and WebGPU: RMSNorm as Mul/ReduceMean/Add/Sqrt/Div/Mul, rotary embeddings computed from position_ids
 * (Range/Exp/Cos/Sin), grouped-query attention (the KV heads repeated with Concat + Reshape), SwiGLU.
 *
 * The weights are not random noise: random weights give near-tied logits that flip under any quantization, and
 * greedy tokens would say nothing about fidelity. Instead the model is a deterministic sequence generator with a
 * little context on top: near-orthogonal embeddings of large norm; an lm_head that maps the residual of token t
 * to succ(t) (one long cycle over the ordinary vocabulary, so greedy generation walks hundreds of distinct tokens
 * and never picks a special token) and, a little more weakly, to succ(succ(t)), a runner-up at 0.8–1× the gain;
 * and small random attention / MLP weights (std 0.05) that nudge the logits. The top two logits are then a few
 * logits apart, some much closer: fp16 and q8 keep the greedy sequence, 4-bit levels skip ahead on the cycle
 * now and then, as quantized LMs do.
 */
import { seededRandom } from '../core/rng.ts';
import { applyRotary, causalMask, repeatKv, rmsNorm, rotaryTables, splitHeads } from './decoder-ops.ts';
import { GraphBuilder, normalSource, randomMatrix, tensorInfo } from './graph-builder.ts';
import type { ValueInfoProto } from './model.ts';
import { DataType } from './onnx-schema.ts';
import type { LlamaConfig } from '../core/arch/configs.ts';

export type { LlamaConfig } from '../core/arch/configs.ts';

// ---- the Llama model ---------------------------------------------------------------------------------------

export const llamaHeadDim = (c: LlamaConfig): number => c.head_dim ?? c.hidden_size / c.num_attention_heads;

/**
 * Parameters, as Hugging Face counts them: embeddings V·H; per layer q/k/v/o projections H·(nH·D) + 2·H·(nKV·D)
 * + (nH·D)·H, the SwiGLU MLP 3·H·I and two RMSNorm weights 2·H; the final norm H; lm_head H·V unless tied.
 */
export function llamaParams(c: LlamaConfig): number {
  const [h, d] = [c.hidden_size, llamaHeadDim(c)];
  const attention = h * c.num_attention_heads * d * 2 + h * c.num_key_value_heads * d * 2;
  const layer = attention + 3 * h * c.intermediate_size + 2 * h;
  return c.vocab_size * h + c.num_hidden_layers * layer + h + (c.tie_word_embeddings ? 0 : h * c.vocab_size);
}

/** How the weights are made; the defaults give peaked logits that 8-bit levels keep and 4-bit ones sometimes flip. */
export interface LlamaInit {
  /** Std of the attention and MLP projections (Hugging Face's initializer_range is 0.02). */
  weightStd: number;
  /** lm_head gain: the logit of succ(t) is about lmScale·√hidden; the rest are near-orthogonal noise around 0. */
  lmScale: number;
  /** Std of the random part of lm_head, on top of the successor map. */
  lmNoise: number;
  /** Gain range of the runner-up, succ(succ(t)): each token draws one in [lo, hi); near 1 makes close calls. */
  skipGain: [number, number];
}

export const LLAMA_INIT: Readonly<LlamaInit> = Object.freeze<LlamaInit>({ weightStd: 0.05, lmScale: 2, lmNoise: 0.02, skipGain: [0.8, 1] });

/**
 * The successor of every token: one cycle, in a seeded order, over `cycle` (by default every token but the
 * special ones); a token off the cycle (a special token, a stray byte) leads onto it at a place of its own.
 */
export function llamaSuccessors(c: LlamaConfig, seed: number, cycle?: readonly number[]): Int32Array {
  const special = new Set([c.bos_token_id, c.eos_token_id, c.pad_token_id].filter((x): x is number => x != null));
  const order = (cycle ? [...new Set(cycle)].sort((a, b) => a - b) : Array.from({ length: c.vocab_size }, (_, i) => i)).filter(
    (i) => !special.has(i) && i >= 0 && i < c.vocab_size,
  );
  if (order.length < 3) throw new Error(`the successor cycle needs at least 3 ordinary tokens (got ${order.length})`);
  const rnd = seededRandom(seed ^ 0x5eed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const succ = Int32Array.from({ length: c.vocab_size }, (_, t) => order[t % order.length]!);
  order.forEach((t, i) => (succ[t] = order[(i + 1) % order.length]!));
  return succ;
}

export interface LlamaBuildOptions {
  init?: LlamaInit;
  /** Tokens the generated text walks through (e.g. those that decode to printable text); default all but special ones. */
  cycle?: readonly number[];
}

/** Build the fp32 model; every quantization level is made from these bytes by src/onnx/quantize.ts. */
export function buildLlama(c: LlamaConfig, seed = 1, options: LlamaBuildOptions = {}): Uint8Array {
  const init = options.init ?? LLAMA_INIT;
  const [V, H, I, L] = [c.vocab_size, c.hidden_size, c.intermediate_size, c.num_hidden_layers];
  const [nH, nKV, D] = [c.num_attention_heads, c.num_key_value_heads, llamaHeadDim(c)];
  if (!Number.isInteger(D) || D % 2 !== 0) throw new Error(`head_dim must be an even integer (got ${D})`);
  if (nH % nKV !== 0) throw new Error(`num_attention_heads (${nH}) must be a multiple of num_key_value_heads (${nKV})`);
  const normal = normalSource(seed);
  const g = new GraphBuilder();

  // Embeddings: random directions, each row scaled to RMS 1 (norm √H), so RMSNorm leaves them about as they are.
  const embed = new Float32Array(V * H);
  for (let t = 0; t < V; t++) {
    const row = Float64Array.from({ length: H }, () => normal());
    const norm = Math.sqrt(row.reduce((s, x) => s + x * x, 0));
    for (let j = 0; j < H; j++) embed[t * H + j] = (row[j]! / norm) * Math.sqrt(H);
  }
  const embedName = g.weight('model.embed_tokens.weight', [V, H], embed);

  const ids = 'input_ids';
  const mask = 'attention_mask';
  const positions = 'position_ids';
  let x = g.op('Gather', [embedName, ids], '/model/embed_tokens/Gather');

  const rotary = rotaryTables(g, positions, D, c.rope_theta);
  const { bias } = causalMask(g, ids, mask);
  const ones = new Float32Array(H).fill(1);
  const norm = (input: string, weight: string, path: string) => rmsNorm(g, input, weight, c.rms_norm_eps, path);

  const inputs: ValueInfoProto[] = [
    tensorInfo(ids, DataType.INT64, ['batch_size', 'sequence_length']),
    tensorInfo(mask, DataType.INT64, ['batch_size', 'total_sequence_length']),
    tensorInfo(positions, DataType.INT64, ['batch_size', 'sequence_length']),
  ];
  const presents: ValueInfoProto[] = [];
  const scale = g.float(1 / Math.sqrt(D));
  for (let l = 0; l < L; l++) {
    const p = `/model/layers.${l}`;
    const w = `model.layers.${l}`;
    const pastK = `past_key_values.${l}.key`;
    const pastV = `past_key_values.${l}.value`;
    inputs.push(tensorInfo(pastK, DataType.FLOAT, ['batch_size', nKV, 'past_sequence_length', D]));
    inputs.push(tensorInfo(pastV, DataType.FLOAT, ['batch_size', nKV, 'past_sequence_length', D]));

    const xn = norm(x, g.weight(`${w}.input_layernorm.weight`, [H], ones), `${p}/input_layernorm`);
    const proj = (name: string, k: number, n: number): string =>
      g.op('MatMul', [xn, g.weight(`${w}.self_attn.${name}.weight`, [k, n], randomMatrix(normal, k, n, init.weightStd))], `${p}/self_attn/${name}/MatMul`);
    const q = applyRotary(g, splitHeads(g, proj('q_proj', H, nH * D), nH, D, `${p}/self_attn/q`), rotary, `${p}/self_attn/q_rotary`);
    const k = applyRotary(g, splitHeads(g, proj('k_proj', H, nKV * D), nKV, D, `${p}/self_attn/k`), rotary, `${p}/self_attn/k_rotary`);
    const v = splitHeads(g, proj('v_proj', H, nKV * D), nKV, D, `${p}/self_attn/v`);
    const presentK = g.op('Concat', [pastK, k], `${p}/self_attn/Concat_k`, { axis: { int: 2 } }, `present.${l}.key`);
    const presentV = g.op('Concat', [pastV, v], `${p}/self_attn/Concat_v`, { axis: { int: 2 } }, `present.${l}.value`);
    presents.push(tensorInfo(presentK, DataType.FLOAT, ['batch_size', nKV, 'total_sequence_length', D]));
    presents.push(tensorInfo(presentV, DataType.FLOAT, ['batch_size', nKV, 'total_sequence_length', D]));

    const keys = repeatKv(g, presentK, nH, nKV, D, `${p}/self_attn/repeat_k`);
    const values = repeatKv(g, presentV, nH, nKV, D, `${p}/self_attn/repeat_v`);
    const kT = g.op('Transpose', [keys], `${p}/self_attn/Transpose_k`, { perm: { ints: [0, 1, 3, 2] } });
    // 1/√D applied to q [B, nH, S, D] rather than to the scores [B, nH, S, T]: less work and memory at long contexts.
    const qScaled = g.op('Mul', [q, scale], `${p}/self_attn/Mul_scale`);
    const scores = g.op('Add', [g.op('MatMul', [qScaled, kT], `${p}/self_attn/MatMul_qk`), bias], `${p}/self_attn/Add_mask`);
    const probs = g.op('Softmax', [scores], `${p}/self_attn/Softmax`, { axis: { int: -1 } });
    const ctx = g.op('MatMul', [probs, values], `${p}/self_attn/MatMul_pv`);
    const merged = g.op(
      'Reshape',
      [g.op('Transpose', [ctx], `${p}/self_attn/Transpose_o`, { perm: { ints: [0, 2, 1, 3] } }), g.int64([0, 0, nH * D])],
      `${p}/self_attn/Reshape_o`,
    );
    const attnOut = g.op(
      'MatMul',
      [merged, g.weight(`${w}.self_attn.o_proj.weight`, [nH * D, H], randomMatrix(normal, nH * D, H, init.weightStd))],
      `${p}/self_attn/o_proj/MatMul`,
    );
    x = g.op('Add', [x, attnOut], `${p}/Add`);

    const hn = norm(x, g.weight(`${w}.post_attention_layernorm.weight`, [H], ones), `${p}/post_attention_layernorm`);
    const gate = g.op('MatMul', [hn, g.weight(`${w}.mlp.gate_proj.weight`, [H, I], randomMatrix(normal, H, I, init.weightStd))], `${p}/mlp/gate_proj/MatMul`);
    const up = g.op('MatMul', [hn, g.weight(`${w}.mlp.up_proj.weight`, [H, I], randomMatrix(normal, H, I, init.weightStd))], `${p}/mlp/up_proj/MatMul`);
    const silu = g.op('Mul', [gate, g.op('Sigmoid', [gate], `${p}/mlp/act_fn/Sigmoid`)], `${p}/mlp/act_fn/Mul`);
    const down = g.op(
      'MatMul',
      [g.op('Mul', [silu, up], `${p}/mlp/Mul`), g.weight(`${w}.mlp.down_proj.weight`, [I, H], randomMatrix(normal, I, H, init.weightStd))],
      `${p}/mlp/down_proj/MatMul`,
    );
    x = g.op('Add', [x, down], `${p}/Add_1`);
  }

  const xn = norm(x, g.weight('model.norm.weight', [H], ones), '/model/norm');
  // lm_head [H, V]: column succ(t) points along token t's embedding (and, weaker, column succ(succ(t))); a little
  // noise everywhere else. Tied embeddings get a copy of the embedding, transposed (the quantizer needs a [K, N]
  // initializer); such a model echoes its last token instead of walking the cycle.
  let lmHead: Float32Array;
  if (c.tie_word_embeddings) {
    lmHead = new Float32Array(H * V);
    for (let t = 0; t < V; t++) for (let j = 0; j < H; j++) lmHead[j * V + t] = embed[t * H + j]!;
  } else {
    lmHead = randomMatrix(normal, H, V, init.lmNoise);
    const succ = llamaSuccessors(c, seed, options.cycle);
    const gain = init.lmScale / Math.sqrt(H);
    const rnd = seededRandom(seed ^ 0x5ca1e);
    for (let t = 0; t < V; t++) {
      const skip = init.skipGain[0] + (init.skipGain[1] - init.skipGain[0]) * rnd();
      const [next, after] = [succ[t]!, succ[succ[t]!]!];
      for (let j = 0; j < H; j++) {
        lmHead[j * V + next] = lmHead[j * V + next]! + embed[t * H + j]! * gain;
        lmHead[j * V + after] = lmHead[j * V + after]! + embed[t * H + j]! * gain * skip;
      }
    }
  }
  g.op('MatMul', [xn, g.weight('lm_head.weight', [H, V], lmHead)], '/lm_head/MatMul', {}, 'logits');
  return g.encode('llama', inputs, [tensorInfo('logits', DataType.FLOAT, ['batch_size', 'sequence_length', V]), ...presents]);
}

const sortKeys = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * config.json as Hugging Face writes it for LlamaForCausalLM. transformers.js reads model_type (llama → the
 * decoder-only session `onnx/model{suffix}.onnx`), num_key_value_heads / head_dim / num_hidden_layers (the shapes
 * of the empty KV cache it feeds first) and the special token ids.
 */
export function llamaHfConfig(c: LlamaConfig): Record<string, unknown> {
  return sortKeys({
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    attention_bias: false,
    attention_dropout: 0,
    hidden_act: 'silu',
    initializer_range: 0.02,
    mlp_bias: false,
    pretraining_tp: 1,
    rope_scaling: null,
    torch_dtype: 'float32',
    use_cache: true,
    ...c,
    head_dim: llamaHeadDim(c),
  });
}

/** generation_config.json: the special tokens (greedy decoding is transformers.js's default). */
export function llamaGenerationConfig(c: LlamaConfig): Record<string, unknown> {
  return sortKeys({ bos_token_id: c.bos_token_id ?? null, eos_token_id: c.eos_token_id ?? null, pad_token_id: c.pad_token_id ?? null, do_sample: false });
}
