/**
 * Measuring the device roofline inside a worker: streaming-read bandwidth and f32 matmul GFLOP/s, on WASM (SIMD,
 * N nested worker threads on one shared memory) or WebGPU (compute shaders). Kernels are checked against known
 * answers before and while they are timed; a figure from a kernel that computed the wrong thing is never reported.
 */
import { releaseProxy, wrap, type Remote } from 'comlink';
import {
  ASSUMED_LLC_BYTES,
  completedRoofline,
  resolveRooflineOptions,
  type RooflineDevice,
  type RooflineOptions,
  type RooflineProgress,
  type RooflineResult,
} from './roofline.ts';
import type { RooflineThreadApi } from './wasm-thread.ts';
import {
  DEFAULT_BLOCK,
  expectedIndexSum,
  fillWithIndices,
  instantiateRoofline,
  packB,
  READ_STEP_BYTES,
  relaxedSimdSupported,
  rooflineModuleBytes,
  scalarMatmul,
} from './wasm-kernels.ts';
import { checkCells, checkMatmulEntries, fail, uniforms } from './check.ts';
import { webGpuAdapterName } from './webgpu-host.ts';
import { measureWebGpuRoofline } from './webgpu-roofline.ts';

/** The contract between the page and the roofline worker (the client wraps it with comlink, the worker exposes it). */
export interface RooflineApi {
  /** What a cached roofline for these options would be keyed on; null with a reason when the backend is absent. */
  identify(options: RooflineOptions): Promise<{ userAgent: string; adapter: string; threads: number | null } | { reason: string }>;
  /** Measure; always resolves (an absent backend or a failed check is a result with a reason). */
  measure(options: RooflineOptions, onProgress: (p: RooflineProgress) => void): Promise<RooflineResult>;
}

const MiB = 2 ** 20;
const PAGE = 2 ** 16;
/** The smallest bandwidth buffer the fallback goes down to; one that fits the LLC gets a note saying so. */
const MIN_BUFFER_BYTES = 64 * MiB;

/** Row bands of an m-row product over `threads` threads, each a multiple of `mr` rows; empty bands are dropped. */
export function rowBands(m: number, mr: number, threads: number): { start: number; rows: number }[] {
  const per = Math.ceil(m / mr / threads) * mr;
  const bands: { start: number; rows: number }[] = [];
  for (let start = 0; start < m; start += per) bands.push({ start, rows: Math.min(per, m - start) });
  return bands;
}

/** Byte ranges of a buffer over `threads` threads, each a multiple of the read kernel's step. */
export function byteSlices(bytes: number, threads: number): { start: number; end: number }[] {
  const per = Math.max(READ_STEP_BYTES, Math.floor(bytes / threads / READ_STEP_BYTES) * READ_STEP_BYTES);
  const slices: { start: number; end: number }[] = [];
  for (let start = 0; start < bytes; start += per) slices.push({ start, end: Math.min(bytes, start + per) });
  return slices;
}

/** The kernels on small known inputs, in this worker, before anything is timed. */
function verifyWasmKernels(fma: boolean): void {
  const { mr, nr } = DEFAULT_BLOCK;
  const [m, n, k] = [2 * mr, 2 * nr, 13];
  const memory = new WebAssembly.Memory({ initial: 4, maximum: 4, shared: true });
  const kernels = instantiateRoofline(new WebAssembly.Module(rooflineModuleBytes({ n, k, mr, nr, fma })), memory);
  // read_sum over an unaligned-to-the-buffer-start range of a non-constant pattern: catches offsets and lengths.
  const words = new Uint32Array(memory.buffer);
  for (let i = 0; i < words.length; i++) words[i] = Math.imul(i, 2654435761) >>> 0;
  const [start, end] = [3 * READ_STEP_BYTES, 3 * READ_STEP_BYTES + 40 * READ_STEP_BYTES];
  let expected = 0;
  for (let i = start / 4; i < end / 4; i++) expected = (expected + words[i]!) | 0;
  const got = kernels.read_sum(start, end);
  if (got !== expected) throw fail(`read_sum(${start}, ${end}) = ${got}, expected ${expected}: the bandwidth kernel is wrong.`);
  const a = uniforms(m * k, 1);
  const b = uniforms(k * n, 2);
  const floats = new Float32Array(memory.buffer);
  floats.set(a, 0);
  floats.set(packB(b, n, k, nr), 1024);
  kernels.matmul(0, 4096, 8192, m);
  const c = floats.slice(2048, 2048 + m * n);
  const ref = scalarMatmul(a, b, m, n, k);
  for (let i = 0; i < ref.length; i++) {
    if (!(Math.abs(c[i]! - ref[i]!) <= 1e-5))
      throw fail(`matmul ${m}×${k}·${k}×${n}: C[${i}] = ${c[i]}, the scalar reference gives ${ref[i]}: the compute kernel is wrong.`);
  }
}

