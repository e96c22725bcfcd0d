/**
 * The quantizer: one fp32 ONNX model in, each of transformers.js's levels out (fp16, q8, int8, uint8, q4, q4f16,
 * bnb4) and ondevice's q4dq, with a report of what was quantized and what was left as it was. Pure: bytes in,
 * bytes out.
 */
import type { Dtype } from '../core/vocab.ts';
import { collectWeights, forEachGraph, nodeLabel, type Weight } from './graph.ts';
import {
  AttributeType, decodeModel, encodeModel, getAttribute, opsetVersion, tensorDims, toNumber,
  type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto,
} from './model.ts';
import { DataType } from './onnx-schema.ts';
import { syntheticTensor, WEIGHT_STD } from './synthetic.ts';
import { bytesTensor, float16Tensor, floatTensor, readFloats, tensorBytes } from './tensor.ts';

/**
 * A float weight for the rewrite: its values, or null for a replica's synthetic weight (see synthetic.ts), which
 * the rewrite turns into synthetic tensors of the level's types and shapes without ever making the fp32 values.
 */
type FloatWeight = { values: Float32Array | null; dims: number[]; std?: number };

// What synthetic quantized tensors hold: random codes, and scales that map them back to about WEIGHT_STD.
const SYN_CODES = { kind: 'bytes' } as const;
// Scales are chosen so that the dequantized weights keep the synthetic fp32 weight's spread: random codes have a
// spread of their own (uniform bytes: 73.9; uniform nibbles around 8: 4.61; NF4's table: 0.53), and weights that
// shrink or grow activations layer after layer would end in denormals or infinities, which run at other speeds.
const CODE_STD = { int8: 73.9, nibble: 4.61, nf4: 0.53 } as const;
const syntheticScale = (w: FloatWeight, codes: keyof typeof CODE_STD) => ({ kind: 'const', mean: (w.std ?? WEIGHT_STD) / CODE_STD[codes] } as const);

export interface QuantizeOptions {
  /** MatMulNBits / MatMulBnb4 / q4dq block size along K (a power of two ≥ 16). */
  blockSize?: number;
  /**
   * q4, q4f16 and q4dq with per-block zero points (asymmetric). Off by default, as in transformers.js's quantize
   * script: symmetric blocks (MatMulNBits' default zero point 8; int4 codes for q4dq) lose little and store less.
   */
  zeroPoints?: boolean;
  /** bnb4 data type: NF4 (1) or FP4 (0). */
  bnb4Type?: 0 | 1;
}

export interface QuantizeReport {
  level: Dtype;
  quantized: { node: string; op: string; weight: string; as: string }[];
  /** What the level changed in the model as a whole (e.g. q4dq moving it to opset 21). */
  notes: string[];
  skipped: { node: string; op: string; reason: string }[];
  /** Ops present in the model that this level leaves in float (counted by op type). */
  untouchedOps: Record<string, number>;
  bytesBefore: number;
  bytesAfter: number;
}

export interface QuantizedModel {
  bytes: Uint8Array;
  report: QuantizeReport;
}

export const QUANTIZE_LEVELS = ['fp16', 'q8', 'int8', 'uint8', 'q4', 'q4dq', 'q4f16', 'bnb4'] as const satisfies readonly Dtype[];

// NormalFloat4: the 16 quantiles of N(0, 1) scaled to [-1, 1] that bitsandbytes and MatMulBnb4 use (Dettmers et al. 2023).
const NF4 = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334,
  -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
  0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
] as const;
// FP4 (e2m1 as bitsandbytes lays it out): sign bit then magnitude codes, scaled so the largest is 1.
const FP4 = [0, 0.0052083333, 0.6666666667, 1.0, 0.3333333333, 0.5, 0.1666666667, 0.25, -0, -0.0052083333, -0.6666666667, -1.0, -0.3333333333, -0.5, -0.1666666667, -0.25] as const;

function attr(name: string, value: number | number[] | string | TensorProto, kind?: 'float'): AttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === 'number') return kind === 'float' ? { name, type: AttributeType.FLOAT, f: value } : { name, type: AttributeType.INT, i: value };
  return { name, type: AttributeType.TENSOR, t: value };
}

function makeNode(opType: string, input: string[], output: string[], attribute: AttributeProto[] = [], domain = ''): NodeProto {
  return { opType, input, output, attribute, domain, name: `${output[0]}_${opType}` };
}

const constantNode = (tensor: TensorProto): NodeProto => makeNode('Constant', [], [tensor.name], [attr('value', tensor)]);

/** Per-graph rewriting state: weights by name (outer scopes included), and unique names. */
class Rewriter {
  readonly weights = new Map<string, Weight>();
  private readonly names = new Set<string>();
  readonly report: QuantizeReport;

  constructor(readonly model: ModelProto, level: Dtype, bytesBefore: number) {
    for (const w of collectWeights(model)) this.weights.set(w.name, w);
    forEachGraph(model, (g) => {
      for (const n of g.node) for (const o of n.output) this.names.add(o);
      for (const t of g.initializer) this.names.add(t.name);
      for (const v of g.input) this.names.add(v.name);
    });
    this.report = { level, quantized: [], skipped: [], notes: [], untouchedOps: {}, bytesBefore, bytesAfter: 0 };
  }

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** A float weight's values and dims, or null when `name` is not a constant float tensor. */
  floatWeight(name: string | undefined): FloatWeight | null {
    const w = name ? this.weights.get(name) : undefined;
    if (!w || w.tensor.dataType !== DataType.FLOAT) return null;
    if (w.tensor.synthetic) return { values: null, dims: tensorDims(w.tensor), std: w.tensor.synthetic.std ?? WEIGHT_STD };
    const values = readFloats(w.tensor);
    return values ? { values, dims: tensorDims(w.tensor) } : null;
  }

