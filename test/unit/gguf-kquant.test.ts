// llama.cpp's k-quants (Q4_K, Q6_K), Q5_0 and the q4_k_m mix. Hand-made blocks decode to the values the reference
// formulas of ggml's dequantize_row_* give (worked out here, independently of the decoder); our encoder's blocks
// decode close to their inputs (RMS error against Q4_0 and Q8_0 on the same weights); the mix picks llama.cpp's types.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.ts';
import { toHalfBits } from '../../src/core/inputs.ts';
import { GgmlType } from '../../src/gguf/format.ts';
import { matrixType, useMoreBits } from '../../src/gguf/levels.ts';
import { decodeValues, encodedBytes, encodeValues } from '../../src/gguf/quant.ts';
import { readGgufHeader } from '../../src/gguf/read.ts';
import { ggufReplica } from '../../src/gguf/replica.ts';

const encode = (type: GgmlType, values: Float32Array): Uint8Array => {
  const out = new Uint8Array(encodedBytes(type, values.length));
  encodeValues(type, values, out);
  return out;
};

describe('hand-made blocks decode as the reference formulas say', () => {
  it('Q4_K: value = d·sc_j·q − dmin·m_j with 6-bit scales and mins packed in 12 bytes, nibbles 64 values per 32 bytes', () => {
    const sc = [1, 2, 3, 4, 33, 34, 63, 5];
    const mn = [0, 1, 2, 3, 40, 41, 62, 7];
    const b = new Uint8Array(144);
    const v = new DataView(b.buffer);
    v.setUint16(0, toHalfBits(0.5), true); // d
    v.setUint16(2, toHalfBits(0.25), true); // dmin
    // bytes 4..15: j < 4 in the low 6 bits of bytes j (scale) and j + 4 (min); j ≥ 4 as a low nibble pair in byte j + 4
    // and their top 2 bits in the high bits of bytes j − 4 (scale) and j (min).
    for (let j = 0; j < 4; j++) {
      b[4 + j] = sc[j]! | ((sc[j + 4]! >> 4) << 6);
      b[4 + j + 4] = mn[j]! | ((mn[j + 4]! >> 4) << 6);
      b[4 + j + 8] = (sc[j + 4]! & 15) | ((mn[j + 4]! & 15) << 4);
    }
    // Byte 16 + 32c + l: low nibble = value 64c + l, high nibble = value 64c + 32 + l.
    for (let c = 0; c < 4; c++) for (let l = 0; l < 32; l++) b[16 + 32 * c + l] = (l & 15) | (((l + c) & 15) << 4);
    const got = decodeValues(GgmlType.Q4_K, b, 256);
    for (let i = 0; i < 256; i++) {
      const [c, w] = [Math.floor(i / 64), i % 64];
      const j = 2 * c + (w >= 32 ? 1 : 0);
      const q = w < 32 ? w & 15 : (w - 32 + c) & 15;
      expect(got[i], `value ${i}`).toBe(0.5 * sc[j]! * q - 0.25 * mn[j]!);
    }
  });

  it('Q6_K: value = d·scale[i/16]·(q − 32), q from ql nibbles and qh 2-bit pairs, in two halves of 128', () => {
    const b = new Uint8Array(210);
    const v = new DataView(b.buffer);
    const q = Array.from({ length: 256 }, (_, i) => (i * 7 + 3) % 64);
    const scales = Array.from({ length: 16 }, (_, k) => (k % 2 ? -1 : 1) * (k * 8 + 1)); // −121 … 113
    for (let h = 0; h < 2; h++)
      for (let l = 0; l < 32; l++) {
        const [a, bb, c, d] = [0, 32, 64, 96].map((o) => q[128 * h + l + o]!) as [number, number, number, number];
        b[64 * h + l] = (a & 15) | ((c & 15) << 4);
        b[64 * h + 32 + l] = (bb & 15) | ((d & 15) << 4);
        b[128 + 32 * h + l] = (a >> 4) | ((bb >> 4) << 2) | ((c >> 4) << 4) | ((d >> 4) << 6);
      }
    scales.forEach((s, k) => v.setInt8(192 + k, s));
    v.setUint16(208, toHalfBits(0.125), true);
    const got = decodeValues(GgmlType.Q6_K, b, 256);
    for (let i = 0; i < 256; i++) expect(got[i], `value ${i}`).toBe(0.125 * scales[i >> 4]! * (q[i]! - 32));
  });

  it('Q5_0: value = ((nibble | bit j of qh << 4) − 16)·d, matching the reference quantizer (m/−16, trunc(x/d + 16.5))', () => {
    // m = −8 → d = 0.5; −8 → 0, 7.5 → 31, 0.26 → trunc(0.52 + 16.5) = 17, 3 → 22 (bit 4 set).
    const x = new Float32Array(32);
    [x[0], x[1], x[16], x[17]] = [-8, 7.5, 0.26, 3];
    const b = encode(GgmlType.Q5_0, x);
    expect(b.length).toBe(22);
    expect(new DataView(b.buffer).getUint16(0, true)).toBe(0x3800);
    const qh = new DataView(b.buffer).getUint32(2, true);
    expect([qh & 1, (qh >> 1) & 1, (qh >> 16) & 1, (qh >> 17) & 1]).toEqual([0, 1, 1, 1]);
    expect([b[6]! & 15, b[7]! & 15, b[6]! >> 4, b[7]! >> 4]).toEqual([0, 15, 1, 6]);
    const back = decodeValues(GgmlType.Q5_0, b, 32);
    expect([back[0], back[1], back[16], back[17], back[2]]).toEqual([-8, 7.5, 0.5, 3, 0]);
  });
});

