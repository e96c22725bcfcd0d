/**
 * `auto` threads: a short calibration on a reference workload, one worker per thread count (onnxruntime's count is
 * global to its wasm module), rounds alternating so that noise hits every count alike, cached per device in
 * localStorage and written once, when it completes.
 */
import { resolveModel, type Catalog } from '../core/catalog.ts';
import { VERSIONS } from '../core/build-info.ts';
import { threadDevice, type Capabilities } from '../core/capabilities.ts';
import { percentileSorted } from '../core/stats.ts';
import {
  CALIBRATION_MODEL,
  calibratedChoice,
  chooseThreads,
  fixedAutoChoice,
  ortDefaultThreads,
  threadCandidates,
  THREAD_TOLERANCE,
  type ThreadCalibration,
  type ThreadChoice,
  type ThreadTiming,
} from '../core/threads.ts';
import { ORT_WASM_PATHS } from '../engines/ort-assets.ts';
import { ortBuildFor } from '../core/vocab.ts';
import { keyedCache, type KeyedStorage } from './keyed-storage.ts';
import { openTimingWorker, type TimingWorker } from './runner-client.ts';

export const THREADS_STORAGE_KEY = 'ondevice.threads/1';

/** The part of the Web Storage API used here, so tests can pass a Map-backed stand-in. */
export type ThreadsStorage = KeyedStorage;

export interface CalibrateOptions {
  catalog: Catalog;
  caps: Capabilities;
  /** Measure again even when this device has a cached calibration. */
  recalibrate?: boolean;
  /** False: take a cached calibration, else onnxruntime-web's default, without measuring (suites with no wasm run). */
  measure?: boolean;
  /** Aborting stops at the next batch; nothing is cached. */
  signal?: AbortSignal;
  onProgress?: (message: string, done: number, total: number) => void;
  storage?: ThreadsStorage;
  /** Measuring time after warm-up (default 2 s); at least MIN_ROUNDS rounds run whatever it says. */
  budgetMs?: number;
}

export interface CalibrationOutcome {
  choice: ThreadChoice;
  /** What was measured (or found cached); null where nothing needed measuring (one possible count) or it failed. */
  calibration: ThreadCalibration | null;
  cached: boolean;
}

const MIN_ROUNDS = 5;
const MAX_ROUNDS = 12;
/**
 * Warm-up, the counts taking turns: until each count's runs stop getting faster (V8 tiers the wasm up in the
 * background, per worker), or WARMUP_CAP_MS in all. Measured: with a fixed 300 ms each, the first calibration in a
 * fresh page timed 1 thread at 81–88 ms against 32–39 ms in the next ones (and so chose 2 threads), twice out of two.
 */
const WARMUP_CAP_MS = 4000;
const WARMUP_MIN_RUNS = 10;
/** Settled: the median of the last 5 runs is no more than this much faster than that of the 5 before. */
const SETTLED = 0.97;
/** One batch of one count in a round takes about this long. */
const BATCH_MS = 60;

/**
 * What a calibration is valid for: the browser, its cores and isolation, onnxruntime-web's version and the wasm
 * build runs load (its hashed file name changes with the file), and the reference workload.
 */
export function threadFingerprint(caps: Capabilities): string {
  // The build WASM runs load (and the calibration's workers too: they run on wasm).
  const wasm = ORT_WASM_PATHS[ortBuildFor('wasm')].wasm;
  const build = wasm.split('/').pop() ?? wasm;
  return JSON.stringify([
    caps.userAgent,
    caps.hardwareConcurrency,
    caps.crossOriginIsolated,
    VERSIONS.onnxruntimeWeb,
    build,
    VERSIONS.ondevice,
    `${CALIBRATION_MODEL.id} ${CALIBRATION_MODEL.dtype}`,
  ]);
}

const cache = keyedCache<ThreadCalibration>(THREADS_STORAGE_KEY, (c) => Array.isArray(c.timings) && c.timings.length > 0 && Number.isInteger(c.chosen));

export function readCachedCalibration(fingerprint: string, storage: ThreadsStorage = localStorage): ThreadCalibration | null {
  return cache.read(fingerprint, storage);
}

function writeCachedCalibration(cal: ThreadCalibration, storage: ThreadsStorage): void {
  cache.write(cal.fingerprint, cal, storage);
}

export function clearThreadCache(storage: ThreadsStorage = localStorage): void {
  cache.clear(storage);
}

const abortError = () => Object.assign(new Error('Thread calibration aborted; nothing was cached.'), { name: 'AbortError' });

const median = (xs: readonly number[]): number => percentileSorted([...xs].sort((a, b) => a - b) as [number, ...number[]], 0.5);

