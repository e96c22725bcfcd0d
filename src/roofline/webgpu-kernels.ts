/**
 * The WebGPU half of the device roofline: a grid-stride streaming read over 1 GiB of storage buffers and an f32
 * matmul (the faster of a tiled and a register-only kernel on this adapter), WGSL compute shaders timed with
 * timestamp queries where the adapter has them and by queue.onSubmittedWorkDone() wall time where it does not.
 */
import { ASSUMED_LLC_BYTES, completedRoofline, type RooflineOptions, type RooflineProgress, type RooflineResult, type TimingMethod } from './roofline.ts';
import { checkCells, checkMatmulEntries, fail, uniforms } from './check.ts';
import { scalarMatmul } from './wasm-kernels.ts';

const MiB = 2 ** 20;
const MIN_BUFFER_BYTES = 64 * MiB;
const READ_WORKGROUP = 256;
/** A timed submission repeats its work until it lasts about this long, so submit overhead is noise (wall-time timing). */
const TARGET_PASS_MS = 50;

/**
 * Each invocation sums vec4<u32>s in a grid-stride loop, four strides per iteration (neighbouring invocations read
 * neighbouring 16 bytes, so every sweep is coalesced), and adds its lane sum to its own slot of `out`. The sum is
 * what keeps the loads from being optimised away, and it is checked: each bound range holds 0, 1, 2, … . Words
 * are u32, not f32, so that the check is exact; the bytes moved are the same.
 */
const READ_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(${READ_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * ${READ_WORKGROUP}u;
  let n = arrayLength(&src);
  var a0 = vec4<u32>(0u); var a1 = vec4<u32>(0u); var a2 = vec4<u32>(0u); var a3 = vec4<u32>(0u);
  var i = gid.x;
  for (; i + 3u * stride < n; i += 4u * stride) {
    a0 += src[i]; a1 += src[i + stride]; a2 += src[i + 2u * stride]; a3 += src[i + 3u * stride];
  }
  for (; i < n; i += stride) { a0 += src[i]; }
  let acc = a0 + a1 + a2 + a3;
  out[gid.x] += acc.x + acc.y + acc.z + acc.w;
}`;

/**
 * Workgroup counts tried for the read; the faster is timed. A GPU needs many invocations in flight to cover memory
 * latency; SwiftShader (WebGPU on the CPU) runs each invocation as a CPU thread's SIMD lane and was 2× faster
 * with few (16 × 256) than with 1024 × 256.
 */
const READ_GROUPS = [1024, 16] as const;

/** Word i of each bound range gets the value i (written as vec4s: 3× faster than u32 stores on SwiftShader). */
const FILL_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dst: array<vec4<u32>>;
@compute @workgroup_size(${READ_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * ${READ_WORKGROUP}u;
  for (var i = gid.x; i < arrayLength(&dst); i += stride) {
    dst[i] = vec4<u32>(4u * i) + vec4<u32>(0u, 1u, 2u, 3u);
  }
}`;

const MATMUL_HEAD = /* wgsl */ `
struct Dims { m: u32, n: u32, k: u32 }
@group(0) @binding(3) var<uniform> dims: Dims;`;

interface MatmulKernel {
  name: string;
  code: string;
  /** Workgroups for an m×n result. */
  groups(m: number, n: number): [number, number];
  /** Whether the kernel handles these sizes. */
  fits(m: number, n: number, k: number): boolean;
}

/**
 * Two f32 matmul kernels (C = A·B, row-major); the faster on this adapter is timed, after both pass the small check.
 * - tiled: a 16×16 workgroup computes a 64×64 tile of C, each invocation a 4×4 block in registers, with 64×16 tiles
 *   of A and 16×64 of B staged in workgroup memory (the usual shape for a GPU).
 * - registers: each invocation computes a 4×4 block straight from vec4 loads, no workgroup memory and no barriers;
 *   on SwiftShader this ran 4× faster than the tiled one (a barrier there switches every invocation's fiber).
 */
const MATMUL_KERNELS: readonly MatmulKernel[] = [
  {
    name: 'tiled 64×64 per 16×16 workgroup, 4×4 per invocation, workgroup memory',
    groups: (m, n) => [n / 64, m / 64],
    fits: (m, n, k) => m % 64 === 0 && n % 64 === 0 && k % 16 === 0,
    code: /* wgsl */ `${MATMUL_HEAD}
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
var<workgroup> tileA: array<array<f32, 64>, 16>; // [k][row]
var<workgroup> tileB: array<array<f32, 64>, 16>; // [k][col]
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let flat = lid.y * 16u + lid.x;
  let rowBase = wid.y * 64u;
  let colBase = wid.x * 64u;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < dims.k; k0 += 16u) {
    for (var t = 0u; t < 4u; t++) {
      let e = flat * 4u + t;
      let ar = e / 16u; let ak = e % 16u;
      tileA[ak][ar] = a[(rowBase + ar) * dims.k + k0 + ak];
      let bk = e / 64u; let bc = e % 64u;
      tileB[bk][bc] = b[(k0 + bk) * dims.n + colBase + bc];
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let bv = vec4<f32>(tileB[kk][lid.x * 4u], tileB[kk][lid.x * 4u + 1u], tileB[kk][lid.x * 4u + 2u], tileB[kk][lid.x * 4u + 3u]);
      for (var r = 0u; r < 4u; r++) {
        acc[r] = fma(vec4<f32>(tileA[kk][lid.y * 4u + r]), bv, acc[r]);
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let base = (rowBase + lid.y * 4u + r) * dims.n + colBase + lid.x * 4u;
    c[base] = acc[r].x; c[base + 1u] = acc[r].y; c[base + 2u] = acc[r].z; c[base + 3u] = acc[r].w;
  }
}`,
  },
  {
    name: 'registers: 4×4 per invocation from vec4 loads, 64×1 workgroups, no workgroup memory',
    groups: (m, n) => [Math.ceil(n / 4 / 64), m / 4],
    fits: (m, n, k) => m % 4 === 0 && n % 4 === 0 && k % 4 === 0,
    code: /* wgsl */ `${MATMUL_HEAD}
@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;
@compute @workgroup_size(64, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n4 = dims.n / 4u;
  let k4 = dims.k / 4u;
  let col = gid.x;
  let row = gid.y * 4u;
  if (col >= n4) { return; }
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < k4; k++) {
    let b0 = b[(4u * k) * n4 + col];
    let b1 = b[(4u * k + 1u) * n4 + col];
    let b2 = b[(4u * k + 2u) * n4 + col];
    let b3 = b[(4u * k + 3u) * n4 + col];
    for (var r = 0u; r < 4u; r++) {
      let av = a[(row + r) * k4 + k];
      acc[r] = fma(vec4<f32>(av.x), b0, fma(vec4<f32>(av.y), b1, fma(vec4<f32>(av.z), b2, fma(vec4<f32>(av.w), b3, acc[r]))));
    }
  }
  for (var r = 0u; r < 4u; r++) { c[(row + r) * n4 + col] = acc[r]; }
}`,
  },
];

type Adapter = { adapter: GPUAdapter } | { reason: string };

async function requestAdapter(): Promise<Adapter> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { reason: 'navigator.gpu is undefined in this worker (WebGPU is disabled or unsupported in this browser).' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter ? { adapter } : { reason: 'requestAdapter() returned null (no usable WebGPU adapter).' };
  } catch (err) {
    return { reason: `requestAdapter() failed: ${String(err)}` };
  }
}

