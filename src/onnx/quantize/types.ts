/** The quantizer's public types: its options, the report of what a level did, and the levels it makes. */
import type { Dtype } from '../../core/vocab.ts';

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
