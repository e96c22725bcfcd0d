/** Tensor data in and out of TensorProto: raw_data or the typed fields, and fp16 and 4-bit packing. */
import { toHalfBits } from '../core/inputs.ts';
import { elementCount, isExternal, OnnxFormatError, tensorDims, type TensorProto } from './model.ts';
import { DATA_TYPE_BITS, DataType } from './onnx-schema.ts';

/** Size of a tensor's data in bytes, as stored (4-bit types packed two per byte). */
export function tensorBytes(t: TensorProto): number {
  if (t.rawData?.byteLength) return t.rawData.byteLength;
  const bits = DATA_TYPE_BITS[t.dataType] ?? 0;
  return Math.ceil((elementCount(tensorDims(t)) * bits) / 8);
}

function view(raw: Uint8Array): DataView {
  return new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** IEEE half bits → float. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? Number.NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Bytes per value of the float types readFloats reads. */
const FLOAT_WIDTH: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.FLOAT16]: 2, [DataType.DOUBLE]: 8 };

/** A float tensor's values as Float32Array (float, float16, double, bfloat16); null for other types. */
export function readFloats(t: TensorProto): Float32Array | null {
  if (isExternal(t)) throw new Error(`tensor "${t.name}" keeps its data in an external file, which ondevice does not read yet`);
  const dims = tensorDims(t);
  const n = elementCount(dims);
  const raw = t.rawData?.byteLength ? t.rawData : null;
  const width = FLOAT_WIDTH[t.dataType];
  if (width === undefined) return null;
  // A file's shape and its data must agree before a value is read: a shape that claims more would read past the data.
  const held = raw
    ? raw.byteLength / width
    : ((t.dataType === DataType.FLOAT16 ? t.int32Data : t.dataType === DataType.DOUBLE ? t.doubleData : t.floatData)?.length ?? 0);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0) || held !== n) {
    throw new OnnxFormatError(
      `weight "${t.name}" declares shape [${dims.join(', ')}] (${n} values) but holds ${held}: the file is damaged or not a valid ONNX model`,
    );
  }
  switch (t.dataType) {
    case DataType.FLOAT: {
      if (!raw) return Float32Array.from(t.floatData ?? []);
      const v = view(raw);
      return Float32Array.from({ length: n }, (_, i) => v.getFloat32(i * 4, true));
    }
    case DataType.FLOAT16: {
      if (!raw) return Float32Array.from(t.int32Data ?? [], halfToFloat);
      const v = view(raw);
      return Float32Array.from({ length: n }, (_, i) => halfToFloat(v.getUint16(i * 2, true)));
    }
    case DataType.DOUBLE: {
      if (!raw) return Float32Array.from(t.doubleData ?? []);
      const v = view(raw);
      return Float32Array.from({ length: n }, (_, i) => v.getFloat64(i * 8, true));
    }
    default:
      return null;
  }
}

/** A new tensor with raw data, in the little-endian layout ONNX stores. */
export function makeTensor(name: string, dataType: number, dims: readonly number[], raw: Uint8Array): TensorProto {
  return { name, dataType, dims: [...dims], rawData: raw };
}

export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const f = Float32Array.from(values);
  return makeTensor(name, DataType.FLOAT, dims, new Uint8Array(f.buffer));
}

export function float16Tensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const h = Uint16Array.from(Array.prototype.map.call(values, (x: number) => toHalfBits(x)) as number[]);
  return makeTensor(name, DataType.FLOAT16, dims, new Uint8Array(h.buffer));
}

export function bytesTensor(name: string, dataType: number, dims: readonly number[], values: Uint8Array | Int8Array): TensorProto {
  return makeTensor(name, dataType, dims, new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice());
}