  requireOpset(domain: string, version: number): void {
    const entry = this.model.opsetImport.find((o) => (o.domain || '') === domain);
    if (!entry) this.model.opsetImport = [...this.model.opsetImport, { domain, version }];
    else if (toNumber(entry.version) < version) entry.version = version;
  }
}

/** Drop nodes whose outputs nobody reads any more (the fp32 weights that were replaced). */
function pruneUnusedConstants(model: ModelProto): void {
  const used = new Set<string>();
  forEachGraph(model, (g) => {
    for (const n of g.node) for (const i of n.input) used.add(i);
    for (const o of g.output) used.add(o.name);
  });
  forEachGraph(model, (g) => {
    g.node = g.node.filter((n) => n.opType !== 'Constant' || n.output.some((o) => used.has(o)));
    g.initializer = g.initializer.filter((t) => used.has(t.name));
  });
}

// ---- 8-bit ----------------------------------------------------------------------------------------------

type Int8Scheme = { signed: boolean; perChannel: boolean };
const SCHEMES: Record<'q8' | 'int8' | 'uint8', Int8Scheme> = {
  // q8: per-output-channel symmetric int8 (best fidelity); int8: one symmetric scale per tensor;
  // uint8: one asymmetric scale and zero point per tensor (onnxruntime's QUInt8 weights).
  q8: { signed: true, perChannel: true },
  int8: { signed: true, perChannel: false },
  uint8: { signed: false, perChannel: false },
};

/**
 * Quantize `values` laid out as [channels, perChannel] (channel-major) or per tensor.
 * Symmetric int8 uses [-127, 127] so that negation stays exact; asymmetric uint8 maps [min, max] onto [0, 255].
 */
export function quantize8(values: Float32Array, channels: number, channelOf: (i: number) => number, scheme: Int8Scheme) {
  const groups = scheme.perChannel ? channels : 1;
  const lo = new Float64Array(groups).fill(0);
  const hi = new Float64Array(groups).fill(0);
  for (let i = 0; i < values.length; i++) {
    const g = scheme.perChannel ? channelOf(i) : 0;
    const v = values[i] as number;
    if (v < lo[g]!) lo[g] = v;
    if (v > hi[g]!) hi[g] = v;
  }
  const scale = new Float32Array(groups);
  const zero = scheme.signed ? new Int8Array(groups) : new Uint8Array(groups);
  for (let g = 0; g < groups; g++) {
    if (scheme.signed) {
      scale[g] = Math.max(Math.abs(lo[g]!), Math.abs(hi[g]!)) / 127 || 1;
    } else {
      scale[g] = (hi[g]! - lo[g]!) / 255 || 1;
      zero[g] = Math.min(255, Math.max(0, Math.round(-lo[g]! / scale[g]!)));
    }
  }
  const q = scheme.signed ? new Int8Array(values.length) : new Uint8Array(values.length);
  const [qmin, qmax] = scheme.signed ? [-127, 127] : [0, 255];
  for (let i = 0; i < values.length; i++) {
    const g = scheme.perChannel ? channelOf(i) : 0;
    q[i] = Math.min(qmax, Math.max(qmin, Math.round((values[i] as number) / scale[g]! + (zero[g] as number))));
  }
  return { q, scale, zero };
}

/** A weight as int8/uint8 codes, zero points and scales (per channel or per tensor); synthetic in, synthetic out. */
function int8Tensors(rw: Rewriter, base: string, w: FloatWeight, channels: number, channelOf: (i: number) => number, scheme: Int8Scheme) {
  const type = scheme.signed ? DataType.INT8 : DataType.UINT8;
  const groupDims = scheme.perChannel ? [channels] : [];
  const [zpName, scaleName] = [rw.unique(`${base}_zero_point`), rw.unique(`${base}_scale`)];
  if (!w.values) {
    return {
      wq: syntheticTensor(base, type, w.dims, SYN_CODES),
      wzp: syntheticTensor(zpName, type, groupDims, { kind: 'const', mean: scheme.signed ? 0 : 128 }),
      wscale: syntheticTensor(scaleName, DataType.FLOAT, groupDims, syntheticScale(w, 'int8')),
    };
  }
  const { q, scale, zero } = quantize8(w.values, channels, channelOf, scheme);
  return { wq: bytesTensor(base, type, w.dims, q), wzp: bytesTensor(zpName, type, groupDims, zero), wscale: floatTensor(scaleName, groupDims, scale) };
}

