/**
 * GGUF replicas: a decoder the catalog names (llama, mistral, qwen2, phi3, gemma2 or gpt2 architecture), as the GGUF
 * file llama.cpp's converter would make from it (tensors and metadata per architecture: replica-archs.ts), with
 * synthetic weights (speed and memory depend on shapes and types, not on values) and a synthetic byte-level
 * vocabulary of the model's size. The file is laid out by write.ts and made as it is streamed, so the weights never
 * exist at fp32; a model over wllama's per-file limit is laid out as split parts (split.ts).
 *
 * The vocabulary: the config's special ids as control tokens, the 128 ASCII byte symbols of byte-level BPE after the
 * low ones (not the other 128: a generated token alone would then be half a UTF-8 character, which llama-server's
 * JSON stream refuses), and filler tokens `<rN>` up to vocab_size; no merges, so llama.cpp reads ASCII text as one token per byte, and a prompt
 * of N ids can be written as N letters (replicaPromptText) that llama.cpp turns back into N tokens.
 */
import { parseDecoderConfig } from '../core/arch/decoder.ts';
import { bytesToUnicode } from '../onnx/build-tokenizer.ts';
import { GgmlType } from './format.ts';
import { GGUF_LEVELS, matrixType, type GgufLevel } from './levels.ts';
import { archMetadata, archProblem, archTensors, GGUF_REPLICA_ARCHS, type RawExtras, type TensorMaker } from './replica-archs.ts';
import { layoutGgufParts, WLLAMA_FILE_LIMIT_BYTES, type GgufParts } from './split.ts';
import { kv, layoutGguf, type GgufFile, type GgufKv, type GgufTensor } from './write.ts';

export { GGUF_REPLICA_ARCHS, WLLAMA_FILE_LIMIT_BYTES };

/** The raw config fields the vocabulary reads. */
interface VocabConfig {
  vocab_size: number;
  bos_token_id?: number | null;
  eos_token_id?: number | number[] | null;
}

/** Why a replica config cannot be written as GGUF, or null. */
export function ggufReplicaProblem(config: Record<string, unknown>): string | null {
  const type = String(config.model_type);
  const arch = GGUF_REPLICA_ARCHS[type];
  if (!arch) return `GGUF replicas are written for the ${Object.keys(GGUF_REPLICA_ARCHS).join(', ')} architectures; this model is ${type}.`;
  try {
    return archProblem(arch, parseDecoderConfig(config, `config of model_type ${type}`));
  } catch (err) {
    return (err as Error).message;
  }
}

/** Uniform values of standard deviation `std` from a seeded xorshift32 (fast: a replica has billions of them). */
function synthetic(seed: number, std: number): (start: number, count: number) => Float32Array {
  const a = std * Math.sqrt(3);
  return (start, count) => {
    let x = (seed ^ Math.imul(start + 1, 0x9e3779b1)) >>> 0 || 1;
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = ((x >>> 0) / 4294967296 - 0.5) * 2 * a;
    }
    return out;
  };
}

const ones = (_start: number, count: number): Float32Array => new Float32Array(count).fill(1);

/**
 * The replica's special ids: the config's bos and eos, where they are inside the vocabulary. A config shrunk for tests
 * keeps ids past its small vocabulary (Phi-3's eos 32000 with 256 tokens): each of those takes the lowest id no other
 * special id has (Phi-3 at test size: bos 1, eos 0), since llama.cpp cannot load a vocabulary without its
 * end-of-sequence token.
 */
export function replicaSpecialIds(c: VocabConfig): { bos: number | null; eos: number[] } {
  const V = c.vocab_size;
  const given = [c.bos_token_id ?? null, ...(Array.isArray(c.eos_token_id) ? c.eos_token_id : c.eos_token_id != null ? [c.eos_token_id] : [])];
  const taken = new Set(given.filter((id): id is number => id != null && id >= 0 && id < V));
  const standIns = new Map<number, number>();
  const inside = (id: number | null): number | null => {
    if (id == null || taken.has(id)) return id;
    if (!standIns.has(id)) {
      let free = 0;
      while (taken.has(free)) free++;
      taken.add(free);
      standIns.set(id, free);
    }
    return standIns.get(id)!;
  };
  const [bos, ...eos] = given.map(inside);
  return { bos: bos ?? null, eos: [...new Set(eos.filter((id): id is number => id != null))] };
}

