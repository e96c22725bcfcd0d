/**
 * Reading a GGUF file's header and checking the whole file against it, before a runtime is handed the bytes: a
 * truncated file, a wrong magic, an unknown version, value type or tensor type, or a tensor that runs past the end
 * of the file is a GgufFormatError whose message names the file and what is wrong (llama.cpp itself fails with a
 * bare "failed to load model").
 */
import { alignUp, GGML_TYPES, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgufFormatError, GgufValueType, VALUE_WIDTH } from './format.ts';
import { SPLIT_COUNT, SPLIT_NO, SPLIT_TENSORS_COUNT } from './split.ts';

type Scalar = number | bigint | boolean | string;
export type GgufValue = Scalar | Scalar[];

export interface GgufTensorInfo {
  name: string;
  /** ggml order: ne[0], the contiguous axis, first. */
  dims: number[];
  type: number;
  /** The type's name (Q4_0, F16, …). */
  typeName: string;
  /** From the start of the data section. */
  offset: number;
  bytes: number;
}

export interface GgufHeader {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Where the data section starts in the file. */
  dataOffset: number;
  /** The bytes the tensors need: the file must be at least dataOffset + this long. */
  dataBytes: number;
}

const MAX_STRING = 1 << 26;
const MAX_COUNT = 1 << 26;

class Reader {
  at = 0;
  private view: DataView;
  constructor(
    private bytes: Uint8Array,
    private fail: (what: string) => never,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, what: string): void {
    if (this.at + n > this.bytes.length) this.fail(`it ends at byte ${this.bytes.length}, inside ${what} (byte ${this.at}): the file is truncated`);
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }
  u64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.at, true);
    this.at += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} is ${v}, beyond any file ondevice can load`);
    return Number(v);
  }
  string(what: string): string {
    const n = this.u64(`${what}'s length`);
    if (n > MAX_STRING) this.fail(`${what} claims ${n} bytes: the header is damaged`);
    this.need(n, what);
    const s = new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
  value(type: number, what: string): Scalar {
    if (type === GgufValueType.STRING) return this.string(what);
    const width = VALUE_WIDTH[type as GgufValueType];
    if (width === undefined) this.fail(`${what} has value type ${type}, which GGUF does not define (0–12)`);
    this.need(width, what);
    const at = this.at;
    this.at += width;
    const v = this.view;
    switch (type as GgufValueType) {
      case GgufValueType.UINT8:
        return v.getUint8(at);
      case GgufValueType.INT8:
        return v.getInt8(at);
      case GgufValueType.UINT16:
        return v.getUint16(at, true);
      case GgufValueType.INT16:
        return v.getInt16(at, true);
      case GgufValueType.UINT32:
        return v.getUint32(at, true);
      case GgufValueType.INT32:
        return v.getInt32(at, true);
      case GgufValueType.FLOAT32:
        return v.getFloat32(at, true);
      case GgufValueType.BOOL:
        return v.getUint8(at) !== 0;
      case GgufValueType.UINT64:
        return v.getBigUint64(at, true);
      case GgufValueType.INT64:
        return v.getBigInt64(at, true);
      default:
        return v.getFloat64(at, true);
    }
  }
}

/**
 * Read the header of `bytes` (the whole file, or at least its header: pass `fileBytes`, the file's size, when
 * `bytes` is only its start) and check every tensor against the file's size. `file` names the file in messages.
 */
