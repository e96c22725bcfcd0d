/**
 * The WebGPU half of the device roofline: a grid-stride streaming read over 1 GiB of storage buffers and an f32
 * matmul (the faster of a tiled and a register-only kernel on this adapter), WGSL compute shaders timed with
 * timestamp queries where the adapter has them and by queue.onSubmittedWorkDone() wall time where it does not.
 * The shaders are in webgpu-kernels.ts, the device plumbing in webgpu-host.ts.
 */
import { ASSUMED_LLC_BYTES, completedRoofline, type RooflineOptions, type RooflineProgress, type RooflineResult } from './roofline.ts';
import { checkCells, checkMatmulEntries, fail, uniforms } from './check.ts';
import { FILL_WGSL, MATMUL_KERNELS, READ_GROUPS, READ_WGSL, READ_WORKGROUP } from './webgpu-kernels.ts';
import {
  allocateRanges,
  checked,
  checkWebGpuMatmul,
  describeAdapter,
  makeTimer,
  matmulSetup,
  pipelineFor,
  readBack,
  repeatsFor,
  requestAdapter,
  type Range,
} from './webgpu-host.ts';

const MiB = 2 ** 20;
const MIN_BUFFER_BYTES = 64 * MiB;

/** Σ 0..m−1, the sum of a range the fill shader wrote (reduced mod 2³² by the caller). */
const triangular = (m: number): bigint => (BigInt(m) * BigInt(m - 1)) / 2n;

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
    if (!allocated)
      return {
        state: 'errored',
        roofline: null,
        reason: `Could not allocate even ${MIN_BUFFER_BYTES / MiB} MiB of WebGPU storage buffers. ${notes.join('; ')}`,
      };
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
      device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: r.buffer, offset: r.offset, size: r.size } }, ...extra],
      });
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
      if (total !== expected)
        throw fail(`WebGPU read sweep (${groups} workgroups × ${times}) summed to ${total}, expected ${expected}: not every byte was read once.`);
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
      notes.push(
        `matmul kernels tried (one ${n}³ product each): ${candidates.map((c) => `${c.kernel.name.split(':')[0]!.split(' ')[0]} ${((2 * n ** 3) / c.ms / 1e6).toFixed(2)} GFLOP/s`).join(', ')}`,
      );
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