/** Seeded normal-ish weights (sum of uniforms), rows of different scales and some offset rows. */
function weights(n: number, seed = 5): Float32Array {
  let s = seed;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  return Float32Array.from({ length: n }, (_, i) => (u() + u() + u() - 1.5) * 0.05 * (1 + ((i >> 8) % 4)) + ((i >> 8) % 5 === 0 ? 0.03 : 0));
}

const rms = (type: GgmlType, x: Float32Array): number => {
  const y = decodeValues(type, encode(type, x), x.length);
  return Math.sqrt(x.reduce((a, v, i) => a + (v - y[i]!) ** 2, 0) / x.length);
};

describe('our encoder', () => {
  it('makes blocks whose error sits between Q4_0 and Q8_0: Q8_0 < Q6_K < Q5_0 < Q4_K < Q4_0', () => {
    const x = weights(256 * 64);
    const e = Object.fromEntries([GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q5_0, GgmlType.Q6_K, GgmlType.Q8_0].map((t) => [GgmlType[t], rms(t, x)]));
    console.log(
      `RMS error on ${x.length} weights: ${Object.entries(e)
        .map(([k, v]) => `${k} ${v.toExponential(3)}`)
        .join(', ')}`,
    );
    expect(e.Q8_0!).toBeLessThan(e.Q6_K!);
    expect(e.Q6_K!).toBeLessThan(e.Q5_0!);
    expect(e.Q5_0!).toBeLessThan(e.Q4_K!);
    expect(e.Q4_K!).toBeLessThan(e.Q4_0!);
  });

  it('keeps every value within half a step of its sub-block, and zero, constant and one-sided blocks exact or near', () => {
    const x = weights(256 * 8, 9);
    const y = decodeValues(GgmlType.Q4_K, encode(GgmlType.Q4_K, x), x.length);
    for (let b = 0; b < x.length / 32; b++) {
      const sub = x.subarray(32 * b, 32 * b + 32);
      const range = Math.max(...sub, 0) - Math.min(...sub, 0);
      for (let i = 0; i < 32; i++) expect(Math.abs(y[32 * b + i]! - sub[i]!)).toBeLessThan(range / 15);
    }
    for (const t of [GgmlType.Q4_K, GgmlType.Q6_K]) {
      expect([...decodeValues(t, encode(t, new Float32Array(256)), 256)].every((v) => v === 0)).toBe(true);
      const ones = decodeValues(t, encode(t, new Float32Array(256).fill(-1.5)), 256);
      for (const v of ones) expect(v).toBeCloseTo(-1.5, 2);
      const positive = Float32Array.from({ length: 256 }, (_, i) => 1 + i / 256);
      const back = decodeValues(t, encode(t, positive), 256);
      // Q4_K's offset is −dmin·m ≤ 0, so the levels span [0, 2]: within half of 2/15.
      for (let i = 0; i < 256; i++) expect(Math.abs(back[i]! - positive[i]!)).toBeLessThan(2 / 15 / 2 + 1e-3);
    }
  });
});