/** MatMul(A, W) → DynamicQuantizeLinear(A) + MatMulInteger + rescale, as onnxruntime's dynamic quantizer emits. */
function dynamicMatMul(rw: Rewriter, node: NodeProto, wName: string, w: FloatWeight, scheme: Int8Scheme, out: NodeProto[], y: string): void {
  const n = w.dims[1]!;
  const base = rw.unique(`${wName}_q8`);
  const { wq, wzp, wscale } = int8Tensors(rw, base, w, n, (i) => i % n, scheme);
  const [aq, as, az, yi, yf, s] = ['a_quantized', 'a_scale', 'a_zero_point', 'int32', 'float', 'scale'].map((p) => rw.unique(`${y}_${p}`)) as string[];
  out.push(constantNode(wq), constantNode(wzp), constantNode(wscale));
  out.push(makeNode('DynamicQuantizeLinear', [node.input[0]!], [aq!, as!, az!]));
  out.push(makeNode('MatMulInteger', [aq!, wq.name, az!, wzp.name], [yi!]));
  out.push(makeNode('Cast', [yi!], [yf!], [attr('to', DataType.FLOAT)]));
  out.push(makeNode('Mul', [as!, wscale.name], [s!]));
  out.push(makeNode('Mul', [yf!, s!], [y]));
}

/**
 * A weight → int8/uint8 + DequantizeLinear (weight-only: the file shrinks, compute stays float). `axis` is the
 * channel axis for per-channel scales: 0 for Conv's [Cout, …], 1 for MatMul's [K, N].
 */
function dequantizedWeight(rw: Rewriter, wName: string, w: FloatWeight, axis: 0 | 1, scheme: Int8Scheme, out: NodeProto[], cache: Map<string, string>): string {
  const cached = cache.get(wName);
  if (cached) return cached;
  const channels = w.dims[axis]!;
  const inner = w.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const base = rw.unique(`${wName}_quantized`);
  const { wq, wzp, wscale } = int8Tensors(rw, base, w, channels, (i) => Math.floor(i / inner) % channels, scheme);
  const deq = rw.unique(`${wName}_dequantized`);
  out.push(constantNode(wq), constantNode(wscale), constantNode(wzp));
  // Per-axis DequantizeLinear is ai.onnx from opset 13; older models (PP-OCR is opset 9 and 11) get
  // onnxruntime's com.microsoft DequantizeLinear, which has \`axis\` at any opset.
  const standard = (opsetVersion(rw.model) ?? 0) >= (scheme.perChannel ? 13 : 10);
  if (!standard) rw.requireOpset('com.microsoft', 1);
  out.push(makeNode('DequantizeLinear', [wq.name, wscale.name, wzp.name], [deq], scheme.perChannel ? [attr('axis', axis)] : [], standard ? '' : 'com.microsoft'));
  cache.set(wName, deq);
  return deq;
}

// ---- 4-bit ------------------------------------------------------------------------------------------------

/**
 * The scale of a symmetric 4-bit block with values in [lo, hi], as onnxruntime's own 4-bit quantizer picks it:
 * the value of largest magnitude maps exactly to code −8 (so the scale takes its opposite sign), and the other
 * side then fits in +7. With a positive scale, one side would clip at 7/8 of its largest value.
 */
export function symmetricScale(lo: number, hi: number): number {
  const extreme = -lo > hi ? lo : hi;
  return extreme / -8 || 1;
}

/**
 * MatMulNBits packing of W [K, N]: B uint8 [N, kBlocks, block/2] (low nibble = even k), scales [N·kBlocks],
 * zero points packed two per byte [N·ceil(kBlocks/2)] (low nibble first), or none (the kernel assumes 8).
 */
