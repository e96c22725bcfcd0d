/**
 * Writing a GGUF file (format.ts) whose tensors may be far larger than memory: the header (metadata and tensor
 * infos) is built whole, and the data section is streamed out in fixed-size chunks, each tensor encoded block by
 * block from its fp32 values as the chunk fills, so a 2 GB file holds one chunk and one slice of a tensor, as the
 * ONNX writer (src/onnx/write-model.ts) does for external data.
 */
import { alignUp, GGML_BLOCK, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgmlType, GgufValueType } from './format.ts';
import { encodedBytes, encodeValues } from './quant.ts';

type Scalar = number | bigint | boolean | string;

/** One metadata key/value; arrays name their item type (arrays of arrays are not written). */
export type GgufKv =
  | { key: string; type: Exclude<GgufValueType, GgufValueType.ARRAY>; value: Scalar }
  | { key: string; type: GgufValueType.ARRAY; itemType: GgufValueType; value: readonly Scalar[] };

/** Constructors for the value types llama.cpp's metadata uses. */
export const kv = {
  u32: (key: string, value: number): GgufKv => ({ key, type: GgufValueType.UINT32, value }),
  i32: (key: string, value: number): GgufKv => ({ key, type: GgufValueType.INT32, value }),
  f32: (key: string, value: number): GgufKv => ({ key, type: GgufValueType.FLOAT32, value }),
  bool: (key: string, value: boolean): GgufKv => ({ key, type: GgufValueType.BOOL, value }),
  str: (key: string, value: string): GgufKv => ({ key, type: GgufValueType.STRING, value }),
  strings: (key: string, value: readonly string[]): GgufKv => ({ key, type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value }),
  i32s: (key: string, value: readonly number[]): GgufKv => ({ key, type: GgufValueType.ARRAY, itemType: GgufValueType.INT32, value }),
};

/** A tensor to write: dims in ggml order (ne[0], the contiguous axis, first) and its fp32 values in that order. */
export interface GgufTensor {
  name: string;
  dims: readonly number[];
  type: GgmlType;
  /** All values, or a source of `count` values from element `start` (called with whole blocks, in order). */
  values: Float32Array | ((start: number, count: number) => Float32Array);
}

