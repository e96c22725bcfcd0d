/** The closed vocabularies of ondevice: devices, dtypes, engines, sources, states. Frozen tables, derived unions. */

export const DEVICES = ['wasm', 'webgpu', 'webnn'] as const;
export type Device = (typeof DEVICES)[number];

/**
 * Quantization levels, named as transformers.js names them, plus ondevice's q4dq: 4-bit weights stored for
 * `DequantizeLinear` → `MatMul`, which onnxruntime turns into fp32 weights once, at load.
 */
export const ONNX_DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4dq', 'q4f16', 'bnb4'] as const;
export type OnnxDtype = (typeof ONNX_DTYPES)[number];

/**
 * GGUF levels, named as llama.cpp names its tensor types and mixes (lower case), for the wllama engine: q4_0 and
 * q8_0 are llama.cpp's blocks of 32 with one fp16 scale each, not transformers.js's q4 (MatMulNBits) or q8 (dynamic
 * quantization), whose layouts and kernels differ; f16 and f32 are GGUF files of those types; q4_k_m is
 * llama-quantize's Q4_K_M mix (super-blocks of 256: Q4_K for most matrices, Q6_K for the output and some attn_v and
 * ffn_down), the level most GGUF downloads are.
 */
export const GGUF_DTYPES = ['f32', 'f16', 'q8_0', 'q4_0', 'q4_k_m'] as const;
export type GgufDtype = (typeof GGUF_DTYPES)[number];

export const DTYPES = [...ONNX_DTYPES, ...GGUF_DTYPES] as const;
export type Dtype = (typeof DTYPES)[number];

export const isGgufDtype = (d: string): d is GgufDtype => (GGUF_DTYPES as readonly string[]).includes(d);

/** transformers.js file-name suffix for each level: model{suffix}.onnx (GGUF levels: gguf/model{suffix}.gguf). */
export const DTYPE_FILE_SUFFIX: Readonly<Record<Dtype, string>> = Object.freeze({
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4dq: '_q4dq',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
  f32: '-f32',
  f16: '-f16',
  q8_0: '-q8_0',
  q4_0: '-q4_0',
  q4_k_m: '-q4_k_m',
});

/** Levels whose activations are fp16, and so need WebGPU's `shader-f16` on a GPU. */
export const FP16_COMPUTE_DTYPES: ReadonlySet<Dtype> = new Set<Dtype>(['fp16', 'q4f16']);

/**
 * onnxruntime-web's wasm builds that ondevice can load. `plain` is the CPU-only build (`onnxruntime-web/wasm`);
 * `asyncify` carries the WebGPU and WebNN execution providers and the asyncify instrumentation they need, which
 * makes CPU kernels slower (1.5× on ResNet-50, 4.3× on ShuffleNet measured here): WASM runs never use it by
 * default. `jsep` is what a bare `import * as ort from 'onnxruntime-web'` loads: kept to measure against.
 */
export const ORT_BUILDS = ['plain', 'asyncify', 'jsep'] as const;
export type OrtBuild = (typeof ORT_BUILDS)[number];

/** The build a run on `device` loads by default: the fastest one that has the device's execution provider. */
export const ortBuildFor = (device: Device): OrtBuild => (device === 'wasm' ? 'plain' : 'asyncify');

/** Whether `build` has `device`'s execution provider (the plain build is CPU only). */
export const buildHasDevice = (build: OrtBuild, device: Device): boolean => device === 'wasm' || build !== 'plain';

export const ENGINES = ['ort', 'transformers', 'wllama'] as const;
export type Engine = (typeof ENGINES)[number];

/** The library each engine runs models on: its name in tables, charts, reports and messages. */
export const ENGINE_LABEL: Readonly<Record<Engine, string>> = Object.freeze({
  ort: 'onnxruntime-web',
  transformers: 'transformers.js',
  wllama: 'wllama (llama.cpp)',
});

/** Task pipelines (issue 17): OCR (PP-OCR det → cls → rec) and voice activity detection (Silero VAD). */
export const TASK_KINDS = ['ocr', 'vad'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Whether an engine runs a level's files: wllama runs GGUF levels, the others ONNX ones. */
export const engineRunsDtype = (engine: Engine, dtype: Dtype): boolean => (engine === 'wllama') === isGgufDtype(dtype);

export const MODEL_SOURCES = ['bundled', 'replica', 'hub', 'file', 'url'] as const;
export type ModelSource = (typeof MODEL_SOURCES)[number];

/** How a run ended without completing; such a record carries its reason (`error`). */
export const INCOMPLETE_STATES = ['errored', 'unsupported', 'aborted'] as const;
export type IncompleteState = (typeof INCOMPLETE_STATES)[number];

export const RUN_STATES = ['completed', ...INCOMPLETE_STATES] as const;
export type RunState = (typeof RUN_STATES)[number];

export const RESULT_SCHEMA = 'ondevice.run/1' as const;

/** Check a value against a vocabulary; the error names the bad value and the valid set. */
export function parseOne<T extends string>(what: string, valid: readonly T[], value: string): T {
  if ((valid as readonly string[]).includes(value)) return value as T;
  throw new InvalidInputError(`Unsupported ${what}: "${value}". Should be one of: ${valid.join(', ')}.`);
}

/** Comma-separated list of vocabulary values ("wasm,webgpu"); "all" means every value. */
export function parseList<T extends string>(what: string, valid: readonly T[], value: string): T[] {
  if (value.trim() === 'all') return [...valid];
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidInputError(`Empty ${what} list. Should be some of: ${valid.join(', ')}, or "all".`);
  return [...new Set(items.map((v) => parseOne(what, valid, v)))];
}

/** Bad input from a user, a file or a flag: the message names the input and what would be valid. */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

/** Guess a file's quantization level from transformers.js's suffixes (model_q4.onnx → q4); fp32 otherwise. */
export function dtypeFromFileName(fileName: string): Dtype {
  const stem = fileName.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, '');
  // "_quantized" is q8 in transformers.js; every other suffix names its level.
  for (const dtype of ['q4f16', 'q4dq', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4'] as const) {
    if (stem.endsWith(DTYPE_FILE_SUFFIX[dtype])) return dtype;
  }
  return 'fp32';
}
