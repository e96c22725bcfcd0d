/** Synthesizing model inputs from the session's metadata: concrete shapes and deterministic values. */
import type { InputOverride } from './spec.ts';
import { seededRandom } from './rng.ts';
import { InvalidInputError } from './vocab.ts';

/** One graph input as the runtime describes it; a dim is a number, a symbolic name, or -1/null when unknown. */
export interface InputMeta {
  name: string;
  type: string;
  shape: readonly (number | string | null)[] | null;
}

export interface ResolvedInput {
  name: string;
  type: string;
  dims: number[];
  fill: number | null;
  /**
   * Set when ondevice chose dims the model leaves open (symbolic or unknown) and nothing overrode them: the declared
   * shape and what was picked, e.g. "[batch,3,?,?] → [1,3,224,224]". Recorded with the run and in its setup lines.
   */
  picked?: string;
}

/**
 * The most elements one synthesized input may have: 2^28 (1 GiB as float32, a quarter of onnxruntime-web's 4 GiB
 * WASM heap, which also holds the weights and every activation). A larger declared shape is refused, not truncated.
 */
export const MAX_INPUT_ELEMENTS = 2 ** 28;

/**
 * An input ondevice will not synthesize as declared (a dim past 2^31, or more elements than MAX_INPUT_ELEMENTS): the
 * run ends `unsupported`, class bad-input. Named UnsupportedError, as the runtime ends such runs (names cross the
 * worker boundary, classes do not).
 */
export class InputSizeError extends Error {
  override name = 'UnsupportedError';
  readonly class = 'bad-input';
}

/** Element types we can synthesize, as onnxruntime names them. */
export const SYNTH_TYPES = ['float32', 'float16', 'int32', 'int64', 'int8', 'uint8', 'bool', 'float64', 'uint16', 'int16', 'uint32'] as const;

// ORT reports an unknown dim as a symbolic name, or as -1 / 2^32 − 1 (an unsigned -1) for some models.
const isConcrete = (d: number | string | null | undefined): d is number => typeof d === 'number' && d >= 0 && d < 2 ** 31;
const isUnknown = (d: number | string | null | undefined): boolean => d === null || d === undefined || typeof d === 'string' || d === -1 || d === 2 ** 32 - 1;
const grouped = (n: number): string => n.toLocaleString('en-US');

/**
 * Default for a dynamic dimension when nothing overrides it. Batch (first dim) → 1; the two trailing
 * dims of an image-like rank-4 input → 224; anything else (sequence, frames) → 16.
 */
export function defaultDim(meta: InputMeta, axis: number): number {
  const shape = meta.shape ?? [];
  if (axis === 0) return 1;
  if (shape.length === 4 && axis >= 2) return 224;
  return 16;
}

