/**
 * Memory probes installed in the worker before onnxruntime starts: they watch the WASM heap and GPU buffers
 * from the outside, so they need nothing from the runtime and work for any engine.
 */

const memories: WebAssembly.Memory[] = [];
let gpuLive = 0;
let gpuPeak = 0;
/** Peak since the last `markGpuPeak()`: the GPU peak of one phase (e.g. one context length). */
let gpuPhasePeak = 0;
let gpuTracked = false;
let installed = false;

/** Wrap `WebAssembly.Memory` and `GPUDevice.createBuffer`/`GPUBuffer.destroy`. Idempotent. */
export function installMemoryProbes(): void {
  if (installed) return;
  installed = true;
  const Original = WebAssembly.Memory;
  // A plain function keeps `instanceof WebAssembly.Memory` true: emscripten checks it.
  const Hooked = function (this: unknown, descriptor: WebAssembly.MemoryDescriptor) {
    const memory = new Original(descriptor);
    memories.push(memory);
    return memory;
  } as unknown as typeof WebAssembly.Memory;
  Hooked.prototype = Original.prototype;
  WebAssembly.Memory = Hooked;

  if (typeof GPUDevice !== 'undefined' && typeof GPUBuffer !== 'undefined') {
    gpuTracked = true;
    const sizes = new WeakMap<GPUBuffer, number>();
    const create = GPUDevice.prototype.createBuffer;
    GPUDevice.prototype.createBuffer = function (this: GPUDevice, desc: GPUBufferDescriptor) {
      const buffer = create.call(this, desc);
      sizes.set(buffer, desc.size);
      gpuLive += desc.size;
      gpuPeak = Math.max(gpuPeak, gpuLive);
      gpuPhasePeak = Math.max(gpuPhasePeak, gpuLive);
      return buffer;
    };
    const destroy = GPUBuffer.prototype.destroy;
    GPUBuffer.prototype.destroy = function (this: GPUBuffer) {
      const size = sizes.get(this);
      if (size !== undefined) {
        gpuLive -= size;
        sizes.delete(this);
      }
      return destroy.call(this);
    };
  }
}

/** Bytes of the largest WASM memory created so far (memories only grow, so its size now is its peak). */
export function wasmHeapBytes(): { bytes: number | null; reason: string | null } {
  if (memories.length === 0) return { bytes: null, reason: 'no WebAssembly.Memory was created from JavaScript in this worker' };
  return { bytes: Math.max(...memories.map((m) => m.buffer.byteLength)), reason: null };
}

export function gpuBufferBytes(): { liveBytes: number | null; peakBytes: number | null; reason: string | null } {
  if (!gpuTracked) return { liveBytes: null, peakBytes: null, reason: 'GPUDevice is not defined in this worker (no WebGPU)' };
  return { liveBytes: gpuLive, peakBytes: gpuPeak, reason: null };
}

/** WASM heap size and live GPU buffer bytes now (null where there is nothing to see). */
export function memorySnapshot(): { wasmHeapBytes: number | null; gpuLiveBytes: number | null } {
  return { wasmHeapBytes: wasmHeapBytes().bytes, gpuLiveBytes: gpuBufferBytes().liveBytes };
}

/** Start a new phase for `gpuPhasePeakBytes`. */
export function markGpuPeak(): void {
  gpuPhasePeak = gpuLive;
}

/** Highest live GPU bytes since `markGpuPeak()`; null without WebGPU. */
export const gpuPhasePeakBytes = (): number | null => (gpuTracked ? gpuPhasePeak : null);