/** Measure every candidate count on the reference workload; throws AbortError when aborted, having written nothing. */
async function measure(options: CalibrateOptions, fingerprint: string): Promise<ThreadCalibration> {
  const { caps, catalog, signal } = options;
  const progress = options.onProgress ?? (() => undefined);
  const started = performance.now();
  const device = threadDevice(caps);
  const counts = threadCandidates(device);
  const model = resolveModel(CALIBRATION_MODEL.id, CALIBRATION_MODEL.dtype, catalog);
  const workers: TimingWorker[] = [];
  const check = () => {
    if (signal?.aborted) throw abortError();
  };
  try {
    progress(`calibrating threads: loading ${model.id} with ${counts.join(', ')} threads`, 0, counts.length + 1);
    // Loaded side by side: compiling onnxruntime's wasm is most of a calibration's time.
    const opened = await Promise.allSettled(
      counts.map((n) =>
        openTimingWorker({ id: `calibrate-${n}`, model, engine: 'ort', device: 'wasm', workload: { iterations: 1, warmup: 0, numThreads: n } }),
      ),
    );
    const loadMs = performance.now() - started;
    for (const o of opened) if (o.status === 'fulfilled') workers.push(o.value);
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed) throw new Error(`Thread calibration could not load ${model.id}: ${(failed.reason as Error)?.message ?? String(failed.reason)}`);
    check();
    const samples = counts.map((): number[] => []);
    const warm = counts.map((): number[] => []);
    const settled = (xs: readonly number[]) => xs.length >= WARMUP_MIN_RUNS && median(xs.slice(-5)) >= SETTLED * median(xs.slice(-10, -5));
    const warmStart = performance.now();
    while (warm.some((xs) => !settled(xs)) && performance.now() - warmStart < WARMUP_CAP_MS) {
      progress(`calibrating threads: warming up (${warm.map((xs, i) => `${counts[i]}: ${xs.length} runs`).join(', ')})`, 1, counts.length + 1);
      for (const [i, w] of workers.entries()) {
        if (settled(warm[i]!)) continue;
        const last = warm[i]!.at(-1);
        warm[i]!.push(...(await w.timeRuns(last === undefined ? 1 : Math.max(1, Math.min(20, Math.round(BATCH_MS / Math.max(0.05, last)))))));
        check();
      }
    }
    const warmupMs = performance.now() - warmStart;
    // One batch of each count takes about BATCH_MS at the slowest count's speed.
    const slowest = Math.max(...warm.map((xs) => median(xs.slice(-5))));
    const batch = Math.max(2, Math.min(50, Math.round(BATCH_MS / Math.max(0.05, slowest))));
    const budget = options.budgetMs ?? 2000;
    const measuring = performance.now();
    let rounds = 0;
    while (rounds < MIN_ROUNDS || (rounds < MAX_ROUNDS && performance.now() - measuring < budget)) {
      progress(`calibrating threads: round ${rounds + 1}`, counts.length, counts.length + 1);
      // Each round starts at a different count, so no count always follows the same neighbour.
      for (let k = 0; k < workers.length; k++) {
        const i = (k + rounds) % workers.length;
        samples[i]!.push(...(await workers[i]!.timeRuns(batch)));
        check();
      }
      rounds++;
    }
    const timings: ThreadTiming[] = counts.map((threads, i) => ({ threads, p50Ms: median(samples[i]!), n: samples[i]!.length }));
    progress('threads calibrated', counts.length + 1, counts.length + 1);
    return {
      fingerprint,
      reference: `${model.id} ${model.dtype}`,
      timings,
      chosen: chooseThreads(timings).chosen,
      ortDefault: ortDefaultThreads(device),
      tolerance: THREAD_TOLERANCE,
      rounds,
      loadMs,
      warmupMs,
      warmupRuns: warm.map((xs) => xs.length),
      elapsedMs: performance.now() - started,
      measuredAt: new Date().toISOString(),
    };
  } finally {
    for (const w of workers) w.close();
  }
}

/**
 * The thread count `auto` stands for on this device: fixed where only one count is possible, else the cached
 * calibration, else a new one (cached once it completes). A calibration that fails falls back to onnxruntime-web's
 * default, with the failure in the reason; an aborted one rejects with AbortError and caches nothing.
 */
export async function calibrateThreads(options: CalibrateOptions): Promise<CalibrationOutcome> {
  const device = threadDevice(options.caps);
  const fixed = fixedAutoChoice(device, true);
  if (fixed) return { choice: fixed, calibration: null, cached: false };
  const storage = options.storage ?? localStorage;
  const fingerprint = threadFingerprint(options.caps);
  const cached = options.recalibrate ? null : readCachedCalibration(fingerprint, storage);
  if (cached) return { choice: calibratedChoice(cached, true), calibration: cached, cached: true };
  if (options.measure === false) {
    const fallback = fixedAutoChoice(device, false)!;
    return { choice: { ...fallback, reason: `${fallback.reason} (no wasm run in this suite to calibrate for)` }, calibration: null, cached: false };
  }
  try {
    const calibration = await measure(options, fingerprint);
    writeCachedCalibration(calibration, storage);
    return { choice: calibratedChoice(calibration, false), calibration, cached: false };
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    const fallback = fixedAutoChoice(device, false)!;
    return {
      choice: { ...fallback, reason: `${(err as Error).message}; using onnxruntime-web's default (${fallback.chosen})` },
      calibration: null,
      cached: false,
    };
  }
}