/** Concrete dims for every input. Overrides must keep the rank and every fixed dim; the error says what fits. */
export function resolveInputs(metas: readonly InputMeta[], overrides: Record<string, InputOverride> = {}): ResolvedInput[] {
  const known = new Set(metas.map((m) => m.name));
  for (const name of Object.keys(overrides)) {
    if (!known.has(name)) {
      throw new InvalidInputError(`Input override "${name}" does not match any model input. Inputs are: ${[...known].join(', ')}.`);
    }
  }
  return metas.map((meta) => {
    if (!(SYNTH_TYPES as readonly string[]).includes(meta.type)) {
      throw new InvalidInputError(`Input "${meta.name}" has type ${meta.type}, which cannot be synthesized. Supported: ${SYNTH_TYPES.join(', ')}.`);
    }
    const o = overrides[meta.name];
    const shape = meta.shape;
    let dims: number[];
    if (o?.shape) {
      const want = describeShape(shape);
      if (o.shape.some((d) => !Number.isInteger(d) || d < 0)) {
        throw new InvalidInputError(
          `Shape override for "${meta.name}" is [${o.shape.join(',')}]: every dim must be a whole number >= 0. The model expects ${want}.`,
        );
      }
      if (shape && o.shape.length !== shape.length) {
        throw new InvalidInputError(
          `Shape override for "${meta.name}" has rank ${o.shape.length} ([${o.shape.join(',')}]), but the model expects rank ${shape.length}: ${want}.`,
        );
      }
      shape?.forEach((d, i) => {
        if (isConcrete(d) && o.shape![i] !== d) {
          throw new InvalidInputError(`Shape override for "${meta.name}" sets dim ${i} to ${o.shape![i]}, but the model fixes it at ${d}: ${want}.`);
        }
      });
      dims = [...o.shape];
    } else if (shape) {
      const bad = shape.findIndex((d) => !isConcrete(d) && !isUnknown(d));
      if (bad >= 0) {
        throw new InputSizeError(
          `Input "${meta.name}" declares dim ${bad} as ${String(shape[bad])} (shape [${shape.join(',')}]): a dim must be a whole number below 2^31, or symbolic. Give a shape with --input ${meta.name}=…, or fix the model.`,
        );
      }
      dims = shape.map((d, i) => (isConcrete(d) ? d : defaultDim(meta, i)));
    } else {
      throw new InvalidInputError(`Input "${meta.name}" has no shape in the model: give one with a shape override.`);
    }
    const n = elementCount(dims);
    const open = shape !== null && shape.some((d) => !isConcrete(d));
    if (n > MAX_INPUT_ELEMENTS) {
      const from = o?.shape
        ? `the shape given for it, [${dims.join(',')}]`
        : open
          ? `its declared shape ${describeShape(shape)} with the open dims picked as [${dims.join(',')}]`
          : `its declared shape [${dims.join(',')}]`;
      const fix = open
        ? `Give a smaller shape with --input ${meta.name}=… (only its open dims can change).`
        : 'The model fixes every dim of it, so it cannot run here.';
      throw new InputSizeError(
        `Input "${meta.name}" would have ${grouped(n)} elements (${from}); ondevice synthesizes at most ${grouped(MAX_INPUT_ELEMENTS)} (2^28) per input. ${fix}`,
      );
    }
    const picked = open && !o?.shape;
    return { name: meta.name, type: meta.type, dims, fill: o?.fill ?? null, ...(picked ? { picked: `${describeShape(shape)} → [${dims.join(',')}]` } : {}) };
  });
}

export function describeShape(shape: readonly (number | string | null)[] | null): string {
  if (!shape) return 'an unknown shape';
  return `[${shape.map((d) => (isConcrete(d) ? String(d) : typeof d === 'string' && d ? d : '?')).join(',')}]`;
}

export const elementCount = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** IEEE half-precision bits for a float (round to nearest even), for float16 inputs. */
export function toHalfBits(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half += 1;
  return sign | half;
}

export type SynthData = Float32Array | Float64Array | Int32Array | BigInt64Array | Int8Array | Uint8Array | Uint16Array | Int16Array | Uint32Array | boolean[];

/**
 * Values for one input: its fill, or seeded uniform values (floats in [0, 1), integers in [0, 4) so that
 * ids and indices stay in range for most models, bools false).
 */
export function synthesize(input: ResolvedInput, seed = 1): SynthData {
  const n = elementCount(input.dims);
  const rnd = seededRandom(seed);
  const next = (int: boolean): number => input.fill ?? (int ? Math.floor(rnd() * 4) : rnd());
  switch (input.type) {
    case 'float32':
      return Float32Array.from({ length: n }, () => next(false));
    case 'float64':
      return Float64Array.from({ length: n }, () => next(false));
    case 'float16':
      return Uint16Array.from({ length: n }, () => toHalfBits(next(false)));
    case 'int32':
      return Int32Array.from({ length: n }, () => next(true));
    case 'int64':
      return BigInt64Array.from({ length: n }, () => BigInt(Math.trunc(next(true))));
    case 'int8':
      return Int8Array.from({ length: n }, () => next(true));
    case 'uint8':
      return Uint8Array.from({ length: n }, () => next(true));
    case 'int16':
      return Int16Array.from({ length: n }, () => next(true));
    case 'uint16':
      return Uint16Array.from({ length: n }, () => next(true));
    case 'uint32':
      return Uint32Array.from({ length: n }, () => next(true));
    case 'bool':
      return Array.from({ length: n }, () => (input.fill ?? 0) !== 0);
    default:
      throw new InvalidInputError(`Cannot synthesize input "${input.name}" of type ${input.type}. Supported: ${SYNTH_TYPES.join(', ')}.`);
  }
}
