/**
 * The op patterns every decoder graph of ours shares (the bundled tiny llama and the decoder replicas): rotary
 * embeddings computed from position_ids, the additive causal mask, RMSNorm, splitting heads and repeating KV
 * heads for grouped-query attention. Plain opset-17 ops that onnxruntime-web runs on wasm and WebGPU; node names
 * follow the Optimum export's paths.
 */
import type { GraphBuilder } from './graph-builder.ts';
import { DataType } from './onnx-schema.ts';

export interface Rotary {
  cos: string;
  sin: string;
  headDim: number;
}

/**
 * cos and sin [B, 1, S, D] from position_ids, once for all layers: inv_freq = θ^(−2i/D) = exp(i · (−2 ln θ / D)),
 * angles = position · inv_freq, duplicated over both halves of D.
 */
export function rotaryTables(g: GraphBuilder, positions: string, headDim: number, theta: number): Rotary {
  const idx = g.op(
    'Cast',
    [g.op('Range', [g.int64([0], []), g.int64([headDim / 2], []), g.int64([1], [])], '/model/rotary_emb/Range')],
    '/model/rotary_emb/Cast',
    { to: { int: DataType.FLOAT } },
  );
  const invFreq = g.op('Exp', [g.op('Mul', [idx, g.float((-2 * Math.log(theta)) / headDim)], '/model/rotary_emb/Mul')], '/model/rotary_emb/Exp');
  const posF = g.op('Cast', [positions], '/model/rotary_emb/Cast_1', { to: { int: DataType.FLOAT } });
  const freqs = g.op('Mul', [g.op('Unsqueeze', [posF, g.int64([-1])], '/model/rotary_emb/Unsqueeze'), invFreq], '/model/rotary_emb/Mul_1');
  const angles = g.op('Concat', [freqs, freqs], '/model/rotary_emb/Concat', { axis: { int: -1 } });
  // [B, S, D] → [B, 1, S, D]: broadcast over heads.
  const cos = g.op('Unsqueeze', [g.op('Cos', [angles], '/model/rotary_emb/Cos'), g.int64([1])], '/model/rotary_emb/Unsqueeze_1');
  const sin = g.op('Unsqueeze', [g.op('Sin', [angles], '/model/rotary_emb/Sin'), g.int64([1])], '/model/rotary_emb/Unsqueeze_2');
  return { cos, sin, headDim };
}

/** x·cos + rotate_half(x)·sin on [B, heads, S, D]. */
export function applyRotary(g: GraphBuilder, t: string, r: Rotary, path: string): string {
  const half = r.headDim / 2;
  const x1 = g.op('Slice', [t, g.int64([0]), g.int64([half]), g.int64([-1])], `${path}/Slice`);
  const x2 = g.op('Slice', [t, g.int64([half]), g.int64([r.headDim]), g.int64([-1])], `${path}/Slice_1`);
  const rotated = g.op('Concat', [g.op('Neg', [x2], `${path}/Neg`), x1], `${path}/Concat`, { axis: { int: -1 } });
  return g.op('Add', [g.op('Mul', [t, r.cos], `${path}/Mul`), g.op('Mul', [rotated, r.sin], `${path}/Mul_1`)], `${path}/Add`);
}

export interface CausalMask {
  /** The additive bias [B, 1, S, T]: 0 where a query may see a key, −10000 elsewhere. */
  bias: string;
  /** Where a query may see a key (bool [B, 1, S, T]), for masks built on top (a sliding window). */
  allowed: string;
  /** Key positions [1, T] and query positions [S, 1]. */
  keyIdx: string;
  queryIdx: string;
}

/**
 * The mask, once for all layers: query i of the S new tokens (absolute position P + i, P = T − S) sees key j when
 * j ≤ P + i and attention_mask[b, j] = 1. −10000 rather than −∞: finite in fp16, so a row with every key masked
 * stays a uniform softmax instead of NaN.
 */
export function causalMask(g: GraphBuilder, ids: string, mask: string): CausalMask {
  const sLen = g.op('Squeeze', [g.op('Shape', [ids], '/model/mask/Shape', { start: { int: 1 }, end: { int: 2 } }), g.int64([0])], '/model/mask/Squeeze');
  const tLen = g.op('Squeeze', [g.op('Shape', [mask], '/model/mask/Shape_1', { start: { int: 1 }, end: { int: 2 } }), g.int64([0])], '/model/mask/Squeeze_1');
  const keyIdx = g.op('Unsqueeze', [g.op('Range', [g.int64([0], []), tLen, g.int64([1], [])], '/model/mask/Range'), g.int64([0])], '/model/mask/Unsqueeze');
  const queryIdx = g.op(
    'Unsqueeze',
    [g.op('Range', [g.op('Sub', [tLen, sLen], '/model/mask/Sub'), tLen, g.int64([1], [])], '/model/mask/Range_1'), g.int64([1])],
    '/model/mask/Unsqueeze_1',
  );
  const padding = g.op('Unsqueeze', [g.op('Cast', [mask], '/model/mask/Cast', { to: { int: DataType.BOOL } }), g.int64([1, 2])], '/model/mask/Unsqueeze_2');
  const allowed = g.op('And', [g.op('LessOrEqual', [keyIdx, queryIdx], '/model/mask/LessOrEqual'), padding], '/model/mask/And');
  const bias = g.op('Where', [allowed, g.float(0), g.float(-10000)], '/model/mask/Where');
  return { bias, allowed, keyIdx, queryIdx };
}

/** RMSNorm as Mul / ReduceMean / Add / Sqrt / Div / Mul, scaled by `weight`. */
export function rmsNorm(g: GraphBuilder, input: string, weight: string, eps: number, path: string): string {
  const mean = g.op('ReduceMean', [g.op('Mul', [input, input], `${path}/Mul`)], `${path}/ReduceMean`, { axes: { ints: [-1] }, keepdims: { int: 1 } });
  const rms = g.op('Sqrt', [g.op('Add', [mean, g.float(eps)], `${path}/Add`)], `${path}/Sqrt`);
  return g.op('Mul', [g.op('Div', [input, rms], `${path}/Div`), weight], `${path}/Mul_1`);
}

/** [B, S, heads·D] → [B, heads, S, D]. */
export const splitHeads = (g: GraphBuilder, t: string, heads: number, headDim: number, path: string): string =>
  g.op('Transpose', [g.op('Reshape', [t, g.int64([0, 0, heads, headDim])], `${path}/Reshape`)], `${path}/Transpose`, { perm: { ints: [0, 2, 1, 3] } });

/** Grouped-query attention: [B, kvHeads, T, D] → [B, heads, T, D], query head h reading KV head ⌊h / rep⌋ (repeat_kv). */
export function repeatKv(g: GraphBuilder, t: string, heads: number, kvHeads: number, headDim: number, path: string): string {
  const rep = heads / kvHeads;
  if (rep === 1) return t;
  const one = g.op('Unsqueeze', [t, g.int64([2])], `${path}/Unsqueeze`);
  return g.op(
    'Reshape',
    [
      g.op(
        'Concat',
        Array.from({ length: rep }, () => one),
        `${path}/Concat`,
        { axis: { int: 2 } },
      ),
      g.int64([0, heads, -1, headDim]),
    ],
    `${path}/Reshape`,
  );
}
