/**
 * The device roofline: what a backend can stream from memory (GB/s) and compute (GFLOP/s), measured once per
 * device, and the pure arithmetic that turns a run's figures into a utilisation of that roof.
 */

export const ROOFLINE_DEVICES = ['wasm', 'webgpu'] as const;
export type RooflineDevice = (typeof ROOFLINE_DEVICES)[number];

/**
 * The largest last-level cache reported on the machines this project runs on (480 MiB L3, shown by these
 * virtual CPUs). A page cannot read its own cache size, so the bandwidth buffer is sized against this: a buffer
 * that fits is read back from cache (a 64 MB buffer measured cache, not memory, here).
 */
export const ASSUMED_LLC_BYTES = 480 * 2 ** 20;

/** 1 GiB: over twice the assumed last-level cache, and what SwiftShader's WebGPU allows in one buffer. */
export const DEFAULT_BANDWIDTH_BUFFER_BYTES = 2 ** 30;

export const TIMING_METHODS = ['performance.now', 'timestamp-query', 'onSubmittedWorkDone'] as const;
export type TimingMethod = (typeof TIMING_METHODS)[number];

export interface Roofline {
  device: RooflineDevice;
  /** Best streaming-read bandwidth over the repeats, in GB/s (10⁹ bytes per second). */
  bandwidthGBps: number;
  bandwidthMedianGBps: number;
  /** Bytes read per pass: the buffer actually allocated (smaller than asked when allocation failed). */
  bandwidthBufferBytes: number;
  /** Best f32 matmul throughput over the repeats, in GFLOP/s (2·n³ FLOPs per n×n×n product). */
  gflops: number;
  gflopsMedian: number;
  /** n of the n×n·n×n matmul timed. */
  matmulSize: number;
  /** WASM: worker threads that ran the kernels together; null on WebGPU. */
  threads: number | null;
  repeats: number;
  method: {
    timing: TimingMethod;
    /** The read kernel, e.g. "wasm simd128 read_sum, 16×v128.load per iteration, 8 accumulators". */
    bandwidth: string;
    /** The matmul kernel, e.g. "wasm simd128 4×8 register block, relaxed-SIMD madd, B prepacked". */
    compute: string;
  };
  /** The same fields as the cache key: what the figures are about. */
  userAgent: string;
  /** WebGPU adapter "vendor / architecture / description"; for WASM the logical core count. */
  adapter: string;
  measuredAt: string;
  notes: string[];
}

/** A roofline, or why there is none: an absent backend is a result, not an exception. */
export type RooflineResult = { state: 'completed'; roofline: Roofline; reason: null } | { state: 'unsupported' | 'errored'; roofline: null; reason: string };

export interface RooflineOptions {
  device: RooflineDevice;
  /** WASM worker threads; default navigator.hardwareConcurrency. Ignored on WebGPU. */
  threads?: number;
  /** Bandwidth buffer; default 1 GiB. Halved on allocation failure down to 64 MiB (reported, with a note). */
  bufferBytes?: number;
  /** n of the timed n×n matmul: a multiple of 64; default 1024 (512 when quick). */
  matmulSize?: number;
  /** Timed passes of each kernel; default 5 (2 when quick). */
  repeats?: number;
  /** Fewer repeats and a smaller matmul, for tests; the buffer stays large enough to leave the cache. */
  quick?: boolean;
  /** WASM: use relaxed SIMD's fused multiply-add where the engine has it (default true). */
  fma?: boolean;
}

export type RooflineProgress = { phase: 'allocate' | 'verify' | 'bandwidth' | 'compute'; done: number; total: number; detail?: string };

/** Options with defaults filled and checked; a bad value names itself and what would have been valid. */
export function resolveRooflineOptions(o: RooflineOptions, hardwareConcurrency: number | null): Required<RooflineOptions> {
  if (!(ROOFLINE_DEVICES as readonly string[]).includes(o.device)) {
    throw new RangeError(`Unsupported roofline device: "${o.device}". Should be one of: ${ROOFLINE_DEVICES.join(', ')}.`);
  }
  const quick = o.quick ?? false;
  const r: Required<RooflineOptions> = {
    device: o.device,
    threads: o.threads ?? Math.max(1, hardwareConcurrency ?? 1),
    bufferBytes: o.bufferBytes ?? DEFAULT_BANDWIDTH_BUFFER_BYTES,
    matmulSize: o.matmulSize ?? (quick ? 512 : 1024),
    repeats: o.repeats ?? (quick ? 2 : 5),
    quick,
    fma: o.fma ?? true,
  };
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`Roofline option ${name} must be a positive integer, got ${v}.`);
  };
  positiveInt('threads', r.threads);
  positiveInt('repeats', r.repeats);
  positiveInt('matmulSize', r.matmulSize);
  if (r.matmulSize % 64 !== 0) throw new RangeError(`Roofline option matmulSize must be a multiple of 64 (e.g. 512, 1024), got ${r.matmulSize}.`);
  // 64 KiB: one wasm page, and a multiple of every alignment the kernels need.
  if (!Number.isInteger(r.bufferBytes) || r.bufferBytes < 2 ** 16 || r.bufferBytes % 2 ** 16 !== 0 || r.bufferBytes > 2 ** 32 - 2 ** 16) {
    throw new RangeError(`Roofline option bufferBytes must be a multiple of 65536 between 64 KiB and 4 GiB − 64 KiB, got ${r.bufferBytes}.`);
  }
  return r;
}

