/**
 * Will it fit? The bytes a run needs (weights, KV cache at the chosen context, activations), estimated before
 * anything is built or loaded, held against what the device allows: the 4 GiB a wasm32 heap can address,
 * WebGPU's per-buffer limits, and the device's memory. A run that would not fit ends `unsupported` with the
 * numbers instead of taking the tab down.
 */
import type { Device } from './vocab.ts';

/** A wasm32 memory addresses at most 65536 pages of 64 KiB; onnxruntime-web's build may grow to all of it. */
export const WASM_HEAP_LIMIT_BYTES = 4 * 1024 ** 3;

export interface FitEstimate {
  /** Weights as stored at this level (what the session holds). */
  weightBytes: number;
  /** The largest single weight tensor (a WebGPU buffer holds one). */
  largestTensorBytes: number;
  /** KV cache at `contextTokens` (decoders; 0 otherwise). */
  kvCacheBytes: number;
  contextTokens: number | null;
  /** Peak activations of one inference (the builder's estimate). */
  activationBytes: number;
  /** onnxruntime's own heap before any model (RUNTIME_HEAP_BYTES). */
  runtimeBytes: number;
  /** weights + KV cache + activations + runtime. */
  totalBytes: number;
}

/**
 * The WASM heap onnxruntime-web holds with a model of almost no weights (ppocr-v2-cls, 0.5 MB: 16 MiB every run).
 * Without it the estimate undershot every full-size replica (`npm run bench:fit`: measured ÷ predicted 1.01–2.19,
 * median 1.24; measured ≈ 1.09 × weights + 31.6 MiB), most for the small ones.
 */
export const RUNTIME_HEAP_BYTES = 16 * 1024 ** 2;

export interface DeviceLimits {
  wasmHeapBytes: number;
  /** WebGPU adapter limits, when the device has WebGPU. */
  maxBufferSize?: number | null;
  maxStorageBufferBindingSize?: number | null;
  /** navigator.deviceMemory in GiB (Chrome rounds it and caps it at 8); null where the browser hides it. */
  deviceMemoryGiB?: number | null;
}

export function fitEstimate(parts: Omit<FitEstimate, 'totalBytes' | 'runtimeBytes'>, runtimeBytes = RUNTIME_HEAP_BYTES): FitEstimate {
  return { ...parts, runtimeBytes, totalBytes: parts.weightBytes + parts.kvCacheBytes + parts.activationBytes + runtimeBytes };
}

const GIB = 1024 ** 3;
const gib = (bytes: number): string => `${(bytes / GIB).toFixed(bytes < 10 * GIB ? 2 : 1)} GiB`;
const size = (bytes: number): string => (bytes >= GIB / 4 ? gib(bytes) : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);

/** What the estimate consists of, for messages and reports: "2.17 GiB (weights 2.05 GiB + KV cache 96.0 MiB at 4096 tokens + activations 24.0 MiB)". */
export function describeEstimate(e: FitEstimate): string {
  const kv = e.kvCacheBytes ? ` + KV cache ${size(e.kvCacheBytes)}${e.contextTokens ? ` at ${e.contextTokens} tokens` : ''}` : '';
  const runtime = e.runtimeBytes ? ` + runtime ${size(e.runtimeBytes)}` : '';
  return `${size(e.totalBytes)} (weights ${size(e.weightBytes)}${kv} + activations ${size(e.activationBytes)}${runtime})`;
}

/**
 * Why a run will not fit on this device, or null when it should. On wasm everything lives in the one heap; on
 * WebGPU the weights live in GPU buffers, each within maxStorageBufferBindingSize, and the whole within the
 * device's memory (WebGPU does not say how much GPU memory there is; deviceMemory is the nearest figure). `advice`
 * ends the heap message: what to try instead, in the levels of the caller's engine.
 */
export function fitProblem(e: FitEstimate, device: Device, limits: DeviceLimits, advice = 'Try a smaller quantization level (q4) or WebGPU.'): string | null {
  const needs = `needs ${describeEstimate(e)}`;
  if (device === 'wasm' || device === 'webnn') {
    if (e.totalBytes > limits.wasmHeapBytes) return `Will not fit: ${needs}; the WASM heap allows ${gib(limits.wasmHeapBytes)}. ${advice}`;
  } else {
    const binding = limits.maxStorageBufferBindingSize ?? null;
    if (binding !== null && e.largestTensorBytes > binding) {
      return `Will not fit: its largest weight is ${size(e.largestTensorBytes)}, over this GPU's maxStorageBufferBindingSize of ${size(binding)} (one tensor must fit one buffer binding). Try a smaller quantization level.`;
    }
    const buffer = limits.maxBufferSize ?? null;
    if (buffer !== null && e.largestTensorBytes > buffer)
      return `Will not fit: its largest weight is ${size(e.largestTensorBytes)}, over this GPU's maxBufferSize of ${size(buffer)}.`;
  }
  const memory = limits.deviceMemoryGiB ?? null;
  if (memory !== null && e.totalBytes > memory * GIB) {
    return `Will not fit: ${needs}; this device reports ${memory} GiB of memory (navigator.deviceMemory).`;
  }
  return null;
}

/** The prediction of a run held against what it measured: the figure the estimate is meant to bound on its backend. */
export interface FitAccuracy {
  predictedBytes: number;
  /** On wasm the WASM heap's peak (weights, KV cache and activations all live there); on WebGPU the GPU buffers' peak. */
  measured: 'wasmHeapPeakBytes' | 'gpuBufferPeakBytes';
  measuredBytes: number;
  /** measured ÷ predicted: above 1 the estimate undershoots (the fit check lets through runs that may not fit). */
  ratio: number;
}

export function fitAccuracy(r: {
  state: string;
  device: Device;
  memory: { predicted: { totalBytes: number } | null; wasmHeapPeakBytes: number | null; gpuBufferPeakBytes: number | null };
}): FitAccuracy | null {
  const predicted = r.memory.predicted?.totalBytes ?? 0;
  if (r.state !== 'completed' || predicted <= 0) return null;
  const measured = r.device === 'webgpu' ? 'gpuBufferPeakBytes' : 'wasmHeapPeakBytes';
  const measuredBytes = r.memory[measured];
  if (measuredBytes === null) return null;
  return { predictedBytes: predicted, measured, measuredBytes, ratio: measuredBytes / predicted };
}