export function readGgufHeader(bytes: Uint8Array, file: string, fileBytes = bytes.length): GgufHeader {
  const fail = (what: string): never => {
    throw new GgufFormatError(`GGUF file "${file}": ${what}.`);
  };
  const r = new Reader(bytes, fail);
  if (bytes.length < 4) fail(`it has ${bytes.length} bytes, too few for a GGUF header (magic "GGUF", version, counts): the file is truncated or empty`);
  const magic = r.u32('the magic');
  if (magic !== GGUF_MAGIC) {
    const seen = [...bytes.subarray(0, 4)].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
    fail(`it starts with "${seen}", not the magic "GGUF": it is not a GGUF file`);
  }
  const version = r.u32('the version');
  if (version < 2 || version > 3) fail(`it is GGUF version ${version}; ondevice reads versions 2 and 3`);
  const tensorCount = r.u64('the tensor count');
  const kvCount = r.u64('the metadata count');
  if (tensorCount > MAX_COUNT || kvCount > MAX_COUNT) fail(`it claims ${tensorCount} tensors and ${kvCount} metadata keys: the header is damaged`);
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = r.string(`metadata key ${i}`);
    const type = r.u32(`the type of "${key}"`);
    if (type === GgufValueType.ARRAY) {
      const itemType = r.u32(`the item type of "${key}"`);
      const n = r.u64(`the length of "${key}"`);
      if (n > MAX_COUNT) fail(`"${key}" claims ${n} items: the header is damaged`);
      if (itemType === GgufValueType.ARRAY) fail(`"${key}" is an array of arrays, which ondevice does not read`);
      metadata.set(
        key,
        Array.from({ length: n }, (_, j) => r.value(itemType, `"${key}"[${j}]`)),
      );
    } else metadata.set(key, r.value(type, `"${key}"`));
  }
  const alignValue = metadata.get('general.alignment');
  const alignment = alignValue === undefined ? GGUF_DEFAULT_ALIGNMENT : Number(alignValue);
  if (!Number.isInteger(alignment) || alignment < 1) fail(`general.alignment is ${String(alignValue)}, not a positive whole number`);
  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = r.string(`tensor ${i}'s name`);
    const nDims = r.u32(`the dimension count of tensor "${name}"`);
    if (nDims < 1 || nDims > 4) fail(`tensor "${name}" has ${nDims} dimensions; GGUF tensors have 1 to 4`);
    const dims = Array.from({ length: nDims }, (_, d) => r.u64(`dimension ${d} of tensor "${name}"`));
    const type = r.u32(`the type of tensor "${name}"`);
    const offset = r.u64(`the offset of tensor "${name}"`);
    const t = GGML_TYPES[type];
    if (!t)
      fail(
        `tensor "${name}" has type ${type}, which ondevice does not know (known: ${Object.entries(GGML_TYPES)
          .map(([n, k]) => `${n} ${k.name}`)
          .join(', ')})`,
      );
    if (dims[0]! % t!.values !== 0) fail(`tensor "${name}" is ${t!.name} with ${dims[0]} values per row, not a multiple of its block (${t!.values})`);
    if (offset % alignment !== 0) fail(`tensor "${name}" starts at data offset ${offset}, not a multiple of the alignment ${alignment}`);
    const count = dims.reduce((a, b) => a * b, 1);
    tensors.push({ name, dims, type, typeName: t!.name, offset, bytes: (count / t!.values) * t!.bytes });
  }
  const dataOffset = alignUp(r.at, alignment);
  const dataBytes = tensors.reduce((m, t) => Math.max(m, t.offset + t.bytes), 0);
  const last = tensors.find((t) => t.offset + t.bytes === dataBytes);
  if (dataOffset + dataBytes > fileBytes) {
    fail(`it has ${fileBytes} bytes but its tensors need ${dataOffset + dataBytes} (tensor "${last?.name}" ends past the end): the file is truncated`);
  }
  return { version, metadata, tensors, alignment, dataOffset, dataBytes };
}

/** One part of a model as read back: the file's name (for messages) and its header. */
export interface GgufPartHeader {
  file: string;
  header: GgufHeader;
}

/**
 * Check that `parts` are the whole of one model, in order, as llama.cpp will load them: one file with no split keys
 * (or split.count 1), or every part of a split (split.ts) with split.no 0, 1, … and the same split.count, their
 * tensors adding up to split.tensors.count. A missing, repeated or out-of-order part is a GgufFormatError naming the
 * file and the part it is.
 */
export function checkGgufParts(parts: readonly GgufPartHeader[]): void {
  if (!parts.length) throw new GgufFormatError('No GGUF file was given.');
  const fail = (file: string, what: string): never => {
    throw new GgufFormatError(`GGUF file "${file}": ${what}.`);
  };
  const first = parts[0]!;
  const count = first.header.metadata.get(SPLIT_COUNT);
  if (count === undefined || Number(count) <= 1) {
    if (parts.length > 1) fail(parts[1]!.file, `it was given as part 2, but "${first.file}" is a whole model (no ${SPLIT_COUNT} above 1)`);
    return;
  }
  const n = Number(count);
  parts.forEach(({ file, header }, i) => {
    const no = header.metadata.get(SPLIT_NO);
    if (no === undefined) fail(file, `it has no ${SPLIT_NO}: it is not a part of a split GGUF model`);
    const partCount = Number(header.metadata.get(SPLIT_COUNT));
    if (partCount !== n) fail(file, `it says ${SPLIT_COUNT} ${partCount}, but the first part "${first.file}" says ${n}`);
    if (Number(no) > i) fail(file, `it is part ${Number(no) + 1} of ${n}, given as part ${i + 1}: part ${i + 1} of ${n} is missing`);
    if (Number(no) < i) fail(file, `it is part ${Number(no) + 1} of ${n}, given as part ${i + 1}: the parts are out of order or repeated`);
  });
  if (parts.length < n) fail(parts.at(-1)!.file, `it is part ${parts.length} of ${n}: part ${parts.length + 1} of ${n} is missing`);
  const expected = Number(first.header.metadata.get(SPLIT_TENSORS_COUNT));
  const found = parts.reduce((s, p) => s + p.header.tensors.length, 0);
  if (found !== expected) fail(first.file, `${SPLIT_TENSORS_COUNT} says ${expected} tensors, but the ${n} parts hold ${found}`);
}