export function packNBits(values: Float32Array, k: number, n: number, block: number, withZeroPoints: boolean) {
  const kBlocks = Math.ceil(k / block);
  const b = new Uint8Array(n * kBlocks * (block / 2));
  const scales = new Float32Array(n * kBlocks);
  const zp = new Uint8Array(n * Math.ceil(kBlocks / 2));
  for (let col = 0; col < n; col++) {
    for (let kb = 0; kb < kBlocks; kb++) {
      let lo = 0;
      let hi = 0;
      for (let j = 0; j < block; j++) {
        const kk = kb * block + j;
        if (kk >= k) break;
        const v = values[kk * n + col] as number;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      let scale: number;
      let zero: number;
      if (withZeroPoints) {
        scale = (hi - lo) / 15 || 1;
        zero = Math.min(15, Math.max(0, Math.round(-lo / scale)));
      } else {
        scale = symmetricScale(lo, hi);
        zero = 8;
      }
      scales[col * kBlocks + kb] = scale;
      if (withZeroPoints) {
        const zi = col * Math.ceil(kBlocks / 2) + (kb >> 1);
        zp[zi] = (zp[zi] as number) | (kb & 1 ? zero << 4 : zero);
      }
      for (let j = 0; j < block; j++) {
        const kk = kb * block + j;
        const v = kk < k ? (values[kk * n + col] as number) : 0;
        const q = Math.min(15, Math.max(0, Math.round(v / scale + zero)));
        const bi = (col * kBlocks + kb) * (block / 2) + (j >> 1);
        b[bi] = (b[bi] as number) | (j & 1 ? q << 4 : q);
      }
    }
  }
  return { b, scales, zp: withZeroPoints ? zp : null, kBlocks };
}

/**
 * q4dq's blocks of W [K, N] along K: codes [K, N] row-major (int4 in [-8, 7], or uint4 in [0, 15] with zero
 * points), scales and zero points [kBlocks, N]. The same arithmetic as packNBits, in DequantizeLinear's layout.
 */
export function blockQuantize4(values: Float32Array, k: number, n: number, block: number, withZeroPoints: boolean) {
  const kBlocks = Math.ceil(k / block);
  const codes = new Int8Array(k * n);
  const scales = new Float32Array(kBlocks * n);
  const zeros = new Uint8Array(kBlocks * n);
  for (let kb = 0; kb < kBlocks; kb++) {
    for (let col = 0; col < n; col++) {
      let lo = 0;
      let hi = 0;
      for (let kk = kb * block; kk < Math.min(k, (kb + 1) * block); kk++) {
        const v = values[kk * n + col] as number;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const scale = withZeroPoints ? (hi - lo) / 15 || 1 : symmetricScale(lo, hi);
      const zero = withZeroPoints ? Math.min(15, Math.max(0, Math.round(-lo / scale))) : 0;
      const [qmin, qmax] = withZeroPoints ? [0, 15] : [-8, 7];
      scales[kb * n + col] = scale;
      zeros[kb * n + col] = zero;
      for (let kk = kb * block; kk < Math.min(k, (kb + 1) * block); kk++) {
        codes[kk * n + col] = Math.min(qmax, Math.max(qmin, Math.round((values[kk * n + col] as number) / scale + zero)));
      }
    }
  }
  return { codes, scales, zeros: withZeroPoints ? zeros : null, kBlocks };
}

/** 4-bit values packed two per byte as ONNX stores int4/uint4: element 2i in the low nibble, 2i+1 in the high. */
export function packNibbles(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) out[i >> 1] = (out[i >> 1] as number) | (((values[i] as number) & 15) << (i & 1 ? 4 : 0));
  return out;
}

/** MatMulBnb4 packing: Wᵀ [N, K] flattened, blocks of `block` values share an absmax; two codes per byte, first high. */
export function packBnb4(values: Float32Array, k: number, n: number, block: number, quantType: 0 | 1) {
  const table = quantType === 1 ? NF4 : FP4;
  const total = n * k;
  const blocks = Math.ceil(total / block);
  const absmax = new Float32Array(blocks);
  const at = (i: number) => values[(i % k) * n + Math.floor(i / k)] as number; // i over Wᵀ, row-major
  for (let i = 0; i < total; i++) absmax[Math.floor(i / block)] = Math.max(absmax[Math.floor(i / block)] as number, Math.abs(at(i)));
  const packed = new Uint8Array(Math.ceil(total / 2));
  for (let i = 0; i < total; i++) {
    const m = absmax[Math.floor(i / block)] || 1;
    const x = at(i) / m;
    let best = 0;
    for (let c = 1; c < 16; c++) if (Math.abs(table[c]! - x) < Math.abs(table[best]! - x)) best = c;
    packed[i >> 1] = (packed[i >> 1] as number) | (i & 1 ? best : best << 4);
  }
  return { packed, absmax };
}

// Ops whose meaning changed between opsets 13 and 21 beyond what a version bump keeps (DFT's axis became an input
// at 20, GridSample's modes were renamed at 20, GroupNormalization's scale shape changed at 21, RoiAlign's default
// coordinate mode at 16): a model with any of them keeps its opset.
const OPSET_21_BLOCKERS = new Set(['DFT', 'GridSample', 'GroupNormalization', 'RoiAlign']);
// Reductions whose `axes` moved from an attribute to an input at opset 18 (ReduceSum did at 13).
const AXES_INPUT_AT_18 = new Set(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']);

/**
 * Move a model at opset 13–20 to opset 21, where ai.onnx's DequantizeLinear takes int4 and `block_size`, moving
 * reductions' `axes` attributes to inputs as opset 18 wants. False (nothing changed) below 13, where too much
 * changed since (Softmax's axis, Squeeze's and Split's inputs, Clip's bounds), or with an op in OPSET_21_BLOCKERS.
 */
function upgradeToOpset21(rw: Rewriter): boolean {
  const version = opsetVersion(rw.model) ?? 0;
  if (version >= 21) return true;
  if (version < 13) return false;
  const standard = (n: NodeProto) => !n.domain || n.domain === 'ai.onnx';
  let blocked = false;
  forEachGraph(rw.model, (g) => (blocked ||= g.node.some((n) => standard(n) && OPSET_21_BLOCKERS.has(n.opType))));
  if (blocked) return false;
  forEachGraph(rw.model, (g) => {
    const out: NodeProto[] = [];
    for (const n of g.node) {
      const axes = version < 18 && standard(n) && AXES_INPUT_AT_18.has(n.opType) ? getAttribute(n, 'axes') : undefined;
      if (axes) {
        const values = (axes.ints ?? []).map(toNumber);
        const t = bytesTensor(rw.unique(`${n.output[0]}_axes`), DataType.INT64, [values.length], new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer));
        out.push(constantNode(t));
        n.attribute = n.attribute.filter((a) => a.name !== 'axes');
        n.input = [n.input[0]!, t.name];
      }
      out.push(n);
    }
    g.node = out;
  });
  rw.model.opsetImport = rw.model.opsetImport.map((o) => (!o.domain || o.domain === 'ai.onnx' ? { ...o, version: 21 } : o));
  // Opset 21 needs IR version 10 (int4 is an IR 10 type).
  if (toNumber(rw.model.irVersion) < 10) rw.model.irVersion = 10;
  return true;
}

/**
 * W [K, N] → 4-bit blocks + DequantizeLinear → fp32 [K, N] (q4dq). Every input of the dequantization is a
 * constant, so onnxruntime folds it to an fp32 weight once at load when the session sets
 * `session.disable_quant_qdq` (otherwise it keeps the DequantizeLinear for QDQ fusion and runs it every call).
 * From opset 21 (models at 13–20 are moved there first, see upgradeToOpset21): ai.onnx DequantizeLinear with
 * int4 codes and `block_size`. Models that cannot move get onnxruntime's com.microsoft DequantizeLinear, per
 * axis over rows of one block ([kBlocks·N, block], one scale a row), then Reshape, Transpose and Reshape back to
 * [K, N], and Slice where K is not a whole number of blocks. That form costs more memory while loading:
 * onnxruntime keeps every folded intermediate (three fp32 copies of each weight) until folding ends. Scales and
 * zero points stay DequantizeLinear inputs, so the inspector counts only the codes as parameters.
 */
function dequantized4Weight(rw: Rewriter, wName: string, w: FloatWeight, opts: Required<QuantizeOptions>, out: NodeProto[], cache: Map<string, string>): string {
  const cached = cache.get(wName);
  if (cached) return cached;
  const [k, n] = w.dims as [number, number];
  const block = opts.blockSize;
  const zp = opts.zeroPoints;
  const codeType = zp ? DataType.UINT4 : DataType.INT4;
  const q = w.values ? blockQuantize4(w.values, k, n, block, zp) : null;
  const kBlocks = Math.ceil(k / block);
  const base = rw.unique(`${wName}_q4dq`);
  const [sName, zName, deq] = [rw.unique(`${wName}_scales`), rw.unique(`${wName}_zero_points`), rw.unique(`${wName}_dequantized`)];
  const standard = (opsetVersion(rw.model) ?? 0) >= 21;
  // Standard: codes [K, N], scales [kBlocks, N]. Per-axis rows: codes [kBlocks·N, block] (row kb·N + n holds
  // block kb of column n, zero-padded past K), scales [kBlocks·N], the same order as the standard's.
  const codeDims = standard ? [k, n] : [kBlocks * n, block];
  const scaleDims = standard ? [kBlocks, n] : [kBlocks * n];
  let codes: TensorProto;
  if (!q) codes = syntheticTensor(base, codeType, codeDims, SYN_CODES);
  else if (standard) codes = bytesTensor(base, codeType, codeDims, packNibbles(q.codes));
  else {
    const rows = new Int8Array(kBlocks * n * block);
    for (let kk = 0; kk < k; kk++) for (let col = 0; col < n; col++) rows[(Math.floor(kk / block) * n + col) * block + (kk % block)] = q.codes[kk * n + col]!;
    codes = bytesTensor(base, codeType, codeDims, packNibbles(rows));
  }
  const scales = q ? floatTensor(sName, scaleDims, q.scales) : syntheticTensor(sName, DataType.FLOAT, scaleDims, syntheticScale(w, 'nibble'));
  const zeros = !zp ? null : q?.zeros ? bytesTensor(zName, DataType.UINT4, scaleDims, packNibbles(q.zeros)) : syntheticTensor(zName, DataType.UINT4, scaleDims, { kind: 'const', mean: 8 });
  out.push(constantNode(codes), constantNode(scales));
  if (zeros) out.push(constantNode(zeros));
  const dqInputs = [codes.name, scales.name, ...(zeros ? [zeros.name] : [])];
  if (standard) {
    out.push(makeNode('DequantizeLinear', dqInputs, [deq], [attr('axis', 0), attr('block_size', block)]));
  } else {
    rw.requireOpset('com.microsoft', 1);
    const [rowsF, blocks3, blocksT, padded] = ['rows', 'blocks', 'blocks_t', 'padded'].map((p) => rw.unique(`${wName}_q4dq_${p}`)) as [string, string, string, string];
    const int64 = (name: string, values: number[]) => {
      const t = bytesTensor(rw.unique(name), DataType.INT64, [values.length], new Uint8Array(BigInt64Array.from(values, BigInt).buffer));
      out.push(constantNode(t));
      return t.name;
    };
    out.push(makeNode('DequantizeLinear', dqInputs, [rowsF], [attr('axis', 0)], 'com.microsoft'));
    out.push(makeNode('Reshape', [rowsF, int64(`${wName}_q4dq_shape3`, [kBlocks, n, block])], [blocks3]));
    out.push(makeNode('Transpose', [blocks3], [blocksT], [attr('perm', [0, 2, 1])]));
    out.push(makeNode('Reshape', [blocksT, int64(`${wName}_q4dq_shape2`, [kBlocks * block, n])], [kBlocks * block === k ? deq : padded]));
    if (kBlocks * block !== k) {
      // Slice takes its bounds as inputs from opset 10, as attributes before.
      if ((opsetVersion(rw.model) ?? 0) >= 10) out.push(makeNode('Slice', [padded, int64(`${wName}_q4dq_starts`, [0]), int64(`${wName}_q4dq_ends`, [k]), int64(`${wName}_q4dq_axes`, [0])], [deq]));
      else out.push(makeNode('Slice', [padded], [deq], [attr('starts', [0]), attr('ends', [k]), attr('axes', [0])]));
    }
  }
  cache.set(wName, deq);
  return deq;
}

// ---- fp16 -------------------------------------------------------------------------------------------------

/** Inputs that must stay float32 whatever the model's compute type, by op and slot. */
const FLOAT32_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Resize: [1, 2],
  Upsample: [1],
  DynamicQuantizeLinear: [0],
  DequantizeLinear: [1],
};

