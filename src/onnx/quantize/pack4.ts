/**
 * 4-bit arithmetic on plain arrays: block scales (symmetric or with zero points), MatMulNBits packing, q4dq's
 * blocks, int4/uint4 nibble packing, and MatMulBnb4's NF4/FP4 codes.
 */

// NormalFloat4: the 16 quantiles of N(0, 1) scaled to [-1, 1] that bitsandbytes and MatMulBnb4 use (Dettmers et al. 2023).
const NF4 = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
] as const;
// FP4 (e2m1 as bitsandbytes lays it out): sign bit then magnitude codes, scaled so the largest is 1.
const FP4 = [
  0, 0.0052083333, 0.6666666667, 1.0, 0.3333333333, 0.5, 0.1666666667, 0.25, -0, -0.0052083333, -0.6666666667, -1.0, -0.3333333333, -0.5, -0.1666666667, -0.25,
] as const;

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
