/**
 * The host side of the WebGPU roofline: the adapter, errors from error scopes, timed submissions (timestamp queries
 * or wall time), read-back, storage buffers cut into bindable ranges, pipelines, and the matmul kernels' buffers and
 * their check against the scalar reference.
 */
import type { TimingMethod } from './roofline.ts';
import { fail, uniforms } from './check.ts';
import { scalarMatmul } from './wasm-kernels.ts';
import type { MatmulKernel } from './webgpu-kernels.ts';

const MiB = 2 ** 20;
/** A timed submission repeats its work until it lasts about this long, so submit overhead is noise (wall-time timing). */
const TARGET_PASS_MS = 50;

type Adapter = { adapter: GPUAdapter } | { reason: string };

export async function requestAdapter(): Promise<Adapter> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { reason: 'navigator.gpu is undefined in this worker (WebGPU is disabled or unsupported in this browser).' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter ? { adapter } : { reason: 'requestAdapter() returned null (no usable WebGPU adapter).' };
  } catch (err) {
    return { reason: `requestAdapter() failed: ${String(err)}` };
  }
}

export const describeAdapter = (a: GPUAdapter): string => {
  const i = a.info;
  return [i?.vendor, i?.architecture, i?.description].map((s) => s || '?').join(' / ');
};

/** The adapter's name for the cache key, or why there is none. */
export async function webGpuAdapterName(): Promise<{ adapter: string } | { reason: string }> {
  const got = await requestAdapter();
  return 'reason' in got ? got : { adapter: describeAdapter(got.adapter) };
}

/** Validation and out-of-memory errors from `make` become a thrown error (WebGPU reports them asynchronously). */
export async function checked<T>(device: GPUDevice, what: string, make: () => T): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const value = make();
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  const err = oom ?? validation;
  if (err) throw fail(`${what}: ${err.message}`, oom ? 'OutOfMemoryError' : 'WebGpuValidationError');
  return value;
}

/** One timed submission: timestamp queries around the pass where the device has them, wall time otherwise. */
interface Timer {
  method: TimingMethod;
  /** Encode `body` in one compute pass, submit, wait; milliseconds of GPU (or wall) time. */
  time(body: (pass: GPUComputePassEncoder) => void): Promise<number>;
  destroy(): void;
}

export function makeTimer(device: GPUDevice): Timer {
  if (!device.features.has('timestamp-query')) {
    return {
      method: 'onSubmittedWorkDone',
      async time(body) {
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        body(pass);
        pass.end();
        const commands = encoder.finish();
        const t0 = performance.now();
        device.queue.submit([commands]);
        await device.queue.onSubmittedWorkDone();
        return performance.now() - t0;
      },
      destroy() {},
    };
  }
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
  const resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  return {
    method: 'timestamp-query',
    async time(body) {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
      body(pass);
      pass.end();
      encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, read, 0, 16);
      device.queue.submit([encoder.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const [begin, end] = new BigUint64Array(read.getMappedRange().slice(0));
      read.unmap();
      return Number(end! - begin!) / 1e6;
    },
    destroy() {
      querySet.destroy();
      resolve.destroy();
      read.destroy();
    },
  };
}

export async function readBack(device: GPUDevice, src: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(src, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const copy = staging.getMappedRange().slice(0);
  staging.destroy();
  return copy;
}

/** How many times to repeat a pass so that one timed submission lasts about TARGET_PASS_MS. */
export const repeatsFor = (ms: number): number => Math.max(1, Math.min(64, Math.ceil(TARGET_PASS_MS / Math.max(ms, 1e-3))));

export interface Range {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

/**
 * One buffer holds at most this. SwiftShader advertises maxBufferSize 1 GiB but refused a 1 GiB buffer
 * (VK_ERROR_OUT_OF_DEVICE_MEMORY) while granting eight of 256 MiB; 256 MiB is also WebGPU's default limit.
 */
const BUFFER_CHUNK_BYTES = 256 * MiB;

/** Storage buffers totalling `total` bytes, cut into bindable ranges (binding size and offset alignment limits). */
export async function allocateRanges(device: GPUDevice, total: number): Promise<{ buffers: GPUBuffer[]; ranges: Range[] }> {
  const { maxBufferSize, maxStorageBufferBindingSize, minStorageBufferOffsetAlignment } = device.limits;
  const align = Math.max(16, minStorageBufferOffsetAlignment);
  const maxRange = Math.floor(maxStorageBufferBindingSize / align) * align;
  const chunk = Math.floor(Math.min(maxBufferSize, BUFFER_CHUNK_BYTES) / align) * align;
  const buffers: GPUBuffer[] = [];
  const ranges: Range[] = [];
  try {
    for (let left = total; left > 0;) {
      const size = Math.min(left, chunk);
      const buffer = await checked(device, `createBuffer(${size} bytes)`, () => device.createBuffer({ size, usage: GPUBufferUsage.STORAGE }));
      buffers.push(buffer);
      for (let offset = 0; offset < size; offset += maxRange) ranges.push({ buffer, offset, size: Math.min(maxRange, size - offset) });
      left -= size;
    }
  } catch (err) {
    for (const b of buffers) b.destroy();
    throw err;
  }
  return { buffers, ranges };
}

export const pipelineFor = (device: GPUDevice, code: string): GPUComputePipeline =>
  device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });

interface MatmulSetup {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  c: GPUBuffer;
  buffers: GPUBuffer[];
}

export async function matmulSetup(
  device: GPUDevice,
  kernel: MatmulKernel,
  a: Float32Array<ArrayBuffer>,
  b: Float32Array<ArrayBuffer>,
  m: number,
  n: number,
  k: number,
): Promise<MatmulSetup> {
  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
  const make = (size: number, usage: number) => checked(device, `createBuffer(${size} bytes)`, () => device.createBuffer({ size, usage }));
  const bufA = await make(a.byteLength, storage);
  const bufB = await make(b.byteLength, storage);
  const bufC = await make(m * n * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
  const dims = await make(16, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  device.queue.writeBuffer(bufA, 0, a);
  device.queue.writeBuffer(bufB, 0, b);
  device.queue.writeBuffer(dims, 0, new Uint32Array([m, n, k, 0]));
  const pipeline = pipelineFor(device, kernel.code);
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [bufA, bufB, bufC, dims].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  return { pipeline, bindGroup, c: bufC, buffers: [bufA, bufB, bufC, dims] };
}

/** A matmul shader on a small non-square case, every entry against the scalar reference. */
export async function checkWebGpuMatmul(device: GPUDevice, kernel: MatmulKernel, m: number, n: number, k: number): Promise<void> {
  const a = uniforms(m * k, 7);
  const b = uniforms(k * n, 8);
  const mm = await matmulSetup(device, kernel, a, b, m, n, k);
  try {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(mm.pipeline);
    pass.setBindGroup(0, mm.bindGroup);
    pass.dispatchWorkgroups(...kernel.groups(m, n));
    pass.end();
    device.queue.submit([encoder.finish()]);
    const c = new Float32Array(await readBack(device, mm.c, m * n * 4));
    const ref = scalarMatmul(a, b, m, n, k);
    for (let i = 0; i < ref.length; i++) {
      if (!(Math.abs(c[i]! - ref[i]!) <= 1e-5)) {
        throw fail(`WebGPU matmul (${kernel.name}) ${m}×${k}·${k}×${n}: C[${i}] = ${c[i]}, the scalar reference gives ${ref[i]}: the shader is wrong.`);
      }
    }
  } finally {
    for (const b of mm.buffers) b.destroy();
  }
}