function retypeValueInfos(g: GraphProto, from: number, to: number): void {
  for (const v of [...g.input, ...g.output]) {
    const t = v.type?.tensorType;
    if (t && t.elemType === from) t.elemType = to;
  }
  // Intermediate types change everywhere: let the runtime infer them again.
  g.valueInfo = [];
}

/** Weights and compute in fp16; the main graph's float inputs and outputs stay float32 through Casts. */
function toFloat16(rw: Rewriter): void {
  const model = rw.model;
  const fp32Only = new Set<string>();
  forEachGraph(model, (g) => {
    for (const n of g.node) for (const slot of FLOAT32_SLOTS[n.opType] ?? []) if (n.input[slot]) fp32Only.add(n.input[slot]!);
  });
  // Collected afresh: a 4-bit pass before this one added scales that must turn fp16 too.
  for (const w of collectWeights(model)) {
    if (w.tensor.dataType !== DataType.FLOAT || fp32Only.has(w.name)) continue;
    if (w.tensor.synthetic) {
      w.tensor.dataType = DataType.FLOAT16;
      continue;
    }
    const values = readFloats(w.tensor)!;
    const half = float16Tensor(w.tensor.name, tensorDims(w.tensor), values);
    if (w.constantNode) getAttribute(w.constantNode, 'value')!.t = half;
    else Object.assign(w.tensor, { dataType: DataType.FLOAT16, rawData: half.rawData, floatData: [] });
  }
  forEachGraph(model, (g, depth) => {
    for (const n of g.node) {
      const to = getAttribute(n, 'to');
      if (n.opType === 'Cast' && to && toNumber(to.i) === DataType.FLOAT && !n.output.every((o) => fp32Only.has(o))) to.i = DataType.FLOAT16;
      const value = getAttribute(n, 'value');
      if (n.opType === 'ConstantOfShape' && value?.t?.dataType === DataType.FLOAT) value.t = float16Tensor(value.t.name, tensorDims(value.t), readFloats(value.t)!);
    }
    if (depth > 0) retypeValueInfos(g, DataType.FLOAT, DataType.FLOAT16);
  });
  const graph = model.graph!;
  const head: NodeProto[] = [];
  const tail: NodeProto[] = [];
  const rename = new Map<string, string>();
  for (const v of graph.input) {
    if (v.type?.tensorType?.elemType !== DataType.FLOAT || rw.weights.has(v.name)) continue;
    const half = rw.unique(`${v.name}_fp16`);
    head.push(makeNode('Cast', [v.name], [half], [attr('to', DataType.FLOAT16)]));
    rename.set(v.name, half);
  }
  const renameInputs = (g: GraphProto) => g.node.forEach((n) => (n.input = n.input.map((i) => rename.get(i) ?? i)));
  forEachGraph(model, renameInputs);
  for (const v of graph.output) {
    if (v.type?.tensorType?.elemType !== DataType.FLOAT) continue;
    const half = rw.unique(`${v.name}_fp16`);
    for (const n of graph.node) n.output = n.output.map((o) => (o === v.name ? half : o));
    forEachGraph(model, (g) => g.node.forEach((n) => (n.input = n.input.map((i) => (i === v.name ? half : i)))));
    tail.push(makeNode('Cast', [half], [v.name], [attr('to', DataType.FLOAT)]));
  }
  graph.node = [...head, ...graph.node, ...tail];
  graph.valueInfo = [];
}

