/**
 * The 8-bit levels (q8, int8, uint8): codes, scales and zero points; MatMul and Gemm as MatMulInteger on a
 * dynamically quantized input; weight-only int8 + DequantizeLinear for Conv and for graphs below opset 11.
 */
import { opsetVersion, type NodeProto } from '../model.ts';
import { DataType } from '../onnx-schema.ts';
import { syntheticTensor } from '../synthetic.ts';
import { bytesTensor, floatTensor } from '../tensor.ts';
import { attr, constantNode, makeNode, SYN_CODES, syntheticScale, type FloatWeight, type Rewriter } from './rewriter.ts';

type Int8Scheme = { signed: boolean; perChannel: boolean };
export const SCHEMES: Record<'q8' | 'int8' | 'uint8', Int8Scheme> = {
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
export function dynamicMatMul(rw: Rewriter, node: NodeProto, wName: string, w: FloatWeight, scheme: Int8Scheme, out: NodeProto[], y: string): void {
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
export function dequantizedWeight(
  rw: Rewriter,
  wName: string,
  w: FloatWeight,
  axis: 0 | 1,
  scheme: Int8Scheme,
  out: NodeProto[],
  cache: Map<string, string>,
): string {
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
  out.push(
    makeNode('DequantizeLinear', [wq.name, wscale.name, wzp.name], [deq], scheme.perChannel ? [attr('axis', axis)] : [], standard ? '' : 'com.microsoft'),
  );
  cache.set(wName, deq);
  return deq;
}