/** Arithmetic intensity (FLOP/byte) where the memory roof meets the compute roof. */
export function ridgePoint(r: Pick<Roofline, 'gflops' | 'bandwidthGBps'>): number {
  return r.gflops / r.bandwidthGBps;
}

/** What the roofline allows at a given arithmetic intensity, in GFLOP/s. */
export function attainableGflops(intensityFlopPerByte: number, r: Pick<Roofline, 'gflops' | 'bandwidthGBps'>): number {
  return Math.min(r.gflops, intensityFlopPerByte * r.bandwidthGBps);
}

export type Bound = 'memory' | 'compute';

export interface Utilisation {
  /** achieved ÷ attainable (can exceed 1 when a run beats the measured roof, e.g. data that stayed in cache). */
  fraction: number;
  bound: Bound;
  /** In `unit`: GB/s for a memory-bound figure, GFLOP/s for a compute-bound one. */
  achieved: number;
  attainable: number;
  unit: 'GB/s' | 'GFLOP/s';
  /** FLOP/byte of the run, where known. */
  intensityFlopPerByte: number | null;
}

function positive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive finite number, got ${v}.`);
}

/**
 * LM decode reads every weight once per token, so it is bound by memory: bytes of weights per token × tokens/s
 * against the measured bandwidth.
 */
export function utilisationFromDecode(run: { weightBytesPerToken: number; tokensPerS: number }, r: Pick<Roofline, 'bandwidthGBps'>): Utilisation {
  positive('weightBytesPerToken', run.weightBytesPerToken);
  positive('tokensPerS', run.tokensPerS);
  const achieved = (run.weightBytesPerToken * run.tokensPerS) / 1e9;
  return { fraction: achieved / r.bandwidthGBps, bound: 'memory', achieved, attainable: r.bandwidthGBps, unit: 'GB/s', intensityFlopPerByte: null };
}

/**
 * Any other run: FLOPs per inference ÷ latency against the peak GFLOP/s. When the bytes the run must move are known
 * (its weights, say), the roofline decides the bound: below the ridge point the attainable figure is
 * intensity × bandwidth, not the compute peak.
 */
export function utilisationFromFlops(
  run: { flops: number; latencyMs: number; bytes?: number | null },
  r: Pick<Roofline, 'gflops' | 'bandwidthGBps'>,
): Utilisation {
  positive('flops', run.flops);
  positive('latencyMs', run.latencyMs);
  const achieved = run.flops / run.latencyMs / 1e6;
  if (run.bytes === undefined || run.bytes === null) {
    return { fraction: achieved / r.gflops, bound: 'compute', achieved, attainable: r.gflops, unit: 'GFLOP/s', intensityFlopPerByte: null };
  }
  positive('bytes', run.bytes);
  const intensity = run.flops / run.bytes;
  const attainable = attainableGflops(intensity, r);
  return {
    fraction: achieved / attainable,
    bound: intensity < ridgePoint(r) ? 'memory' : 'compute',
    achieved,
    attainable,
    unit: 'GFLOP/s',
    intensityFlopPerByte: intensity,
  };
}

export interface ChartPoint {
  /** Arithmetic intensity, FLOP/byte (the x axis, log scale). */
  intensity: number;
  /** GFLOP/s (the y axis, log scale). */
  gflops: number;
}

/**
 * The roof as a polyline over [minIntensity, maxIntensity] — the sloped memory roof, the ridge, the flat compute
 * roof — for a log–log chart; the ridge is left out when it falls outside the range.
 */
export function rooflinePoints(r: Pick<Roofline, 'gflops' | 'bandwidthGBps'>, range: { minIntensity?: number; maxIntensity?: number } = {}): ChartPoint[] {
  const lo = range.minIntensity ?? 1 / 16;
  const hi = range.maxIntensity ?? 256;
  positive('minIntensity', lo);
  if (!(hi > lo)) throw new RangeError(`maxIntensity (${hi}) must be greater than minIntensity (${lo}).`);
  const ridge = ridgePoint(r);
  const at = (intensity: number): ChartPoint => ({ intensity, gflops: attainableGflops(intensity, r) });
  return ridge > lo && ridge < hi ? [at(lo), at(ridge), at(hi)] : [at(lo), at(hi)];
}

/** Where a run sits on the chart: its FLOPs and bytes per inference (or per token) and the time each took. */
export function runPoint(run: { flops: number; bytes: number; latencyMs: number }): ChartPoint {
  positive('flops', run.flops);
  positive('bytes', run.bytes);
  positive('latencyMs', run.latencyMs);
  return { intensity: run.flops / run.bytes, gflops: run.flops / run.latencyMs / 1e6 };
}

/** What a cached roofline is about: the same device, browser, adapter and thread count measure the same. */
export function rooflineCacheKey(k: { device: RooflineDevice; userAgent: string; adapter: string; threads: number | null }): string {
  return JSON.stringify([k.device, k.userAgent, k.adapter, k.threads]);
}

/** The few figures worth recording in a run's env fingerprint. */
export function rooflineSummary(
  r: Roofline,
): Pick<Roofline, 'device' | 'bandwidthGBps' | 'bandwidthBufferBytes' | 'gflops' | 'matmulSize' | 'threads' | 'measuredAt'> {
  const { device, bandwidthGBps, bandwidthBufferBytes, gflops, matmulSize, threads, measuredAt } = r;
  return { device, bandwidthGBps, bandwidthBufferBytes, gflops, matmulSize, threads, measuredAt };
}

/** Best (largest) and median of throughput samples (GB/s or GFLOP/s); at least one. */
export function bestAndMedian(values: readonly [number, ...number[]]): { best: number; median: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  const median = (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2;
  return { best: sorted.at(-1)!, median };
}

/**
 * A run's utilisation of its backend's roofline, with what it was computed from; or the reason there is none.
 * LM decode: the weights (≈ the model file's bytes) are read once per token. Other runs: FLOPs per inference at
 * the p50 latency, against the roof at the run's arithmetic intensity (FLOPs ÷ model bytes).
 */
export function utilisationOf(
  run: {
    state: string;
    modelBytes: number | null;
    /** LM: bytes of weights each token reads (model.weightBytesPerToken); the model's bytes when unknown. */
    weightBytesPerToken?: number | null;
    decodeTokPerS: number | null;
    p50Ms: number | null;
    flops: number | null;
    isLanguageModel: boolean;
  },
  r: Pick<Roofline, 'gflops' | 'bandwidthGBps'>,
): { utilisation: (Utilisation & { basis: string }) | null; reason: string | null } {
  if (run.state !== 'completed') return { utilisation: null, reason: `the run ended ${run.state}` };
  if (run.isLanguageModel) {
    const perToken = run.weightBytesPerToken || run.modelBytes;
    if (!perToken || !run.decodeTokPerS) return { utilisation: null, reason: 'no decode rate or model size to compare with the bandwidth' };
    const u = utilisationFromDecode({ weightBytesPerToken: perToken, tokensPerS: run.decodeTokPerS }, r);
    const what = run.weightBytesPerToken ? 'weights read per token' : 'weights (the model file)';
    return { utilisation: { ...u, basis: `${what} ${(perToken / 1e6).toFixed(2)} MB × ${run.decodeTokPerS.toFixed(1)} tok/s` }, reason: null };
  }
  if (!run.flops || !run.p50Ms) return { utilisation: null, reason: 'FLOPs per inference unknown (the inspector could not probe this model)' };
  const u = utilisationFromFlops({ flops: run.flops, latencyMs: run.p50Ms, bytes: run.modelBytes }, r);
  return { utilisation: { ...u, basis: `${(run.flops / 1e6).toFixed(1)} MFLOP at p50 ${run.p50Ms.toFixed(2)} ms` }, reason: null };
}

/** A completed roofline from the raw samples of one measurement: best and median of each, stamped now. */
export function completedRoofline(m: {
  device: RooflineDevice;
  gbps: readonly number[];
  gflops: readonly number[];
  bufferBytes: number;
  matmulSize: number;
  threads: number | null;
  repeats: number;
  method: Roofline['method'];
  userAgent: string;
  adapter: string;
  notes: string[];
}): RooflineResult {
  const bw = bestAndMedian(m.gbps as [number, ...number[]]);
  const fl = bestAndMedian(m.gflops as [number, ...number[]]);
  return {
    state: 'completed',
    reason: null,
    roofline: {
      device: m.device,
      bandwidthGBps: bw.best,
      bandwidthMedianGBps: bw.median,
      bandwidthBufferBytes: m.bufferBytes,
      gflops: fl.best,
      gflopsMedian: fl.median,
      matmulSize: m.matmulSize,
      threads: m.threads,
      repeats: m.repeats,
      method: m.method,
      userAgent: m.userAgent,
      adapter: m.adapter,
      measuredAt: new Date().toISOString(),
      notes: m.notes,
    },
  };
}
