/**
 * A GGUF model split into several files, as llama.cpp's gguf-split writes them (tools/gguf-split; the keys are
 * llama-arch.cpp's LLM_KV_SPLIT_*): every part is a GGUF file of its own with its own tensor infos and data, named
 * `<name>-00001-of-0000N.gguf`; the first carries all the model's metadata, and every part carries
 *
 *   split.no             u16  this part's index, from 0
 *   split.count          u16  how many parts
 *   split.tensors.count  i32  how many tensors in all the parts together
 *
 * llama.cpp opens the first part, reads split.count, and loads the others by name, checking each one's split.no and
 * the tensor total. wllama hands the parts to llama.cpp under its own names (model-0000i-of-0000N.gguf), in the order
 * given, or sorted by their `-0000i-of-` names when every Blob is a named File.
 *
 * Why split: wllama reads each file through emscripten's 32-bit file offsets, so one file holds at most
 * WLLAMA_FILE_LIMIT_BYTES; a model over that is written in parts under it.
 */
import { GgufValueType } from './format.ts';
import { kv, layoutGguf, type GgufFile, type GgufKv, type GgufTensor } from './write.ts';

/** wllama's limit per file (2^31 − 1 bytes: emscripten's file offsets are signed 32-bit); a larger model is split. */
export const WLLAMA_FILE_LIMIT_BYTES = 2 ** 31 - 1;

export const SPLIT_NO = 'split.no';
export const SPLIT_COUNT = 'split.count';
export const SPLIT_TENSORS_COUNT = 'split.tensors.count';

/** `<name>-00001-of-00003.gguf`: llama.cpp's split file name (its "%s-%05d-of-%05d.gguf"), part `index` from 0. */
export const splitFileName = (name: string, index: number, count: number): string =>
  `${name}-${String(index + 1).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.gguf`;

/** A model as one GGUF file or several: the parts in order, and the totals the fit check counts. */
export interface GgufParts {
  parts: GgufFile[];
  /** All parts' bytes together. */
  totalBytes: number;
  /** Every tensor (offsets are within its own part's data section). */
  placed: GgufFile['placed'];
}

const u16 = (key: string, value: number): GgufKv => ({ key, type: GgufValueType.UINT16, value });

/** The split keys of part `index` of `count`, for a model of `tensors` tensors. */
const splitKvs = (index: number, count: number, tensors: number): GgufKv[] => [
  u16(SPLIT_NO, index),
  u16(SPLIT_COUNT, count),
  kv.i32(SPLIT_TENSORS_COUNT, tensors),
];

/** Bytes of one tensor info in the header: name (u64 length + bytes), n_dims u32, dims u64 each, type u32, offset u64. */
const infoBytes = (t: GgufTensor): number => 8 + new TextEncoder().encode(t.name).length + 4 + 8 * t.dims.length + 4 + 8;

/**
 * Lay out a model as one GGUF file when it fits in `maxFileBytes`, else as parts of at most `maxFileBytes` each
 * (tensors kept whole and in order, each part filled as far as it goes). Nothing is encoded until a part is streamed.
 * Throws, naming the tensor, when one tensor alone is over the cap.
 */
export function layoutGgufParts(metadata: readonly GgufKv[], tensors: readonly GgufTensor[], maxFileBytes = WLLAMA_FILE_LIMIT_BYTES): GgufParts {
  const whole = layoutGguf(metadata, tensors);
  if (whole.totalBytes <= maxFileBytes) return { parts: [whole], totalBytes: whole.totalBytes, placed: whole.placed };
  const alignKv = metadata.filter((m) => m.key === 'general.alignment');
  const alignment = alignKv.length ? Number(alignKv[0]!.value) : 32;
  const up = (n: number): number => Math.ceil(n / alignment) * alignment;
  const bytesOf = new Map(whole.placed.map((p) => [p.name, p.bytes]));
  // A part's header without tensors (metadata, split keys, padding): an upper bound, so parts come out at most the cap.
  const bare = [metadata, alignKv].map((m) => layoutGguf([...m, ...splitKvs(0, 1, 0)], []).header.length);
  const bareHeader = (first: boolean): number => bare[first ? 0 : 1]!;
  const groups: GgufTensor[][] = [];
  let current: GgufTensor[] = [];
  let headerBytes = bareHeader(true);
  let dataBytes = 0;
  for (const t of tensors) {
    const bytes = bytesOf.get(t.name)!;
    const alone = up(bareHeader(groups.length === 0 && current.length === 0) + infoBytes(t)) + bytes;
    if (alone > maxFileBytes) throw new Error(`tensor "${t.name}" is ${bytes} bytes: it cannot go in a GGUF part of at most ${maxFileBytes} bytes`);
    const grown = up(headerBytes + infoBytes(t)) + up(dataBytes) + bytes;
    if (current.length && grown > maxFileBytes) {
      groups.push(current);
      current = [];
      headerBytes = bareHeader(false);
      dataBytes = 0;
    }
    current.push(t);
    headerBytes += infoBytes(t);
    dataBytes = up(dataBytes) + bytes;
  }
  groups.push(current);
  if (groups.length > 0xffff) throw new Error(`the model would need ${groups.length} GGUF parts; split.count is a u16`);
  const parts = groups.map((g, i) => layoutGguf([...(i === 0 ? metadata : alignKv), ...splitKvs(i, groups.length, tensors.length)], g));
  for (const [i, p] of parts.entries())
    if (p.totalBytes > maxFileBytes) throw new Error(`GGUF part ${i + 1} came out at ${p.totalBytes} bytes, over the cap of ${maxFileBytes}`);
  return { parts, totalBytes: parts.reduce((s, p) => s + p.totalBytes, 0), placed: parts.flatMap((p) => p.placed) };
}