/** Grows as it is written; the header writer. */
class ByteWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.view.setUint8(this.length++, v);
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number | bigint): void {
    this.room(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  string(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  value(type: GgufValueType, v: Scalar): void {
    const n = typeof v === 'bigint' ? v : typeof v === 'boolean' ? Number(v) : v;
    this.room(8);
    const at = this.length;
    switch (type) {
      case GgufValueType.UINT8:
      case GgufValueType.BOOL:
        this.view.setUint8(at, Number(n));
        this.length += 1;
        return;
      case GgufValueType.INT8:
        this.view.setInt8(at, Number(n));
        this.length += 1;
        return;
      case GgufValueType.UINT16:
        this.view.setUint16(at, Number(n), true);
        this.length += 2;
        return;
      case GgufValueType.INT16:
        this.view.setInt16(at, Number(n), true);
        this.length += 2;
        return;
      case GgufValueType.UINT32:
        this.view.setUint32(at, Number(n), true);
        this.length += 4;
        return;
      case GgufValueType.INT32:
        this.view.setInt32(at, Number(n), true);
        this.length += 4;
        return;
      case GgufValueType.FLOAT32:
        this.view.setFloat32(at, Number(n), true);
        this.length += 4;
        return;
      case GgufValueType.UINT64:
        this.view.setBigUint64(at, BigInt(n), true);
        this.length += 8;
        return;
      case GgufValueType.INT64:
        this.view.setBigInt64(at, BigInt(n), true);
        this.length += 8;
        return;
      case GgufValueType.FLOAT64:
        this.view.setFloat64(at, Number(n), true);
        this.length += 8;
        return;
      case GgufValueType.STRING:
        this.string(String(v));
        return;
      default:
        throw new Error(`GGUF value type ${type} cannot be written as a scalar`);
    }
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export interface GgufFile {
  /** Magic, version, counts, metadata, tensor infos and the padding up to the data section. */
  header: Uint8Array;
  /** Size of the whole file. */
  totalBytes: number;
  /** Each tensor's offset in the data section and its size in bytes, in order. */
  placed: readonly { name: string; offset: number; bytes: number }[];
  /** The whole file (header first) in chunks, made as they are asked for (a chunk is reused: copy it if you keep it). */
  chunks(): Generator<Uint8Array>;
  /** Stream the whole file (header first) into `sink`, one chunk at a time (a chunk is reused: copy it if you keep it). */
  write(sink: (chunk: Uint8Array) => void | Promise<void>, onProgress?: (written: number, total: number) => void): Promise<void>;
}

const CHUNK_BYTES = 8 << 20;

/** Lay a GGUF file out; nothing is encoded until `write`. `general.alignment` in `metadata` sets the alignment. */
export function layoutGguf(metadata: readonly GgufKv[], tensors: readonly GgufTensor[], chunkBytes = CHUNK_BYTES): GgufFile {
  const alignKv = metadata.find((m) => m.key === 'general.alignment');
  const alignment = alignKv ? Number(alignKv.value) : GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment < 1 || alignment % 8 !== 0) throw new Error(`general.alignment must be a multiple of 8; got ${alignment}`);
  const names = new Set<string>();
  let offset = 0;
  const placed = tensors.map((t) => {
    if (names.has(t.name)) throw new Error(`tensor "${t.name}" is listed twice`);
    names.add(t.name);
    const count = t.dims.reduce((a, b) => a * b, 1);
    if ((t.dims[0] ?? 1) % GGML_BLOCK[t.type].values !== 0)
      throw new Error(`tensor "${t.name}": ${GgmlType[t.type]} needs its first dimension (${t.dims[0]}) to be a multiple of ${GGML_BLOCK[t.type].values}`);
    if (t.values instanceof Float32Array && t.values.length !== count)
      throw new Error(`tensor "${t.name}" has dims [${t.dims.join(', ')}] but ${t.values.length} values`);
    offset = alignUp(offset, alignment);
    const p = { name: t.name, offset, bytes: encodedBytes(t.type, count), count };
    offset += p.bytes;
    return p;
  });
  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(tensors.length);
  w.u64(metadata.length);
  for (const m of metadata) {
    w.string(m.key);
    w.u32(m.type);
    if (m.type === GgufValueType.ARRAY) {
      w.u32(m.itemType);
      w.u64(m.value.length);
      for (const item of m.value) w.value(m.itemType, item);
    } else w.value(m.type, m.value);
  }
  tensors.forEach((t, i) => {
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type);
    w.u64(placed[i]!.offset);
  });
  while (w.length % alignment) w.u8(0);
  const header = w.done();
  const totalBytes = header.length + offset;

  return {
    header,
    totalBytes,
    placed: placed.map(({ name, offset, bytes }) => ({ name, offset, bytes })),
    *chunks() {
      const chunk = new Uint8Array(Math.max(Math.min(chunkBytes, totalBytes), 64));
      let filled = 0;
      /** Copy bytes in, yielding the chunk whenever it is full. */
      function* put(bytes: Uint8Array): Generator<Uint8Array> {
        let done = 0;
        while (done < bytes.length) {
          const n = Math.min(bytes.length - done, chunk.length - filled);
          chunk.set(bytes.subarray(done, done + n), filled);
          filled += n;
          done += n;
          if (filled === chunk.length) {
            yield chunk;
            filled = 0;
          }
        }
      }
      yield* put(header);
      let position = 0; // in the data section
      for (const [i, t] of tensors.entries()) {
        const p = placed[i]!;
        if (p.offset > position) yield* put(new Uint8Array(p.offset - position));
        const block = GGML_BLOCK[t.type];
        // Encode a slice of whole blocks at a time: about a chunk's worth of output, at least one block.
        const perSlice = Math.max(1, Math.floor(chunk.length / block.bytes)) * block.values;
        for (let start = 0; start < p.count; start += perSlice) {
          const count = Math.min(perSlice, p.count - start);
          const values = t.values instanceof Float32Array ? t.values.subarray(start, start + count) : t.values(start, count);
          if (values.length !== count) throw new Error(`tensor "${t.name}": its source gave ${values.length} values for ${count}`);
          const out = new Uint8Array(encodedBytes(t.type, count));
          encodeValues(t.type, values, out);
          yield* put(out);
        }
        position = p.offset + p.bytes;
      }
      if (filled) yield chunk.subarray(0, filled);
    },
    async write(sink, onProgress) {
      let written = 0;
      for (const c of this.chunks()) {
        await sink(c);
        written += c.length;
        onProgress?.(written, totalBytes);
      }
    },
  };
}

/** A small file in one buffer (tests, the bundled tiny models). */
export function encodeGguf(metadata: readonly GgufKv[], tensors: readonly GgufTensor[]): Uint8Array {
  return gatherGguf(layoutGguf(metadata, tensors));
}

/** A laid-out file's chunks in one buffer (small files only). */
export function gatherGguf(file: GgufFile): Uint8Array {
  const out = new Uint8Array(file.totalBytes);
  let at = 0;
  for (const c of file.chunks()) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
