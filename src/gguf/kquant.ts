/**
 * llama.cpp's k-quants Q4_K and Q6_K: super-blocks of 256 values (layouts in format.ts, from ggml-common.h).
 *
 * Decoding follows ggml's reference dequantization (dequantize_row_q4_K, dequantize_row_q6_K in ggml-quants.c) step
 * for step in fp32, so a value read here is the value llama.cpp computes from the same bytes:
 *   Q4_K: d1 = d · sc_j, m1 = dmin · m_j, value = d1 · q − m1;
 *   Q6_K: value = (d · scale) · (q − 32).
 *
 * Encoding is ondevice's own, simpler than llama.cpp's quantize_row_q4_K_ref / _q6_K_ref (whose scale search is
 * elaborate): it makes valid blocks of the same layout, and its error is measured against Q4_0 and Q8_0 in the tests.
 *   Q4_K: each sub-block of 32 gets an affine fit s·q − m (m ≥ 0): levels set by candidate steps around
 *         (max − min(0, min x)) / 15, then s and m by least squares, the least error winning; the super-block stores d = max s / 63 and dmin = max(−lo) / 63 as fp16, 6-bit
 *         multiples of them, and the values are then quantized again against the scales as stored.
 *   Q6_K: each sub-block of 16 gets the signed scale that maps its value of largest magnitude to −32 (Q4_0's rule
 *         at 6 bits); the super-block stores d = 1 / iscale, iscale = −128 / (the sub-block scale of largest
 *         magnitude), the 8-bit multiples of d, and the values are quantized against the scales as stored.
 */
import { toHalfBits } from '../core/inputs.ts';
import { halfToFloat } from '../onnx/tensor.ts';

export const QK_K = 256;
export const Q4_K_BYTES = 144;
export const Q6_K_BYTES = 210;

const f32 = Math.fround;
/** fp32 → fp16 → fp32: the value a stored fp16 scale decodes to. */
const half = (x: number): number => halfToFloat(toHalfBits(x));
const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);
/** Scratch for one sub-block's levels (the encoders run one block at a time). */
const LEVELS = new Uint8Array(32);

/** Sub-block j's 6-bit scale and min from Q4_K's 12 packed bytes at `at` (ggml's get_scale_min_k4). */
export function scaleMinK4(bytes: Uint8Array, at: number, j: number): [number, number] {
  if (j < 4) return [bytes[at + j]! & 63, bytes[at + j + 4]! & 63];
  return [(bytes[at + j + 4]! & 0x0f) | ((bytes[at + j - 4]! >> 6) << 4), (bytes[at + j + 4]! >> 4) | ((bytes[at + j]! >> 6) << 4)];
}

/** Pack eight 6-bit scales and mins into Q4_K's 12 bytes at `at` (the inverse of scaleMinK4). */
function packScaleMinK4(out: Uint8Array, at: number, sc: readonly number[], mn: readonly number[]): void {
  for (let j = 0; j < 12; j++) out[at + j] = 0;
  for (let j = 0; j < 8; j++) {
    if (j < 4) {
      out[at + j] = sc[j]!;
      out[at + j + 4] = mn[j]!;
    } else {
      out[at + j + 4] = (sc[j]! & 0x0f) | ((mn[j]! & 0x0f) << 4);
      out[at + j - 4]! |= (sc[j]! >> 4) << 6;
      out[at + j]! |= (mn[j]! >> 4) << 6;
    }
  }
}

/**
 * The affine fit x ≈ s·q − m (q in 0..15, m ≥ 0) of one sub-block: the scale and the min, both ≥ 0. Candidate
 * steps around (max − min) / 15 each set the levels, then least squares fits s and m to those levels; the fit of least
 * squared error wins (a narrower range can round better than the full one).
 */
function fitAffine(x: Float32Array, from: number, n: number): { s: number; m: number } {
  let lo = 0;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, x[from + i]!);
    hi = Math.max(hi, x[from + i]!);
  }
  if (hi <= lo) return { s: 0, m: -lo };
  let [bestS, bestM, bestErr] = [(hi - lo) / 15, -lo, Infinity];
  for (let step = -4; step <= 4; step++) {
    const s0 = (hi - lo) / (15 + step / 4);
    let sq = 0;
    let sq2 = 0;
    let sx = 0;
    let sqx = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[from + i]!;
      const qi = clamp(Math.round((xi - lo) / s0), 0, 15);
      LEVELS[i] = qi;
      sq += qi;
      sq2 += qi * qi;
      sx += xi;
      sqx += qi * xi;
    }
    // Least squares for x ≈ s·q − m with the levels held; a min that would come out negative is held at 0.
    const det = n * sq2 - sq * sq;
    let s = det > 0 ? (n * sqx - sq * sx) / det : s0;
    let m = -(sx - s * sq) / n;
    if (m < 0) {
      m = 0;
      s = sq2 > 0 ? sqx / sq2 : s0;
    }
    if (!(s > 0)) continue;
    let err = 0;
    for (let i = 0; i < n; i++) err += (s * LEVELS[i]! - m - x[from + i]!) ** 2;
    if (err < bestErr) [bestS, bestM, bestErr] = [s, m, err];
  }
  return { s: bestS, m: bestM };
}

