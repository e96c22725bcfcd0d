/**
 * The GGUF container (version 3), as ggml's docs/gguf.md specifies it: all little-endian.
 *
 *   magic "GGUF" (u32 0x46554747) · version u32 · tensor_count u64 · metadata_kv_count u64
 *   metadata: key (string) · value type u32 · value          string = u64 length + UTF-8 bytes (no NUL)
 *   tensor infos: name (string) · n_dims u32 · dims u64[n_dims] (ne[0], the contiguous axis, first) · ggml type u32 ·
 *                 offset u64 (from the start of the data section, a multiple of the alignment)
 *   padding to `general.alignment` (u32, default 32) · tensor data
 *
 * Block layouts (ggml's ggml-common.h): Q8_0 is 32 values as an fp16 scale then 32 int8 (34 bytes); Q4_0 is 32
 * values as an fp16 scale then 16 bytes, byte j holding value j in its low nibble and value j+16 in its high one,
 * each stored +8 (18 bytes). Q5_0 is an fp16 scale, 4 bytes holding bit 4 of each value (bit j for value j), then 16
 * bytes of low nibbles as Q4_0's, each value stored +16 (22 bytes).
 *
 * K-quants are super-blocks of 256 values (ggml-common.h block_q4_K, block_q6_K):
 *   Q4_K (144 bytes): d, dmin (fp16) · 12 bytes of eight 6-bit scales and eight 6-bit mins · 128 bytes of nibbles.
 *        Sub-block j (32 values) has scale sc_j and min m_j: for j < 4, sc_j = b[j] & 63 and m_j = b[j+4] & 63; for
 *        j ≥ 4, sc_j = (b[j+4] & 15) | (b[j-4] >> 6) << 4 and m_j = (b[j+4] >> 4) | (b[j] >> 6) << 4 (get_scale_min_k4).
 *        Nibble byte 32·i + l holds value 64·i + l (low nibble, sub-block 2i) and 64·i + 32 + l (high, sub-block 2i+1).
 *        value = d·sc_j · q − dmin·m_j.
 *   Q6_K (210 bytes): ql[128] low nibbles · qh[64] high 2-bit pairs · 16 int8 scales (one per 16 values) · d (fp16).
 *        In each half h (128 values, ql[64h..], qh[32h..]), for l < 32: value 128h + l + 32k (k = 0..3) takes its
 *        low 4 bits from ql[64h + l + 32·(k & 1)] (low nibble for k < 2, high for k ≥ 2) and its high 2 bits from
 *        qh[32h + l] >> 2k; value = d · scale[(128h + l + 32k) / 16] · (q − 32).
 */

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types (gguf_metadata_value_type). */
export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** Width in bytes of each fixed-size value type. */
export const VALUE_WIDTH: Readonly<Partial<Record<GgufValueType, number>>> = Object.freeze({
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
});

/** The ggml tensor types ondevice writes (ggml_type's numbers). */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q5_0 = 6,
  Q8_0 = 8,
  Q4_K = 12,
  Q6_K = 14,
}

/** Values per block and bytes per block of each type ondevice writes. */
export const GGML_BLOCK: Readonly<Record<GgmlType, { values: number; bytes: number }>> = Object.freeze({
  [GgmlType.F32]: { values: 1, bytes: 4 },
  [GgmlType.F16]: { values: 1, bytes: 2 },
  [GgmlType.Q4_0]: { values: 32, bytes: 18 },
  [GgmlType.Q5_0]: { values: 32, bytes: 22 },
  [GgmlType.Q8_0]: { values: 32, bytes: 34 },
  [GgmlType.Q4_K]: { values: 256, bytes: 144 },
  [GgmlType.Q6_K]: { values: 256, bytes: 210 },
});

/**
 * Every ggml_type number known to llama.cpp (ggml.h), with its name and block size, so a reader can size tensors it
 * does not write and name the ones it does not know. Numbers 4 and 5 (Q4_2, Q4_3) were removed, 31–33 and 36–38 too.
 */
export const GGML_TYPES: Readonly<Record<number, { name: string; values: number; bytes: number }>> = Object.freeze({
  0: { name: 'F32', values: 1, bytes: 4 },
  1: { name: 'F16', values: 1, bytes: 2 },
  2: { name: 'Q4_0', values: 32, bytes: 18 },
  3: { name: 'Q4_1', values: 32, bytes: 20 },
  6: { name: 'Q5_0', values: 32, bytes: 22 },
  7: { name: 'Q5_1', values: 32, bytes: 24 },
  8: { name: 'Q8_0', values: 32, bytes: 34 },
  9: { name: 'Q8_1', values: 32, bytes: 36 },
  10: { name: 'Q2_K', values: 256, bytes: 84 },
  11: { name: 'Q3_K', values: 256, bytes: 110 },
  12: { name: 'Q4_K', values: 256, bytes: 144 },
  13: { name: 'Q5_K', values: 256, bytes: 176 },
  14: { name: 'Q6_K', values: 256, bytes: 210 },
  15: { name: 'Q8_K', values: 256, bytes: 292 },
  24: { name: 'I8', values: 1, bytes: 1 },
  25: { name: 'I16', values: 1, bytes: 2 },
  26: { name: 'I32', values: 1, bytes: 4 },
  27: { name: 'I64', values: 1, bytes: 8 },
  28: { name: 'F64', values: 1, bytes: 8 },
  30: { name: 'BF16', values: 1, bytes: 2 },
});

/** A GGUF file ondevice cannot read: the message names the file and what is wrong with it. */
export class GgufFormatError extends Error {
  override name = 'GgufFormatError';
}

/** Bytes of a tensor of `dims` (ne[0] first) in `type`; throws when ne[0] is not a whole number of blocks. */
export function ggmlTensorBytes(type: number, dims: readonly number[]): number {
  const t = GGML_TYPES[type];
  if (!t) throw new Error(`unknown ggml type ${type}`);
  const ne0 = dims[0] ?? 1;
  if (ne0 % t.values !== 0) throw new Error(`a ${t.name} tensor's first dimension (${ne0}) must be a multiple of ${t.values}`);
  const rows = dims.slice(1).reduce((a, b) => a * b, 1);
  return (ne0 / t.values) * t.bytes * rows;
}

export const alignUp = (n: number, alignment: number): number => Math.ceil(n / alignment) * alignment;
