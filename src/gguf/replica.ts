/**
 * GGUF replicas: a decoder the catalog names (llama, mistral, qwen2, phi3, gemma2 or gpt2 architecture), as the GGUF
 * file llama.cpp's converter would make from it (tensors and metadata per architecture: replica-archs.ts), with
 * synthetic weights (speed and memory depend on shapes and types, not on values) and a synthetic byte-level
 * vocabulary of the model's size. The file is laid out by write.ts and made as it is streamed, so the weights never
 * exist at fp32; a model over wllama's per-file limit is laid out as split parts (split.ts).
 *
 * The vocabulary: the config's special ids as control tokens, the 256 byte symbols of byte-level BPE after them, and
 * filler tokens `<rN>` up to vocab_size; no merges, so llama.cpp reads ASCII text as one token per byte, and a prompt
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

/** The synthetic vocabulary's metadata (see the module comment). */
function replicaVocab(c: VocabConfig, arch: string): GgufKv[] {
  const eos = Array.isArray(c.eos_token_id) ? c.eos_token_id : c.eos_token_id != null ? [c.eos_token_id] : [];
  const specials = [...new Set([c.bos_token_id, ...eos].filter((x): x is number => x != null))];
  const base = specials.length ? Math.max(...specials) + 1 : 0;
  const bytes = bytesToUnicode();
  const tokens: string[] = [];
  const types: number[] = [];
  for (let id = 0; id < c.vocab_size; id++) {
    if (specials.includes(id)) {
      tokens.push(`<|special_${id}|>`);
      types.push(3);
    } else if (id >= base && id < base + 256) {
      tokens.push(bytes[id - base]!);
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
    ...(c.bos_token_id != null ? [kv.u32('tokenizer.ggml.bos_token_id', c.bos_token_id)] : []),
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
    kv.str('general.name', name),
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