// ---- driver -----------------------------------------------------------------------------------------------

function quantizeGraphs(rw: Rewriter, level: Exclude<Dtype, 'fp32' | 'fp16'>, opts: Required<QuantizeOptions>): void {
  const four = level === 'q4' || level === 'q4dq' || level === 'q4f16' || level === 'bnb4';
  const scheme = four ? null : SCHEMES[level];
  if (level === 'q4dq') {
    const from = opsetVersion(rw.model) ?? 0;
    if (!upgradeToOpset21(rw)) rw.report.notes.push(`opset ${from} cannot move to 21: 4-bit weights use com.microsoft DequantizeLinear with Reshape and Transpose, which need about three fp32 copies of the weights while loading`);
    else if (from < 21) rw.report.notes.push(`moved from opset ${from} to 21 for int4 DequantizeLinear`);
  }
  forEachGraph(rw.model, (g) => {
    const out: NodeProto[] = [];
    const dqCache = new Map<string, string>();
    for (const node of g.node) {
      const label = nodeLabel(node);
      const isMatMul = node.opType === 'MatMul' && !node.domain;
      const isGemm = node.opType === 'Gemm' && !node.domain;
      const isConv = node.opType === 'Conv' && !node.domain;
      if (!isMatMul && !isGemm && !isConv) {
        out.push(node);
        continue;
      }
      const wName = node.input[1]!;
      const w = rw.floatWeight(wName);
      if (!w) {
        rw.report.skipped.push({ node: label, op: node.opType, reason: 'weight is not a constant float tensor (computed at run time)' });
        out.push(node);
        continue;
      }
      if (isConv) {
        if (!scheme) {
          rw.report.skipped.push({ node: label, op: 'Conv', reason: level === 'q4dq' ? 'q4dq quantizes MatMul and Gemm weights only: Conv left float' : 'no 4-bit Conv kernel in onnxruntime: left float' });
          out.push(node);
          continue;
        }
        const deq = dequantizedWeight(rw, wName, w, 0, scheme, out, dqCache);
        out.push({ ...node, input: node.input.map((x, i) => (i === 1 ? deq : x)) });
        rw.report.quantized.push({ node: label, op: 'Conv', weight: wName, as: `${scheme.signed ? 'int8' : 'uint8'} weight + DequantizeLinear` });
        continue;
      }
      // MatMul / Gemm with a 2-D constant weight.
      let values = w.values;
      let dims = w.dims;
      let bias: string | null = null;
      let alpha = 1;
      if (isGemm) {
        if (toNumber(getAttribute(node, 'transA')?.i) === 1) {
          rw.report.skipped.push({ node: label, op: 'Gemm', reason: 'transA = 1 is not rewritten' });
          out.push(node);
          continue;
        }
        alpha = getAttribute(node, 'alpha')?.f ?? 1;
        const beta = getAttribute(node, 'beta')?.f ?? 1;
        if (toNumber(getAttribute(node, 'transB')?.i) === 1 && dims.length === 2 && !values) dims = [dims[1]!, dims[0]!];
        else if (toNumber(getAttribute(node, 'transB')?.i) === 1 && dims.length === 2 && values) {
          const [n, k] = dims as [number, number];
          const t = new Float32Array(values.length);
          for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) t[c * n + r] = values[r * k + c] as number;
          values = t;
          dims = [k, n];
        }
        if (alpha !== 1 && values) values = values.map((v) => v * alpha);
        if (node.input[2]) {
          const c = rw.floatWeight(node.input[2]);
          if (c && beta !== 1) {
            const scaledName = rw.unique(`${node.input[2]}_scaled`);
            const scaled = c.values ? floatTensor(scaledName, c.dims, c.values.map((v) => v * beta)) : syntheticTensor(scaledName, DataType.FLOAT, c.dims, { kind: 'normal', std: WEIGHT_STD });
            out.push(constantNode(scaled));
            bias = scaled.name;
          } else if (beta === 1) bias = node.input[2];
          else {
            rw.report.skipped.push({ node: label, op: 'Gemm', reason: 'beta ≠ 1 with a computed bias is not rewritten' });
            out.push(node);
            continue;
          }
        }
      }
      if (dims.length !== 2) {
        rw.report.skipped.push({ node: label, op: node.opType, reason: `weight has rank ${dims.length}; only 2-D weights are quantized` });
        out.push(node);
        continue;
      }
      const [k, n] = dims as [number, number];
      const y = node.output[0]!;
      const mm = bias ? rw.unique(`${y}_matmul`) : y;
      const fitted = { values, dims: [k, n] };
      if (scheme && (opsetVersion(rw.model) ?? 0) < 11) {
        // DynamicQuantizeLinear and MatMulInteger need opset 11 and 10: older graphs get weight-only int8.
        const deq = dequantizedWeight(rw, isGemm ? rw.unique(`${wName}_t`) : wName, fitted, 1, scheme, out, dqCache);
        out.push(makeNode('MatMul', [node.input[0]!, deq], [mm]));
        rw.report.quantized.push({ node: label, op: node.opType, weight: wName, as: `${scheme.signed ? 'int8' : 'uint8'} weight + DequantizeLinear (opset < 11)` });
      } else if (scheme) {
        dynamicMatMul(rw, node, wName, fitted, scheme, out, mm);
        rw.report.quantized.push({ node: label, op: node.opType, weight: wName, as: `MatMulInteger (${scheme.signed ? 'int8' : 'uint8'} weight, ${scheme.perChannel ? 'per channel' : 'per tensor'})` });
      } else if (level === 'q4dq') {
        const deq = dequantized4Weight(rw, isGemm ? rw.unique(`${wName}_t`) : wName, fitted, opts, out, dqCache);
        out.push(makeNode('MatMul', [node.input[0]!, deq], [mm]));
        rw.report.quantized.push({ node: label, op: node.opType, weight: wName, as: `${opts.zeroPoints ? 'uint4 weight + zero points' : 'int4 weight'} (block ${opts.blockSize}) + DequantizeLinear, fp32 once loaded` });
      } else if (level === 'bnb4') {
        const [bName, mName] = [rw.unique(`${wName}_bnb4`), rw.unique(`${wName}_absmax`)];
        let b: TensorProto;
        let m: TensorProto;
        if (values) {
          const { packed, absmax } = packBnb4(values, k, n, opts.blockSize, opts.bnb4Type);
          [b, m] = [bytesTensor(bName, DataType.UINT8, [packed.length], packed), floatTensor(mName, [absmax.length], absmax)];
        } else {
          b = syntheticTensor(bName, DataType.UINT8, [Math.ceil((k * n) / 2)], SYN_CODES);
          m = syntheticTensor(mName, DataType.FLOAT, [Math.ceil((k * n) / opts.blockSize)], syntheticScale(w, 'nf4'));
        }
        rw.requireOpset('com.microsoft', 1);
        out.push(constantNode(b), constantNode(m));
        out.push(makeNode('MatMulBnb4', [node.input[0]!, b.name, m.name], [mm], [attr('K', k), attr('N', n), attr('block_size', opts.blockSize), attr('quant_type', opts.bnb4Type)], 'com.microsoft'));
        rw.report.quantized.push({ node: label, op: node.opType, weight: wName, as: `MatMulBnb4 (${opts.bnb4Type ? 'nf4' : 'fp4'}, block ${opts.blockSize})` });
      } else {
        const kBlocks = Math.ceil(k / opts.blockSize);
        const [bName, sName] = [rw.unique(`${wName}_q4`), rw.unique(`${wName}_scales`)];
        const packed = values ? packNBits(values, k, n, opts.blockSize, opts.zeroPoints) : null;
        const bt = packed ? bytesTensor(bName, DataType.UINT8, [n, kBlocks, opts.blockSize / 2], packed.b) : syntheticTensor(bName, DataType.UINT8, [n, kBlocks, opts.blockSize / 2], SYN_CODES);
        const st = packed ? floatTensor(sName, [n * kBlocks], packed.scales) : syntheticTensor(sName, DataType.FLOAT, [n * kBlocks], syntheticScale(w, 'nibble'));
        const inputs = [node.input[0]!, bt.name, st.name];
        out.push(constantNode(bt), constantNode(st));
        if (opts.zeroPoints) {
          const zName = rw.unique(`${wName}_zero_points`);
          const zDims = [n * Math.ceil(kBlocks / 2)];
          const zt = packed?.zp ? bytesTensor(zName, DataType.UINT8, zDims, packed.zp) : syntheticTensor(zName, DataType.UINT8, zDims, { kind: 'const', mean: 0x88 });
          out.push(constantNode(zt));
          inputs.push(zt.name);
        }
        rw.requireOpset('com.microsoft', 1);
        out.push(makeNode('MatMulNBits', inputs, [mm], [attr('K', k), attr('N', n), attr('bits', 4), attr('block_size', opts.blockSize)], 'com.microsoft'));
        rw.report.quantized.push({ node: label, op: node.opType, weight: wName, as: `MatMulNBits (4 bit, block ${opts.blockSize}${opts.zeroPoints ? ', zero points' : ''})` });
      }
      if (bias) out.push(makeNode('Add', [mm, bias], [y]));
    }
    g.node = out;
  });
}

