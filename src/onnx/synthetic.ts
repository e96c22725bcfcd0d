/**
 * Synthetic weights: tensors that have a name, a type and a shape but no bytes until a writer asks for them.
 * Replicas are built from these (a 3.8 B-parameter graph costs a few megabytes of objects until it is written),
 * and `synthesizeWeights` turns a real model into a replica of itself for the faithfulness check.
 *
 * The bytes are a seeded pattern repeated through the tensor: speed does not depend on weight values as long as
 * they are ordinary numbers (no denormals, NaN or Inf, which some CPU paths treat slowly), and repeating a 1 MiB
 * block writes gigabytes at memcpy speed.
 */
import { toHalfBits } from '../core/inputs.ts';
import { seededRandom } from '../core/rng.ts';
import { collectWeights } from './graph.ts';
import { elementCount, getAttribute, tensorDims, type ModelProto, type SyntheticFill, type TensorProto } from './model.ts';
import { DataType } from './onnx-schema.ts';
import { readFloats, tensorBytes } from './tensor.ts';

export type { SyntheticFill } from './model.ts';

/** Std of the synthetic projections: Hugging Face's usual initializer_range. */
export const WEIGHT_STD = 0.02;

export const syntheticTensor = (name: string, dataType: number, dims: readonly number[], fill: SyntheticFill): TensorProto => ({
  name,
  dataType,
  dims: [...dims],
  synthetic: fill,
});

export const isSynthetic = (t: TensorProto): boolean => t.synthetic != null;

const PATTERN_BYTES = 1 << 20;
const patterns = new Map<string, Uint8Array>();

/** The repeating block for one type and fill (1 MiB, a whole number of elements of every type). */
function patternOf(dataType: number, fill: SyntheticFill): Uint8Array {
  const key = `${dataType}:${fill.kind}:${fill.mean ?? 0}:${fill.std ?? 0}:${fill.min ?? ''}:${fill.max ?? ''}`;
  const known = patterns.get(key);
  if (known) return known;
  const bytes = new Uint8Array(PATTERN_BYTES);
  const rnd = seededRandom(0x5eed ^ dataType);
  const [mean, std] = [fill.mean ?? 0, fill.std ?? 0];
  const clamp = (x: number) => Math.min(fill.max ?? Infinity, Math.max(fill.min ?? -Infinity, x));
  const value = () => clamp(fill.kind === 'const' ? mean : mean + std * (rnd() + rnd() + rnd() + rnd() - 2) * Math.sqrt(3));
  const view = new DataView(bytes.buffer);
  switch (fill.kind === 'bytes' ? -1 : dataType) {
    case DataType.FLOAT:
      for (let i = 0; i < PATTERN_BYTES; i += 4) view.setFloat32(i, value(), true);
      break;
    case DataType.FLOAT16:
      for (let i = 0; i < PATTERN_BYTES; i += 2) view.setUint16(i, toHalfBits(value()), true);
      break;
    case DataType.DOUBLE:
      for (let i = 0; i < PATTERN_BYTES; i += 8) view.setFloat64(i, value(), true);
      break;
    case DataType.INT8:
      for (let i = 0; i < PATTERN_BYTES; i++) view.setInt8(i, Math.max(-128, Math.min(127, Math.round(value()))));
      break;
    case DataType.UINT8:
      for (let i = 0; i < PATTERN_BYTES; i++) view.setUint8(i, Math.max(0, Math.min(255, Math.round(value()))));
      break;
    case DataType.INT4:
    case DataType.UINT4:
      // Two 4-bit values a byte; the constant fill is zero points, where a random pattern would be wrong.
      for (let i = 0; i < PATTERN_BYTES; i++) bytes[i] = fill.kind === 'const' ? (Math.round(mean) & 15) * 0x11 : Math.floor(rnd() * 256);
      break;
    default:
      for (let i = 0; i < PATTERN_BYTES; i++) bytes[i] = Math.floor(rnd() * 256);
  }
  patterns.set(key, bytes);
  return bytes;
}

/** Bytes [offset, offset + out.length) of a synthetic tensor's data, written into `out`. */
export function fillSynthetic(t: TensorProto, out: Uint8Array, offset = 0): void {
  if (!t.synthetic) throw new Error(`tensor "${t.name}" is not synthetic`);
  const pattern = patternOf(t.dataType, t.synthetic);
  let done = 0;
  while (done < out.length) {
    const at = (offset + done) % PATTERN_BYTES;
    const n = Math.min(out.length - done, PATTERN_BYTES - at);
    out.set(pattern.subarray(at, at + n), done);
    done += n;
  }
}

/** Give a synthetic tensor real bytes (for small models written in one file); other tensors are left as they are. */
export function materialize(t: TensorProto): TensorProto {
  if (!t.synthetic) return t;
  const raw = new Uint8Array(tensorBytes(t));
  fillSynthetic(t, raw);
  delete t.synthetic;
  t.rawData = raw;
  return t;
}

/** Every synthetic tensor of a model (initializers and Constant nodes) given its bytes, in place. */
export function materializeAll(model: ModelProto): ModelProto {
  for (const w of collectWeights(model)) materialize(w.tensor);
  return model;
}

/** Float dtypes the faithfulness check replaces; integer tensors (shapes, indices) are logic, not weights. */
const FLOATS = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE]);

/**
 * A real model made a replica of itself, in place: every float weight with more than one element (initializers
 * and Constant nodes) becomes synthetic with the original's mean and spread, clamped to its range (so a
 * BatchNorm variance stays positive). Returns how many weights were replaced.
 */
export function synthesizeWeights(model: ModelProto): number {
  let replaced = 0;
  for (const w of collectWeights(model)) {
    const t = w.tensor;
    if (!FLOATS.has(t.dataType) || elementCount(tensorDims(t)) <= 1 || t.synthetic) continue;
    const values = readFloats(t);
    if (!values) continue;
    let [sum, sq, min, max] = [0, 0, Infinity, -Infinity];
    for (const v of values) {
      sum += v;
      sq += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const mean = sum / values.length;
    const std = Math.sqrt(Math.max(0, sq / values.length - mean * mean));
    const fresh = syntheticTensor(t.name, t.dataType, tensorDims(t), { kind: 'normal', mean, std, min, max });
    if (w.constantNode) getAttribute(w.constantNode, 'value')!.t = fresh;
    else Object.assign(t, { rawData: undefined, floatData: [], doubleData: [], int32Data: [], synthetic: fresh.synthetic });
    replaced++;
  }
  return replaced;
}