/** The synthetic vocabulary's metadata (see the module comment). */
function replicaVocab(c: VocabConfig, arch: string): GgufKv[] {
  const { bos, eos } = replicaSpecialIds(c);
  const specials = [...new Set([bos, ...eos].filter((x): x is number => x != null))];
  // The ASCII byte symbols follow the special ids that leave room for them after (Phi-3's bos 1; not gpt2's eos 50256,
  // the last id), skipping any special id among them.
  const base = Math.max(-1, ...specials.filter((id) => id + 128 < c.vocab_size)) + 1;
  const bytes = bytesToUnicode();
  const tokens: string[] = [];
  const types: number[] = [];
  let byte = 0;
  for (let id = 0; id < c.vocab_size; id++) {
    if (specials.includes(id)) {
      tokens.push(`<|special_${id}|>`);
      types.push(3);
    } else if (id >= base && byte < 128) {
      tokens.push(bytes[byte++]!);
      types.push(1);
    } else {
      tokens.push(`<r${id}>`);
      types.push(1);
    }
  }
  return [
    kv.str('tokenizer.ggml.model', 'gpt2'),
    kv.str('tokenizer.ggml.pre', arch === 'qwen2' ? 'qwen2' : 'gpt-2'),
    kv.strings('tokenizer.ggml.tokens', tokens),
    kv.i32s('tokenizer.ggml.token_type', types),
    kv.strings('tokenizer.ggml.merges', []),
    ...(bos != null ? [kv.u32('tokenizer.ggml.bos_token_id', bos)] : []),
    ...(eos.length ? [kv.u32('tokenizer.ggml.eos_token_id', eos[0]!)] : []),
    kv.bool('tokenizer.ggml.add_bos_token', false),
    kv.bool('tokenizer.ggml.add_eos_token', false),
  ];
}

/** A prompt of `ids.length` tokens as text the replica's vocabulary reads back as exactly that many tokens. */
export const replicaPromptText = (ids: readonly number[]): string => ids.map((id) => String.fromCharCode(97 + (id % 26))).join('');

/** The metadata and tensors of the GGUF replica of a decoder config at `level` (values made as they are streamed). */
function replicaContent(config: Record<string, unknown>, level: GgufLevel, name: string, seed: number): { metadata: GgufKv[]; tensors: GgufTensor[] } {
  const problem = ggufReplicaProblem(config);
  if (problem) throw new Error(problem);
  const d = parseDecoderConfig(config, `config of model_type ${String(config.model_type)}`);
  const arch = GGUF_REPLICA_ARCHS[d.modelType]!;
  let n = 0;
  const maker: TensorMaker = {
    // The level's type for each matrix (levels.ts: q4_k_m mixes Q4_K and Q6_K by name and layer).
    weight: (name, k, rows) => {
      const layer = /^blk\.(\d+)\./.exec(name)?.[1];
      const type = matrixType(level, name, k, { layer: layer === undefined ? undefined : Number(layer), layers: d.layers, tied: d.tied });
      return { name, dims: [k, rows], type, values: synthetic(seed * 7919 + n++, 0.02) };
    },
    vector: (name, size, fill = 'synthetic') => ({
      name,
      dims: [size],
      type: GgmlType.F32,
      values: fill === 'ones' ? ones : synthetic(seed * 7919 + n++, 0.02),
    }),
    table: (name, k, rows) => ({ name, dims: [k, rows], type: GgmlType.F32, values: synthetic(seed * 7919 + n++, 0.02) }),
  };
  const tensors = archTensors(arch, d, config as RawExtras, maker);
  const metadata: GgufKv[] = [
    kv.str('general.architecture', arch),
    // Not the model's name: llama.cpp applies vocabulary workarounds to a general.name it recognises (a name with
    // "Phi-3" or "phi3" in it makes the load abort in the vocabulary with "unordered_map::at: key not found", seen with
    // wllama 3.13: it looks for a token of Phi-3's own vocabulary, which the synthetic one lacks). The model the
    // replica stands for is kept under ondevice's own key, which llama.cpp ignores.
    kv.str('general.name', 'ondevice synthetic replica'),
    kv.str('ondevice.replica_of', name),
    kv.u32('general.file_type', GGUF_LEVELS[level].fileType),
    kv.u32('general.quantization_version', 2),
    ...archMetadata(arch, d, config as RawExtras),
    ...replicaVocab(config as unknown as VocabConfig, arch),
  ];
  return { metadata, tensors };
}

/** Lay out the GGUF replica of a decoder config at `level` as one file; nothing is generated until it is streamed. */
export function ggufReplica(config: Record<string, unknown>, level: GgufLevel, name: string, seed = 1): GgufFile {
  const { metadata, tensors } = replicaContent(config, level, name, seed);
  return layoutGguf(metadata, tensors);
}

/** The same replica as one file, or as split parts of at most `maxFileBytes` each when one file would be over it. */
export function ggufReplicaParts(config: Record<string, unknown>, level: GgufLevel, name: string, maxFileBytes = WLLAMA_FILE_LIMIT_BYTES, seed = 1): GgufParts {
  const { metadata, tensors } = replicaContent(config, level, name, seed);
  return layoutGgufParts(metadata, tensors, maxFileBytes);
}