/** Build one level from fp32 ONNX bytes. `what` names the input in errors. */
export function quantizeModel(fp32: Uint8Array, level: Dtype, options: QuantizeOptions = {}, what = 'the model'): QuantizedModel {
  const model = decodeModel(fp32, what);
  const report = quantizeGraph(model, level, options, what, fp32.byteLength);
  const bytes = encodeModel(model);
  report.bytesAfter = bytes.byteLength;
  return { bytes, report };
}

/**
 * Rewrite a model to one level, in place. Synthetic weights (replicas) are rewritten to synthetic tensors of the
 * level's types and shapes, so a replica of any size is quantized without its fp32 values ever existing.
 */
export function quantizeGraph(model: ModelProto, level: Dtype, options: QuantizeOptions = {}, what = 'the model', bytesBefore = 0): QuantizeReport {
  const opts: Required<QuantizeOptions> = { blockSize: 32, zeroPoints: false, bnb4Type: 1, ...options };
  if (!(opts.blockSize >= 16 && (opts.blockSize & (opts.blockSize - 1)) === 0)) {
    throw new Error(`block size ${opts.blockSize} is not valid: use a power of two ≥ 16 (32 is usual)`);
  }
  const rw = new Rewriter(model, level, bytesBefore);
  const external = [...rw.weights.values()].filter((w) => w.tensor.dataLocation === 1);
  if (external.length) throw new Error(`${what} keeps ${external.length} weights in external data files (e.g. "${external[0]!.name}"), which the quantizer does not read yet`);
  if ([...rw.weights.values()].some((w) => w.tensor.dataType === DataType.FLOAT16)) {
    throw new Error(`${what} already has fp16 weights: the quantizer starts from an fp32 model`);
  }
  if (level !== 'fp32' && level !== 'fp16') quantizeGraphs(rw, level, opts);
  if (level === 'fp16' || level === 'q4f16') toFloat16(rw);
  pruneUnusedConstants(model);
  if (level !== 'fp16') {
    // What still multiplies by a float weight after the rewrite: the ops this level left as they were.
    const floatWeights = new Set(collectWeights(model).filter((w) => w.tensor.dataType === DataType.FLOAT || w.tensor.dataType === DataType.FLOAT16).map((w) => w.name));
    forEachGraph(model, (g) => {
      for (const n of g.node) {
        if (['MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'LSTM', 'GRU'].includes(n.opType) && n.input.slice(1).some((i) => floatWeights.has(i))) {
          rw.report.untouchedOps[n.opType] = (rw.report.untouchedOps[n.opType] ?? 0) + 1;
        }
      }
    });
  }
  return rw.report;
}

/** Bytes of all weights in a model (for size ratios independent of graph overhead). */
export function weightBytesOf(bytes: Uint8Array): number {
  return collectWeights(decodeModel(bytes)).reduce((s, w) => s + tensorBytes(w.tensor), 0);
}