const describeAdapter = (a: GPUAdapter): string => {
  const i = a.info;
  return [i?.vendor, i?.architecture, i?.description].map((s) => s || '?').join(' / ');
};

/** The adapter's name for the cache key, or why there is none. */
export async function webGpuAdapterName(): Promise<{ adapter: string } | { reason: string }> {
  const got = await requestAdapter();
  return 'reason' in got ? got : { adapter: describeAdapter(got.adapter) };
}

/** Validation and out-of-memory errors from `make` become a thrown error (WebGPU reports them asynchronously). */
async function checked<T>(device: GPUDevice, what: string, make: () => T): Promise<T> {
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

function makeTimer(device: GPUDevice): Timer {
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

async function readBack(device: GPUDevice, src: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
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
const repeatsFor = (ms: number): number => Math.max(1, Math.min(64, Math.ceil(TARGET_PASS_MS / Math.max(ms, 1e-3))));

interface Range {
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
async function allocateRanges(device: GPUDevice, total: number): Promise<{ buffers: GPUBuffer[]; ranges: Range[] }> {
  const { maxBufferSize, maxStorageBufferBindingSize, minStorageBufferOffsetAlignment } = device.limits;
  const align = Math.max(16, minStorageBufferOffsetAlignment);
  const maxRange = Math.floor(maxStorageBufferBindingSize / align) * align;
  const chunk = Math.floor(Math.min(maxBufferSize, BUFFER_CHUNK_BYTES) / align) * align;
  const buffers: GPUBuffer[] = [];
  const ranges: Range[] = [];
  try {
    for (let left = total; left > 0; ) {
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

/** Σ 0..m−1, the sum of a range the fill shader wrote (reduced mod 2³² by the caller). */
const triangular = (m: number): bigint => (BigInt(m) * BigInt(m - 1)) / 2n;

const pipelineFor = (device: GPUDevice, code: string): GPUComputePipeline =>
  device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });

export async function measureWebGpuRoofline(o: Required<RooflineOptions>, onProgress: (p: RooflineProgress) => void): Promise<RooflineResult> {
  const got = await requestAdapter();
  if ('reason' in got) return { state: 'unsupported', roofline: null, reason: got.reason };
  const { adapter } = got;
  const notes: string[] = [];
  const timestamps = adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({
    requiredFeatures: timestamps ? ['timestamp-query'] : [],
    // The defaults (256 MiB buffers, 128 MiB bindings) are below what adapters offer: ask for all of it.
    requiredLimits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    },
  });
  if (/swiftshader/i.test(`${adapter.info?.architecture ?? ''} ${adapter.info?.description ?? ''}`)) {
    notes.push('the WebGPU adapter is SwiftShader (WebGPU emulated on the CPU): these figures describe SwiftShader on this CPU, not a GPU');
  }
  if (!timestamps) notes.push('timestamp-query is unavailable: passes are timed from submit to onSubmittedWorkDone (wall time, includes submit overhead)');
  const timer = makeTimer(device);
  const owned: GPUBuffer[] = [];
  try {
    // ── Bandwidth ──
    onProgress({ phase: 'allocate', done: 0, total: 1, detail: `${o.bufferBytes / MiB} MiB` });
    let allocated: { buffers: GPUBuffer[]; ranges: Range[] } | null = null;
    for (let size = o.bufferBytes; size >= MIN_BUFFER_BYTES && !allocated; size = Math.floor(size / 2 / 65536) * 65536) {
      try {
        allocated = await allocateRanges(device, size);
      } catch (err) {
        notes.push(`${size / MiB} MiB of storage buffers could not be allocated (${(err as Error).message.split('\n')[0]}); trying half`);
      }
    }
    if (!allocated) return { state: 'errored', roofline: null, reason: `Could not allocate even ${MIN_BUFFER_BYTES / MiB} MiB of WebGPU storage buffers. ${notes.join('; ')}` };
    owned.push(...allocated.buffers);
    const { ranges } = allocated;
    const bufferBytes = ranges.reduce((s, r) => s + r.size, 0);
    notes.push(
      bufferBytes >= 2 * ASSUMED_LLC_BYTES
        ? `bandwidth buffer ${(bufferBytes / MiB).toFixed(0)} MiB is over 2× the ${ASSUMED_LLC_BYTES / MiB} MiB last-level cache these machines report`
        : `bandwidth buffer ${(bufferBytes / MiB).toFixed(0)} MiB is under 2× the ${ASSUMED_LLC_BYTES / MiB} MiB last-level cache these machines report: part of it may be read from cache`,
    );
    notes.push(`read as ${ranges.length} binding(s) over ${allocated.buffers.length} buffer(s)`);
    const maxGroups = Math.min(READ_GROUPS[0], device.limits.maxComputeWorkgroupsPerDimension);
    const outBytes = maxGroups * READ_WORKGROUP * 4;
    const out = await checked(device, 'createBuffer(read output)', () =>
      device.createBuffer({ size: outBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }),
    );
    owned.push(out);
    const fill = pipelineFor(device, FILL_WGSL);
    const read = pipelineFor(device, READ_WGSL);
    const bind = (pipeline: GPUComputePipeline, r: Range, extra: GPUBindGroupEntry[] = []) =>
      device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: r.buffer, offset: r.offset, size: r.size } }, ...extra] });
    const readGroups = ranges.map((r) => bind(read, r, [{ binding: 1, resource: { buffer: out } }]));
    {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(fill);
      for (const r of ranges) {
        pass.setBindGroup(0, bind(fill, r));
        // Few workgroups: the buffer is written once, and SwiftShader was slower with many.
        pass.dispatchWorkgroups(Math.min(64, maxGroups));
      }
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
    }
    onProgress({ phase: 'allocate', done: 1, total: 1, detail: `${bufferBytes / MiB} MiB` });
    const expectedOnce = ranges.reduce((s, r) => s + triangular(r.size / 4), 0n);
    /** One timed submission of `times` sweeps over every range with `groups` workgroups; checks the sum. */
    const sweep = async (groups: number, times: number): Promise<{ gbps: number; ms: number }> => {
      device.queue.writeBuffer(out, 0, new Uint32Array(outBytes / 4));
      const ms = await timer.time((pass) => {
        pass.setPipeline(read);
        for (let t = 0; t < times; t++) {
          for (const g of readGroups) {
            pass.setBindGroup(0, g);
            pass.dispatchWorkgroups(groups);
          }
        }
      });
      const sums = new Uint32Array(await readBack(device, out, outBytes));
      let total = 0;
      for (const s of sums) total = (total + s) >>> 0;
      const expected = Number((expectedOnce * BigInt(times)) % 2n ** 32n);
      if (total !== expected) throw fail(`WebGPU read sweep (${groups} workgroups × ${times}) summed to ${total}, expected ${expected}: not every byte was read once.`);
      return { gbps: (bufferBytes * times) / ms / 1e6, ms };
    };
    // Warm-up (pipeline compilation, first touch), then one sweep per workgroup count: the faster is timed, and its
    // time sizes the timed submissions.
    await sweep(Math.min(...READ_GROUPS), 1);
    const tried = [];
    for (const g of READ_GROUPS) if (g <= maxGroups) tried.push({ groups: g, ...(await sweep(g, 1)) });
    const bestRead = tried.reduce((a, b) => (b.gbps > a.gbps ? b : a));
    const sweeps = repeatsFor(bestRead.ms);
    const gbps: number[] = [];
    for (let r = 0; r < o.repeats; r++) {
      gbps.push((await sweep(bestRead.groups, sweeps)).gbps);
      onProgress({ phase: 'bandwidth', done: r + 1, total: o.repeats, detail: `${gbps.at(-1)!.toFixed(1)} GB/s` });
    }
    for (const b of allocated.buffers) b.destroy();

    // ── Compute ──
    onProgress({ phase: 'verify', done: 0, total: 1 });
    const n = o.matmulSize;
    const kernels = MATMUL_KERNELS.filter((k) => k.fits(64, 128, 48) && k.fits(n, n, n));
    for (const kernel of kernels) await checkWebGpuMatmul(device, kernel, 64, 128, 48);
    onProgress({ phase: 'verify', done: 1, total: 1 });
    const a = uniforms(n * n, 5);
    const b = uniforms(n * n, 6);
    const candidates = [];
    for (const kernel of kernels) {
      const mm = await matmulSetup(device, kernel, a, b, n, n, n);
      owned.push(...mm.buffers);
      const product = (times: number) =>
        timer.time((pass) => {
          pass.setPipeline(mm.pipeline);
          pass.setBindGroup(0, mm.bindGroup);
          for (let t = 0; t < times; t++) pass.dispatchWorkgroups(...kernel.groups(n, n));
        });
      // One product each to choose (pipelines are compiled at creation); every kernel that might be timed is
      // checked on the full-size product too.
      const ms = await product(1);
      const c = new Float32Array(await readBack(device, mm.c, n * n * 4));
      checkMatmulEntries(a, b, c, n, n, checkCells(n, n, [n / 2]), `webgpu matmul ${n} (${kernel.name})`);
      candidates.push({ kernel, product, ms });
    }
    const best = candidates.reduce((x, y) => (y.ms < x.ms ? y : x));
    const products = repeatsFor(best.ms);
    const gflops: number[] = [];
    for (let r = 0; r < o.repeats; r++) {
      gflops.push((2 * n ** 3 * products) / (await best.product(products)) / 1e6);
      onProgress({ phase: 'compute', done: r + 1, total: o.repeats, detail: `${gflops.at(-1)!.toFixed(1)} GFLOP/s` });
    }
    if (candidates.length > 1) {
      notes.push(`matmul kernels tried (one ${n}³ product each): ${candidates.map((c) => `${c.kernel.name.split(':')[0]!.split(' ')[0]} ${((2 * n ** 3) / c.ms / 1e6).toFixed(2)} GFLOP/s`).join(', ')}`);
    }

    return completedRoofline({
      device: 'webgpu',
      gbps,
      gflops,
      bufferBytes,
      matmulSize: n,
      threads: null,
      repeats: o.repeats,
      method: {
        timing: timer.method,
        bandwidth: `WGSL grid-stride vec4<u32> read (4 strides per iteration), ${bestRead.groups}×${READ_WORKGROUP} invocations, ${ranges.length} binding(s), ${sweeps} sweep(s) per timed submission`,
        compute: `WGSL f32 matmul, ${best.kernel.name}, ${products} product(s) per timed submission`,
      },
      userAgent: navigator.userAgent,
      adapter: describeAdapter(adapter),
      notes,
    });
  } finally {
    timer.destroy();
    for (const b of owned) b.destroy();
    device.destroy();
  }
}

interface MatmulSetup {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  c: GPUBuffer;
  buffers: GPUBuffer[];
}

async function matmulSetup(device: GPUDevice, kernel: MatmulKernel, a: Float32Array<ArrayBuffer>, b: Float32Array<ArrayBuffer>, m: number, n: number, k: number): Promise<MatmulSetup> {
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
async function checkWebGpuMatmul(device: GPUDevice, kernel: MatmulKernel, m: number, n: number, k: number): Promise<void> {
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
