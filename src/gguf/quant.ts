/**
 * Encoding fp32 rows into the ggml types ondevice writes, and decoding them back (for tests and checks). The block
 * quantizers of 32 follow ggml's reference ones (quantize_row_q8_0_ref, _q4_0_ref, _q5_0_ref in ggml-quants.c), which
 * llama.cpp's own converter uses, so a file made here holds what llama-quantize would make from the same values:
 *   Q8_0: d = absmax / 127, q = round(x / d) (half away from zero), value = q · d.
 *   Q4_0: d = m / −8 where m is the value of largest magnitude (sign kept), q = min(15, trunc(x / d + 8.5)),
 *         value = (q − 8) · d; so m itself maps to q = 0 exactly, and the other end reaches +7·|d|.
 *   Q5_0: the same at 5 bits: d = m / −16, q = min(31, trunc(x / d + 16.5)), value = (q − 16) · d.
 * All store d as fp16, and compute with the fp32 d (as the reference does) before rounding it. Q4_K and Q6_K
 * (super-blocks of 256) are kquant.ts's.
 */
import { toHalfBits } from '../core/inputs.ts';
import { halfToFloat } from '../onnx/tensor.ts';
import { GGML_BLOCK, GgmlType } from './format.ts';
import { decodeQ4K, decodeQ6K, encodeQ4K, encodeQ6K, Q4_K_BYTES, Q6_K_BYTES, QK_K } from './kquant.ts';

const QK = 32;

const f32 = Math.fround;

/** Bytes that `count` values take in `type` (`count` a multiple of the block size). */
export function encodedBytes(type: GgmlType, count: number): number {
  const b = GGML_BLOCK[type];
  if (count % b.values !== 0) throw new Error(`${GgmlType[type]} encodes whole blocks of ${b.values} values; got ${count}`);
  return (count / b.values) * b.bytes;
}

/** Encode `src` (a whole number of blocks) as `type` into `out` (exactly encodedBytes long). */

/** The value of largest magnitude in the block of QK at `base`, with its sign (the first one on a tie), as ggml's Q4_0/Q5_0 take it. */
function signedAbsMax(src: ArrayLike<number>, base: number): number {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK; j++) {
    const x = src[base + j]!;
    if (amax < Math.abs(x)) {
      amax = Math.abs(x);
      max = x;
    }
  }
  return max;
}

export function encodeValues(type: GgmlType, src: Float32Array, out: Uint8Array): void {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (out.byteLength !== encodedBytes(type, src.length))
    throw new Error(`encode: ${src.length} values need ${encodedBytes(type, src.length)} bytes, got ${out.byteLength}`);
  switch (type) {
    case GgmlType.F32:
      for (let i = 0; i < src.length; i++) v.setFloat32(i * 4, src[i]!, true);
      return;
    case GgmlType.F16:
      for (let i = 0; i < src.length; i++) v.setUint16(i * 2, toHalfBits(src[i]!), true);
      return;
    case GgmlType.Q8_0:
      for (let b = 0; b < src.length / QK; b++) {
        const base = b * QK;
        const o = b * 34;
        let amax = 0;
        for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(src[base + j]!));
        const d = f32(amax / 127);
        const id = d ? f32(1 / d) : 0;
        v.setUint16(o, toHalfBits(d), true);
        for (let j = 0; j < QK; j++) {
          const x = f32(src[base + j]! * id);
          v.setInt8(o + 2 + j, Math.sign(x) * Math.round(Math.abs(x))); // roundf: half away from zero
        }
      }
      return;
    case GgmlType.Q4_0:
      for (let b = 0; b < src.length / QK; b++) {
        const base = b * QK;
        const o = b * 18;
        const max = signedAbsMax(src, base);
        const d = f32(max / -8);
        const id = d ? f32(1 / d) : 0;
        v.setUint16(o, toHalfBits(d), true);
        const nibble = (x: number): number => Math.min(15, Math.trunc(f32(f32(x * id) + 8.5)));
        for (let j = 0; j < QK / 2; j++) out[o + 2 + j] = nibble(src[base + j]!) | (nibble(src[base + j + QK / 2]!) << 4);
      }
      return;
    case GgmlType.Q5_0:
      for (let b = 0; b < src.length / QK; b++) {
        const base = b * QK;
        const o = b * 22;
        const max = signedAbsMax(src, base);
        const d = f32(max / -16);
        const id = d ? f32(1 / d) : 0;
        v.setUint16(o, toHalfBits(d), true);
        const level = (x: number): number => Math.min(31, Math.trunc(f32(f32(x * id) + 16.5)));
        let qh = 0;
        for (let j = 0; j < QK / 2; j++) {
          const [q0, q1] = [level(src[base + j]!), level(src[base + j + QK / 2]!)];
          out[o + 6 + j] = (q0 & 0x0f) | ((q1 & 0x0f) << 4);
          qh |= ((q0 >> 4) << j) | ((q1 >> 4) << (j + QK / 2));
        }
        v.setUint32(o + 2, qh >>> 0, true);
      }
      return;
    case GgmlType.Q4_K:
      for (let b = 0; b < src.length / QK_K; b++) encodeQ4K(src, b * QK_K, out, b * Q4_K_BYTES);
      return;
    case GgmlType.Q6_K:
      for (let b = 0; b < src.length / QK_K; b++) encodeQ6K(src, b * QK_K, out, b * Q6_K_BYTES);
      return;
  }
}

/** Decode `count` values of `type` from `bytes` (ggml's dequantize_row_* for the block types). */
export function decodeValues(type: GgmlType, bytes: Uint8Array, count: number): Float32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  switch (type) {
    case GgmlType.F32:
      for (let i = 0; i < count; i++) out[i] = v.getFloat32(i * 4, true);
      break;
    case GgmlType.F16:
      for (let i = 0; i < count; i++) out[i] = halfToFloat(v.getUint16(i * 2, true));
      break;
    case GgmlType.Q8_0:
      for (let b = 0; b < count / QK; b++) {
        const d = halfToFloat(v.getUint16(b * 34, true));
        for (let j = 0; j < QK; j++) out[b * QK + j] = v.getInt8(b * 34 + 2 + j) * d;
      }
      break;
    case GgmlType.Q4_0:
      for (let b = 0; b < count / QK; b++) {
        const d = halfToFloat(v.getUint16(b * 18, true));
        for (let j = 0; j < QK / 2; j++) {
          const q = bytes[b * 18 + 2 + j]!;
          out[b * QK + j] = ((q & 0x0f) - 8) * d;
          out[b * QK + j + QK / 2] = ((q >> 4) - 8) * d;
        }
      }
      break;
    case GgmlType.Q5_0:
      for (let b = 0; b < count / QK; b++) {
        const d = halfToFloat(v.getUint16(b * 22, true));
        const qh = v.getUint32(b * 22 + 2, true);
        for (let j = 0; j < QK / 2; j++) {
          const q = bytes[b * 22 + 6 + j]!;
          out[b * QK + j] = (((q & 0x0f) | (((qh >>> j) << 4) & 0x10)) - 16) * d;
          out[b * QK + j + QK / 2] = (((q >> 4) | ((qh >>> (j + 12)) & 0x10)) - 16) * d;
        }
      }
      break;
    case GgmlType.Q4_K:
      for (let b = 0; b < count / QK_K; b++) decodeQ4K(bytes, b * Q4_K_BYTES, out, b * QK_K);
      break;
    case GgmlType.Q6_K:
      for (let b = 0; b < count / QK_K; b++) decodeQ6K(bytes, b * Q6_K_BYTES, out, b * QK_K);
      break;
  }
  return out;
}