/** The largest shared memory we can get, from `bytes` down by halves; null when not even the minimum fits. */
function allocateShared(bytes: number, notes: string[]): WebAssembly.Memory | null {
  for (let size = bytes; size >= MIN_BUFFER_BYTES; size = Math.floor(size / 2 / PAGE) * PAGE) {
    try {
      return new WebAssembly.Memory({ initial: size / PAGE, maximum: size / PAGE, shared: true });
    } catch (err) {
      notes.push(`a ${size / MiB} MiB shared WebAssembly.Memory could not be allocated (${String(err)}); trying half`);
    }
  }
  return null;
}

function cacheNote(bytes: number): string {
  const mib = (bytes / MiB).toFixed(0);
  return bytes > ASSUMED_LLC_BYTES
    ? `bandwidth buffer ${mib} MiB is larger than the ${ASSUMED_LLC_BYTES / MiB} MiB last-level cache these machines report, so reads come from memory`
    : `bandwidth buffer ${mib} MiB is not larger than the ${ASSUMED_LLC_BYTES / MiB} MiB last-level cache these machines report: part of what it measured may be cache, not memory`;
}

type Thread = { api: Remote<RooflineThreadApi>; worker: Worker };

/** How long the kernels are called on small inputs before anything is timed. */
const WARM_UP_MS = 250;

/**
 * V8 runs new wasm code from its baseline compiler (Liftoff) and swaps in optimised code (TurboFan) for hot
 * functions, compiled in the background; a call already running stays on the baseline code. Here Liftoff ran the
 * matmul at a tenth of the optimised speed and the read at two thirds. The swap happened within a few ms of small
 * calls, so a quarter of a second of them (on the module the threads share: optimised code belongs to the module,
 * not to one worker) leaves ample margin on a busy machine; the timed passes then also follow an untimed one.
 * `memory` holds A, packed B and C of `bytes` each, in that order.
 */
function warmUp(module: WebAssembly.Module, memory: WebAssembly.Memory, bytes: number, mr: number): void {
  const kernels = instantiateRoofline(module, memory);
  const readEnd = Math.min(2 ** 20, Math.floor(memory.buffer.byteLength / READ_STEP_BYTES) * READ_STEP_BYTES);
  const until = performance.now() + WARM_UP_MS;
  while (performance.now() < until) {
    kernels.read_sum(0, readEnd);
    kernels.matmul(0, bytes, 2 * bytes, mr);
  }
}