/** Encode 256 values from `x` at `from` as one Q4_K block into `out` at `at`. */
export function encodeQ4K(x: Float32Array, from: number, out: Uint8Array, at: number): void {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const fits = Array.from({ length: 8 }, (_, j) => fitAffine(x, from + 32 * j, 32));
  const maxS = Math.max(...fits.map((f) => f.s));
  const maxM = Math.max(...fits.map((f) => f.m));
  const d = f32(maxS / 63);
  const dmin = f32(maxM / 63);
  const sc = fits.map((f) => (d > 0 ? clamp(Math.round(f.s / d), 0, 63) : 0));
  const mn = fits.map((f) => (dmin > 0 ? clamp(Math.round(f.m / dmin), 0, 63) : 0));
  v.setUint16(at, toHalfBits(d), true);
  v.setUint16(at + 2, toHalfBits(dmin), true);
  packScaleMinK4(out, at + 4, sc, mn);
  const [dh, mh] = [half(d), half(dmin)];
  const q = new Uint8Array(QK_K);
  for (let j = 0; j < 8; j++) {
    const [ls, lm] = scaleMinK4(out, at + 4, j);
    const dj = f32(dh * ls);
    const mj = f32(mh * lm);
    for (let i = 0; i < 32; i++) q[32 * j + i] = dj > 0 ? clamp(Math.round((x[from + 32 * j + i]! + mj) / dj), 0, 15) : 0;
  }
  for (let c = 0; c < 4; c++) for (let l = 0; l < 32; l++) out[at + 16 + 32 * c + l] = q[64 * c + l]! | (q[64 * c + 32 + l]! << 4);
}

/** Decode one Q4_K block at `at` into `y` at `to` (dequantize_row_q4_K). */
export function decodeQ4K(bytes: Uint8Array, at: number, y: Float32Array, to: number): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const d = halfToFloat(v.getUint16(at, true));
  const dmin = halfToFloat(v.getUint16(at + 2, true));
  for (let c = 0; c < 4; c++) {
    const [s1, m1] = scaleMinK4(bytes, at + 4, 2 * c);
    const [s2, m2] = scaleMinK4(bytes, at + 4, 2 * c + 1);
    const [d1, min1, d2, min2] = [f32(d * s1), f32(dmin * m1), f32(d * s2), f32(dmin * m2)];
    for (let l = 0; l < 32; l++) {
      const q = bytes[at + 16 + 32 * c + l]!;
      y[to + 64 * c + l] = f32(d1 * (q & 0x0f)) - min1;
      y[to + 64 * c + 32 + l] = f32(d2 * (q >> 4)) - min2;
    }
  }
}

/** Encode 256 values from `x` at `from` as one Q6_K block into `out` at `at`. */
export function encodeQ6K(x: Float32Array, from: number, out: Uint8Array, at: number): void {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const scales = Array.from({ length: 16 }, (_, b) => {
    let big = 0;
    for (let i = 0; i < 16; i++) if (Math.abs(x[from + 16 * b + i]!) > Math.abs(big)) big = x[from + 16 * b + i]!;
    return big / -32;
  });
  const maxScale = scales.reduce((a, s) => (Math.abs(s) > Math.abs(a) ? s : a), 0);
  for (let i = 0; i < Q6_K_BYTES; i++) out[at + i] = 0;
  if (maxScale === 0) return; // all zero: d = 0, every value decodes to 0
  const iscale = f32(-128 / maxScale);
  v.setUint16(at + 208, toHalfBits(f32(1 / iscale)), true);
  const dh = halfToFloat(v.getUint16(at + 208, true));
  const q = new Uint8Array(QK_K);
  for (let b = 0; b < 16; b++) {
    const sc = clamp(Math.round(iscale * scales[b]!), -128, 127);
    v.setInt8(at + 192 + b, sc);
    const db = f32(dh * sc);
    for (let i = 0; i < 16; i++) q[16 * b + i] = db ? clamp(Math.round(x[from + 16 * b + i]! / db), -32, 31) + 32 : 32;
  }
  for (let h = 0; h < 2; h++)
    for (let l = 0; l < 32; l++) {
      const [q0, q1, q2, q3] = [0, 1, 2, 3].map((k) => q[128 * h + l + 32 * k]!) as [number, number, number, number];
      out[at + 64 * h + l] = (q0 & 0x0f) | ((q2 & 0x0f) << 4);
      out[at + 64 * h + 32 + l] = (q1 & 0x0f) | ((q3 & 0x0f) << 4);
      out[at + 128 + 32 * h + l] = (q0 >> 4) | ((q1 >> 4) << 2) | ((q2 >> 4) << 4) | ((q3 >> 4) << 6);
    }
}

/** Decode one Q6_K block at `at` into `y` at `to` (dequantize_row_q6_K). */
export function decodeQ6K(bytes: Uint8Array, at: number, y: Float32Array, to: number): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const d = halfToFloat(v.getUint16(at + 208, true));
  for (let h = 0; h < 2; h++)
    for (let l = 0; l < 32; l++) {
      const lo = bytes[at + 64 * h + l]!;
      const hi = bytes[at + 64 * h + 32 + l]!;
      const qh = bytes[at + 128 + 32 * h + l]!;
      const q = [(lo & 0x0f) | ((qh & 3) << 4), (hi & 0x0f) | (((qh >> 2) & 3) << 4), (lo >> 4) | (((qh >> 4) & 3) << 4), (hi >> 4) | (((qh >> 6) & 3) << 4)];
      for (let k = 0; k < 4; k++) {
        const i = 128 * h + l + 32 * k;
        y[to + i] = f32(f32(d * v.getInt8(at + 192 + (i >> 4))) * (q[k]! - 32));
      }
    }
}
