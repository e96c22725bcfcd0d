/**
 * What kind of failure a run's error is, from its name and the runtime's own words: one class per record, so that
 * a suite of hundreds of runs can be counted by what went wrong, with the runtime's raw text kept beside it.
 * Pure: the patterns are onnxruntime-web's, transformers.js's and the browser's messages as they really read
 * (test/unit/error-class.test.ts quotes them).
 */

export const ERROR_CLASSES = [
  /** The WASM heap (4 GiB at most), GPU memory or a size onnxruntime's 32-bit arithmetic cannot hold. */
  'out-of-memory',
  /** The runtime lacks an operator, a domain, an opset or a kernel the model uses. */
  'unsupported-op',
  /** Not a model the runtime can read: empty, truncated, not protobuf, or an invalid graph. */
  'bad-model',
  /** The WebGPU device (or the worker holding it) was lost mid-run. */
  'device-lost',
  /** The model loaded but rejected the inputs it was given (shapes, types). */
  'bad-input',
  /** The model's bytes could not be fetched (HTTP status, network). */
  'fetch',
  /** The run was stopped: by the user, a watchdog, or a browser that went away. */
  'aborted',
  /** This device, engine or level cannot run it, decided before the runtime was asked. */
  'unsupported',
  /** Anything else. */
  'other',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** How the class reads in tables. */
export const ERROR_CLASS_LABEL: Readonly<Record<ErrorClass, string>> = Object.freeze({
  'out-of-memory': 'out of memory',
  'unsupported-op': 'unsupported op',
  'bad-model': 'bad model',
  'device-lost': 'device lost',
  'bad-input': 'bad input',
  fetch: 'fetch failed',
  aborted: 'aborted',
  unsupported: 'unsupported',
  other: 'error',
});

// onnxruntime-web's wasm throws a bare number (a pointer) when an allocation fails; SafeInt overflows when one
// tensor's size passes 4 GiB in 32-bit wasm; emscripten aborts with "OOM"; V8 cannot grow the Memory.
const OOM =
  /threw a raw number|SafeIntOnOverflow|Integer overflow|bad_alloc|failed to allocate|out of memory|\bOOM\b|cannot enlarge memory|array buffer allocation failed|could not allocate|WebAssembly\.Memory(\(\))?: could not|Memory\.grow|exceeds the supported maximum of 4294967295 bytes|GPUOutOfMemoryError|max(imum)? buffer size|exceeds the max/i;
const DEVICE_LOST = /device (was |is )?lost|GPUDevice.*lost|DXGI_ERROR_DEVICE_REMOVED|context lost|device removed/i;
const UNSUPPORTED_OP =
  /No Op registered|No opset import for domain|Could not find an implementation for|not implemented|NOT_IMPLEMENTED|is under development and support for this is limited|Unsupported (op|operator|data ?type)|no kernel|ERROR_CODE: 9\b/i;
const BAD_MODEL =
  /protobuf parsing failed|No graph was found|Invalid model|INVALID_PROTOBUF|INVALID_GRAPH|ERROR_CODE: (4|7|10)\b|is empty \(0 bytes|not a valid ONNX|Expected a complete ONNX|ModelProto|is not a graph input|Duplicate definition|has a cycle|Load model from .* failed|External data|external initializer/i;
const BAD_INPUT =
  /invalid dimensions for input|Got invalid dimensions|Unexpected input data type|input .* is missing|Missing Input|invalid (rank|shape) for input|--input NAME=/i;
const FETCH = /HTTP \d{3}|Failed to fetch|NetworkError|net::ERR_|could not fetch|no such file:/i;

/** Names the project's own errors carry, and what each says on its own. */
const BY_NAME: Readonly<Record<string, ErrorClass>> = Object.freeze({
  OutOfMemoryError: 'out-of-memory',
  AbortError: 'aborted',
  AbortedError: 'aborted',
  StalledError: 'aborted',
  DisconnectedError: 'aborted',
  RemoteConnectError: 'aborted',
  RemoteBrowserError: 'aborted',
  AppLoadError: 'aborted',
  UnsupportedError: 'unsupported',
  ModelFetchError: 'fetch',
  OnnxFormatError: 'bad-model',
});

export interface ClassifyContext {
  /** The run's backend: a lost device and GPU memory only mean something on webgpu. */
  device?: string;
}

/**
 * The class of an error from its name and text (its `raw` runtime text too, where kept). Memory comes first (an
 * allocation failing inside a parse reads as a parse error otherwise), then a lost device, then the rest.
 */
export function classifyError(error: ErrorInfo, context: ClassifyContext = {}): ErrorClass {
  const named = BY_NAME[error.name];
  if (named && named !== 'fetch') return named;
  const text = error.raw ? `${error.message}\n${error.raw}` : error.message;
  if (OOM.test(text)) return 'out-of-memory';
  if (context.device !== 'wasm' && DEVICE_LOST.test(text)) return 'device-lost';
  if (named) return named;
  if (UNSUPPORTED_OP.test(text)) return 'unsupported-op';
  if (BAD_INPUT.test(text) || error.name === 'InferenceError') return 'bad-input';
  if (BAD_MODEL.test(text) || error.name === 'ModelLoadError') return 'bad-model';
  if (FETCH.test(text)) return 'fetch';
  return 'other';
}

/** The heap figures a failed session creation is judged by. */
export interface HeapAtFailure {
  /** The WASM heap in use when creation failed (the largest Memory's size: it only grows); null if unseen. */
  heapBytes: number | null;
  /** The most that heap can hold. */
  limitBytes: number;
  /** The model's bytes (graph and external data): they are copied into the heap before the session is built. */
  modelBytes: number;
}

/**
 * Whether a failed session creation ran out of heap even though the runtime's text says something else (it often
 * reports a failed allocation as a parse error): the heap had grown to within the model's size (a 16th of the heap
 * at least) of its limit, or the model alone is bigger than what was left of it.
 */
export function heapExhausted(h: HeapAtFailure): boolean {
  if (h.heapBytes === null) return false;
  const margin = Math.max(h.modelBytes, h.limitBytes / 16);
  return h.heapBytes + margin >= h.limitBytes;
}

/** An error as records carry it: crosses the worker boundary as plain data (branch on `name`, never `instanceof`). */
export interface ErrorInfo {
  name: string;
  message: string;
  /** What kind of failure; `finish` (src/core/result.ts) sets it when the error has none. */
  class?: ErrorClass;
  /** The runtime's own text, where the message says it in other words. */
  raw?: string;
}

// Which memory ran out, for the runtime's message: broader than OOM above on wasm ("memory access out of bounds" is
// most often the heap running out under onnxruntime's allocator), and on webgpu a lost device counts. SafeInt overflow: onnxruntime's size arithmetic in 32-bit wasm when one tensor would exceed 4 GiB.
const WASM_OOM =
  /threw a raw number|SafeIntOnOverflow|bad_alloc|failed to allocate|out of memory|cannot enlarge memory|array buffer allocation failed|could not allocate|memory access out of bounds|WebAssembly\.Memory/i;
const GPU_OOM = /device (was )?lost|GPUOutOfMemoryError|out of memory|max(imum)? buffer size|exceeds the max/i;

/**
 * Name the memory that ran out when an error looks like exhaustion: the WASM heap (4 GiB at most in a 32-bit
 * wasm) on wasm, GPU memory or the device on webgpu. Other errors pass through unchanged.
 */
export function classifyMemoryError(info: ErrorInfo, device: string): ErrorInfo {
  if (info.name === 'OutOfMemoryError') return { ...info, class: 'out-of-memory' };
  const raw = info.raw ?? info.message;
  if (device === 'webgpu' && GPU_OOM.test(info.message)) {
    const lost = classifyError(info, { device }) === 'device-lost';
    return {
      name: 'OutOfMemoryError',
      message: `GPU memory ran out (or the WebGPU device was lost): ${info.message}`,
      class: lost ? 'device-lost' : 'out-of-memory',
      raw,
    };
  }
  if (WASM_OOM.test(info.message)) {
    return {
      name: 'OutOfMemoryError',
      message: `The WASM heap ran out (onnxruntime-web's heap is 4 GiB at most): ${info.message}`,
      class: 'out-of-memory',
      raw,
    };
  }
  return info;
}