async function measureWasm(options: RooflineOptions, onProgress: (p: RooflineProgress) => void, spawnThread: () => Worker): Promise<RooflineResult> {
  const o = resolveRooflineOptions(options, navigator.hardwareConcurrency ?? null);
  // NOTE: the kernels import a *shared* memory so that threads can read one buffer; without cross-origin
  // isolation there is no SharedArrayBuffer, so not even the one-thread figure can be measured this way.
  if (!globalThis.crossOriginIsolated || typeof SharedArrayBuffer === 'undefined') {
    return {
      state: 'unsupported',
      roofline: null,
      reason:
        'WASM roofline needs a shared WebAssembly.Memory, which needs a cross-origin isolated page (COOP same-origin + COEP require-corp); this one is not.',
    };
  }
  if (!WebAssembly.validate(rooflineModuleBytes({ n: 8, k: 1, ...DEFAULT_BLOCK, fma: false }))) {
    return { state: 'unsupported', roofline: null, reason: 'This engine does not support WebAssembly SIMD (simd128) with shared memory.' };
  }
  const notes: string[] = [];
  const fma = o.fma && relaxedSimdSupported();
  if (o.fma && !fma) notes.push('relaxed SIMD is unavailable: the matmul uses f32x4.mul + f32x4.add');
  onProgress({ phase: 'verify', done: 0, total: 1 });
  verifyWasmKernels(fma);
  onProgress({ phase: 'verify', done: 1, total: 1 });

  const n = o.matmulSize;
  const { mr, nr } = DEFAULT_BLOCK;
  const module = await WebAssembly.compile(rooflineModuleBytes({ n, k: n, mr, nr, fma }));
  // The matmul's memory, allocated first: it is small, and the warm-up below runs on it.
  const bytes = n * n * 4;
  const mm = new WebAssembly.Memory({ initial: Math.ceil((3 * bytes) / PAGE), maximum: Math.ceil((3 * bytes) / PAGE), shared: true });
  const a = uniforms(n * n, 3);
  const b = uniforms(n * n, 4);
  const floats = new Float32Array(mm.buffer);
  floats.set(a, 0);
  floats.set(packB(b, n, n, nr), n * n);
  warmUp(module, mm, bytes, mr);
  const threads: Thread[] = [];
  try {
    for (let i = 0; i < o.threads; i++) {
      const worker = spawnThread();
      threads.push({ worker, api: wrap<RooflineThreadApi>(worker) });
    }

    // ── Bandwidth ──
    onProgress({ phase: 'allocate', done: 0, total: 1, detail: `${o.bufferBytes / MiB} MiB` });
    let memory = allocateShared(o.bufferBytes, notes);
    if (!memory)
      return {
        state: 'errored',
        roofline: null,
        reason: `Could not allocate even a ${MIN_BUFFER_BYTES / MiB} MiB shared WebAssembly.Memory for the bandwidth test. ${notes.join('; ')}`,
      };
    const bufferBytes = memory.buffer.byteLength;
    notes.push(cacheNote(bufferBytes));
    // Writing every word commits every page: a never-written page would be read from the kernel's shared zero page,
    // which lives in cache, and the figure would be cache bandwidth. Word i holds i, so every slice's sum is known.
    fillWithIndices(memory.buffer);
    onProgress({ phase: 'allocate', done: 1, total: 1, detail: `${bufferBytes / MiB} MiB` });
    const slices = byteSlices(bufferBytes, threads.length);
    await Promise.all(threads.map((t) => t.api.attach(module, memory!)));
    const readPass = async (): Promise<number> => {
      const t0 = performance.now();
      const sums = await Promise.all(slices.map((s, i) => threads[i]!.api.readSum(s.start, s.end)));
      const ms = performance.now() - t0;
      sums.forEach((sum, i) => {
        const s = slices[i]!;
        const expected = expectedIndexSum(s.start, s.end);
        if (sum !== expected)
          throw fail(`thread ${i} read_sum over [${s.start}, ${s.end}) = ${sum}, expected ${expected}: the kernel did not read exactly its slice.`);
      });
      return bufferBytes / ms / 1e6;
    };
    // One untimed pass first: each thread's first touch of its slice (TLB, page tables), and a last margin for the
    // optimised code (see warmUp).
    await readPass();
    const gbps: number[] = [];
    for (let r = 0; r < o.repeats; r++) {
      gbps.push(await readPass());
      onProgress({ phase: 'bandwidth', done: r + 1, total: o.repeats, detail: `${gbps.at(-1)!.toFixed(1)} GB/s` });
    }
    await Promise.all(threads.map((t) => t.api.detach()));
    memory = null;

    // ── Compute ──
    await Promise.all(threads.map((t) => t.api.attach(module, mm)));
    const bands = rowBands(n, mr, threads.length);
    const product = async (): Promise<number> => {
      const t0 = performance.now();
      await Promise.all(bands.map((band, i) => threads[i]!.api.matmul(band.start * n * 4, bytes, 2 * bytes + band.start * n * 4, band.rows)));
      return (2 * n ** 3) / (performance.now() - t0) / 1e6;
    };
    // An untimed product first (as above); C is then poisoned so that the check sees what a timed pass wrote.
    await product();
    floats.fill(Number.NaN, 2 * n * n, 3 * n * n);
    const gflops: number[] = [];
    for (let r = 0; r < o.repeats; r++) {
      gflops.push(await product());
      if (r === 0)
        checkMatmulEntries(
          a,
          b,
          floats.subarray(2 * n * n, 3 * n * n),
          n,
          n,
          checkCells(
            n,
            n,
            bands.map((x) => x.start),
          ),
          `wasm matmul ${n}`,
        );
      onProgress({ phase: 'compute', done: r + 1, total: o.repeats, detail: `${gflops.at(-1)!.toFixed(1)} GFLOP/s` });
    }
    await Promise.all(threads.map((t) => t.api.detach()));

    return completedRoofline({
      device: 'wasm',
      gbps,
      gflops,
      bufferBytes,
      matmulSize: n,
      threads: threads.length,
      repeats: o.repeats,
      method: {
        timing: 'performance.now',
        bandwidth: `wasm simd128 read_sum (${READ_STEP_BYTES / 16}× v128.load per iteration into 8 i32x4 accumulators) over ${slices.length} slice(s), one per worker thread; wall time of all threads`,
        compute: `wasm simd128 ${mr}×${nr} register-blocked f32 matmul, ${fma ? 'relaxed-SIMD madd' : 'f32x4.mul + f32x4.add'}, B prepacked in ${nr}-column panels, rows split over ${bands.length} worker thread(s)`,
      },
      userAgent: navigator.userAgent,
      adapter: wasmAdapterName(),
      notes,
    });
  } finally {
    for (const t of threads) {
      t.api[releaseProxy]();
      t.worker.terminate();
    }
  }
}