describe('the q4_k_m mix (llama-quant.cpp)', () => {
  it("use_more_bits: the first and last eighth and every third layer between (32 layers: llama.cpp's 16 of 32)", () => {
    const picked = Array.from({ length: 32 }, (_, i) => i).filter((i) => useMoreBits(i, 32));
    expect(picked).toEqual([0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]);
    expect([0, 1].filter((i) => useMoreBits(i, 2))).toEqual([1]);
  });

  it('gives Q6_K to the output and the use_more_bits attn_v/ffn_down, Q4_K to the rest, falling back by row length', () => {
    const place = (layer?: number, tied = false) => ({ layer, layers: 32, tied });
    expect(matrixType('q4_k_m', 'output.weight', 4096, place())).toBe(GgmlType.Q6_K);
    expect(matrixType('q4_k_m', 'token_embd.weight', 4096, place())).toBe(GgmlType.Q4_K);
    expect(matrixType('q4_k_m', 'token_embd.weight', 4096, place(undefined, true))).toBe(GgmlType.Q6_K);
    expect(matrixType('q4_k_m', 'blk.0.attn_v.weight', 4096, place(0))).toBe(GgmlType.Q6_K);
    expect(matrixType('q4_k_m', 'blk.4.attn_v.weight', 4096, place(4))).toBe(GgmlType.Q4_K);
    expect(matrixType('q4_k_m', 'blk.6.ffn_down.weight', 14336, place(6))).toBe(GgmlType.Q6_K);
    expect(matrixType('q4_k_m', 'blk.6.attn_q.weight', 4096, place(6))).toBe(GgmlType.Q4_K);
    // Rows not a multiple of 256: Q4_K → Q5_0, Q6_K → Q8_0, the output → Q8_0; below 32, F16.
    expect(matrixType('q4_k_m', 'blk.5.attn_q.weight', 576, place(5))).toBe(GgmlType.Q5_0);
    expect(matrixType('q4_k_m', 'blk.0.attn_v.weight', 576, place(0))).toBe(GgmlType.Q8_0);
    expect(matrixType('q4_k_m', 'output.weight', 576, place())).toBe(GgmlType.Q8_0);
    expect(matrixType('q4_k_m', 'blk.5.attn_q.weight', 40, place(5))).toBe(GgmlType.F16);
    expect(matrixType('q4_0', 'output.weight', 4096, place())).toBe(GgmlType.Q4_0);
  });

  it("writes tiny-llama's q4_k_m as llama-quantize would: all rows of 64 and 192, so Q5_0 and Q8_0, file type 15", () => {
    const h = readGgufHeader(new Uint8Array(readFileSync('models/bundled/tiny-llama/gguf/model-q4_k_m.gguf')), 'model-q4_k_m.gguf');
    expect(h.metadata.get('general.file_type')).toBe(15);
    const types = Object.fromEntries(h.tensors.map((t) => [t.name, t.typeName]));
    expect(types).toMatchObject({
      'token_embd.weight': 'Q5_0',
      'blk.0.attn_v.weight': 'Q5_0',
      'blk.1.attn_v.weight': 'Q8_0',
      'blk.0.ffn_down.weight': 'Q5_0',
      'blk.1.ffn_down.weight': 'Q8_0',
      'output.weight': 'Q8_0',
      'output_norm.weight': 'F32',
    });
  });

  it('lays out the SmolLM2-135M replica at q4_k_m: Q4_K/Q6_K where rows are 1536, Q5_0/Q8_0 where 576', () => {
    const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
    const config = catalog.replicas!.find((r) => r.id === 'HuggingFaceTB/SmolLM2-135M')!.config;
    const file = ggufReplica(config, 'q4_k_m', 'smollm2');
    const h = readGgufHeader(file.header, 'smollm2.gguf', file.totalBytes);
    const count = (type: string) => h.tensors.filter((t) => t.typeName === type).length;
    expect(h.metadata.get('general.file_type')).toBe(15);
    expect(h.tensors.find((t) => t.name === 'token_embd.weight')!.typeName).toBe('Q8_0'); // tied: the output's rule, 576 → Q8_0
    expect(h.tensors.filter((t) => t.name.endsWith('ffn_down.weight')).map((t) => t.typeName)).toEqual(
      Array.from({ length: 30 }, (_, i) => (useMoreBits(i, 30) ? 'Q6_K' : 'Q4_K')),
    );
    // q, k, output, gate, up (rows of 576) in every layer, and attn_v where it is not use_more_bits (else Q8_0).
    const more = Array.from({ length: 30 }, (_, i) => i).filter((i) => useMoreBits(i, 30)).length;
    expect([count('Q5_0'), count('Q8_0'), count('Q4_K'), count('Q6_K')]).toEqual([30 * 5 + 30 - more, 1 + more, 30 - more, more]);
    // Smaller than q8_0, larger than q4_0.
    const [q8, q4] = [ggufReplica(config, 'q8_0', 's').totalBytes, ggufReplica(config, 'q4_0', 's').totalBytes];
    expect(file.totalBytes).toBeLessThan(q8);
    expect(file.totalBytes).toBeGreaterThan(q4);
    console.log(`SmolLM2-135M GGUF bytes: q4_0 ${q4}, q4_k_m ${file.totalBytes}, q8_0 ${q8}`);
  });
});