const wasmAdapterName = (): string => `${navigator.hardwareConcurrency ?? '?'} logical cores`;

const errored = (err: unknown): RooflineResult => {
  const e = err as { name?: string; message?: string };
  return { state: 'errored', roofline: null, reason: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}` };
};

/**
 * Measure the roofline of one backend. `spawnThread` makes a nested worker running workers/roofline-thread.worker.ts
 * (the worker entry supplies it, so this module does not need to know where worker files live).
 */
export async function measureRoofline(options: RooflineOptions, onProgress: (p: RooflineProgress) => void, spawnThread: () => Worker): Promise<RooflineResult> {
  try {
    if (options.device === 'webgpu') return await measureWebGpuRoofline(resolveRooflineOptions(options, null), onProgress);
    return await measureWasm(options, onProgress, spawnThread);
  } catch (err) {
    return errored(err);
  }
}

export function createRooflineRuntime(spawnThread: () => Worker): RooflineApi {
  return {
    async identify(options) {
      const device: RooflineDevice = options.device;
      if (device === 'webgpu') {
        const name = await webGpuAdapterName();
        return 'reason' in name ? name : { userAgent: navigator.userAgent, adapter: name.adapter, threads: null };
      }
      const o = resolveRooflineOptions(options, navigator.hardwareConcurrency ?? null);
      return { userAgent: navigator.userAgent, adapter: wasmAdapterName(), threads: o.threads };
    },
    measure: (options, onProgress) => measureRoofline(options, onProgress, spawnThread),
  };
}
