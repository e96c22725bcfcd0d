/** One worker per run (and per probe, inspection, quantization…), called through comlink; its lifecycle is worker-lifecycle.ts. */
import { proxy, type Remote } from 'comlink';
import type { Capabilities } from '../core/capabilities.ts';
import type { CompiledWasm, InspectResult, ModelStats, ReplicaBuild, RunnerApi, Variant } from '../engines/contract.ts';
import { profileUnsupportedReason } from '../core/profile.ts';
import { emptyResult, finish, toErrorInfo } from '../core/result.ts';
import type { RunResult } from '../core/schema.ts';
import type { InputOverride, ModelRef, Progress, RunSpec } from '../core/spec.ts';
import { ortBuildFor, type Dtype } from '../core/vocab.ts';
import { measureUaMemory, noteThreadedWorker } from './ua-memory.ts';
import { THREADS_LOCK, threadWorkersGone } from './thread-workers.ts';
import { compiledOrtWasm, ortWasmUrl } from './wasm-modules.ts';
import { withWorker, wrapWorker, type WrappedWorker } from './worker-lifecycle.ts';
import { marginFromSetting, pageStallMessage, silenceLimitMs, WATCHDOG_MARGIN_KEY } from '../core/watchdog.ts';

/** The page watchdog's margin (core/watchdog.ts): the page's setting, else the default. */
function watchdogMarginMs(): number {
  try {
    return marginFromSetting(globalThis.localStorage?.getItem(WATCHDOG_MARGIN_KEY));
  } catch {
    return marginFromSetting(null);
  }
}

/** The page's compiled wasm of the build `spec` loads, for its worker; null where the page could not compile it. */
async function compiledWasmFor(spec: RunSpec): Promise<CompiledWasm | null> {
  const build = spec.workload.ortBuild ?? ortBuildFor(spec.device);
  const compiled = await compiledOrtWasm(build);
  return compiled ? { ...compiled, url: ortWasmUrl(build), threadsLock: THREADS_LOCK } : null;
}

export interface RunOptions {
  onProgress?: (p: Progress) => void;
  /**
   * Aborting asks the worker to stop at its next token or iteration (the run ends `aborted` with what it measured);
   * a worker that does not answer within ABORT_GRACE_MS is terminated.
   */
  signal?: AbortSignal;
}

interface Spawned extends WrappedWorker<RunnerApi> {
  /** Shared with the worker (when the page is cross-origin isolated): set to 1 to abort, read without a message. */
  abortFlag: Int32Array | null;
}

/** How long an aborted run may take to hand back its partial result before its worker is terminated. */
export const ABORT_GRACE_MS = 3000;

const runWorker = () => new Worker(new URL('../../workers/runner.worker.ts', import.meta.url), { type: 'module', name: 'ondevice-run' });
const RUN_WORKER = "The run's worker";

/** A fresh run worker; `failure` also rejects (AbortError) when `signal` aborts and the worker does not stop in time. */
function spawn(signal?: AbortSignal): Spawned {
  const w = wrapWorker<RunnerApi>(runWorker(), RUN_WORKER);
  const abortFlag = typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
  const onAbort = () => {
    if (abortFlag) Atomics.store(abortFlag, 0, 1);
    w.api.abort().catch(() => undefined);
    setTimeout(
      () =>
        w.fail(
          Object.assign(new Error(`Aborted by the user; the worker did not stop within ${ABORT_GRACE_MS} ms and was terminated.`), { name: 'AbortError' }),
        ),
      ABORT_GRACE_MS,
    );
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    ...w,
    abortFlag,
    close() {
      signal?.removeEventListener('abort', onAbort);
      w.close();
    },
  };
}

/** Model URLs are relative to the page; the worker's own URL is elsewhere, so make them absolute here. */
const absoluteModel = (model: ModelRef): ModelRef => ({
  ...model,
  url: new URL(model.url, location.href).href,
  ...(model.repo ? { repo: { ...model.repo, host: new URL(model.repo.host, location.href).href } } : {}),
});
const absoluteAssets = (assets: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(Object.entries(assets).map(([k, v]) => [k, new URL(v, location.href).href]));
const absolute = (spec: RunSpec): RunSpec => ({
  ...spec,
  // A pipeline's own model is a name (no file): its stages carry the URLs.
  model: spec.task ? spec.model : absoluteModel(spec.model),
  ...(spec.task
    ? { task: { ...spec.task, stages: spec.task.stages.map((s) => ({ ...s, model: absoluteModel(s.model) })), assets: absoluteAssets(spec.task.assets) } }
    : {}),
});

/**
 * The profiled iteration, in the run's worker once every figure is measured (memory by the page included): a
 * failure or an abort here leaves the measured result as it is, with the reason in `profileReason`.
 */
async function withProfile(result: RunResult, spec: RunSpec, w: Spawned, options: RunOptions): Promise<void> {
  if (result.state !== 'completed') {
    result.profileReason = `Not profiled: the run ended ${result.state}.`;
    return;
  }
  const unsupported = profileUnsupportedReason(spec.engine);
  if (unsupported) {
    result.profileReason = unsupported;
    return;
  }
  options.onProgress?.({ phase: 'profile' });
  try {
    const { profile, reason } = await Promise.race([w.api.profile(absolute(spec), result.timings.latency?.p50Ms ?? null), w.failure]);
    result.profile = profile;
    result.profileReason = reason;
  } catch (err) {
    const info = toErrorInfo(err);
    result.profileReason = `Profiling did not finish (the measured figures stand): ${info.name}: ${info.message}`;
  }
}

/** Run one spec in a fresh worker; always resolves to a result, and the worker is gone afterwards. */
export async function runInWorker(spec: RunSpec, options: RunOptions = {}): Promise<RunResult> {
  const startedAt = new Date();
  // Not while an earlier run's thread workers still hold their memory (up to 2 s after their run; see thread-workers.ts).
  await threadWorkersGone();
  const w = spawn(options.signal);
  let phase: Progress['phase'] | null = null;
  // The watchdog: a worker silent for the run's time budget plus the margin is given up on (core/watchdog.ts).
  const marginMs = watchdogMarginMs();
  const budgetMs = spec.workload.timeBudgetMs ?? null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const disarm = () => clearTimeout(timer);
  const arm = () => {
    disarm();
    timer = setTimeout(
      () => w.fail(Object.assign(new Error(pageStallMessage({ phase, budgetMs, marginMs, heapBytes: w.lastHeapBytes() })), { name: 'StalledError' })),
      silenceLimitMs(budgetMs, marginMs),
    );
  };
  try {
    const onProgress = proxy((p: Progress) => {
      phase = p.phase;
      arm();
      options.onProgress?.(p);
    });
    const wasm = await compiledWasmFor(spec);
    arm();
    // A task pipeline (spec.task) runs through its own contract method; everything else is one model's run.
    const run = spec.task ? w.api.executeTask(absolute(spec), onProgress, w.abortFlag, wasm) : w.api.execute(absolute(spec), onProgress, w.abortFlag, wasm);
    const result = await Promise.race([run, w.failure]);
    disarm();
    // While the worker still lives (its heap included): the page and its workers, as the browser counts them.
    if (result.state !== 'unsupported') {
      const ua = await measureUaMemory(result.env?.numThreads ?? 1);
      result.memory.uaMemoryBytes = ua.bytes;
      if (ua.reason) result.memory.unknown.uaMemoryBytes = ua.reason;
      else delete result.memory.unknown.uaMemoryBytes;
    }
    if (spec.workload.profile) {
      phase = 'profile';
      arm();
      await withProfile(result, spec, w, options);
    }
    return result;
  } catch (err) {
    const info = toErrorInfo(err);
    const result = emptyResult(spec, startedAt);
    if (info.name === 'WorkerError' || info.name === 'StalledError') {
      // What the page knows of a worker that died or hung: the phase it last reported, and its heap as last seen.
      const heap = w.lastHeapBytes();
      result.memory.wasmHeapPeakBytes = heap;
      if (heap === null)
        result.memory.unknown.wasmHeapPeakBytes = `the worker ${info.name === 'WorkerError' ? 'died' : 'hung'} before it reported its WASM heap`;
      const mib = heap === null ? 'not reported' : `${(heap / 2 ** 20).toFixed(1)} MiB`;
      if (info.name === 'WorkerError') info.message = `${info.message}; during the ${phase ?? 'start-up'} phase, its WASM heap last seen at ${mib}.`;
    }
    return finish(result, info.name === 'AbortError' || info.name === 'StalledError' ? 'aborted' : 'errored', info);
  } finally {
    disarm();
    w.close();
  }
}

/** Run one task in a fresh run worker and terminate it afterwards, whatever happens. */
const withRunWorker = <T>(task: (api: Remote<RunnerApi>) => Promise<T>): Promise<T> => withWorker<RunnerApi, T>(runWorker(), RUN_WORKER, task);

let capabilities: Promise<Capabilities> | null = null;

/** The device's capabilities, probed once in a short-lived worker (where runs happen, so the answer applies). */
export function probeCapabilities(): Promise<Capabilities> {
  capabilities ??= withRunWorker((api) => api.capabilities());
  return capabilities;
}

/** A worker holding one loaded session for repeated timed batches (thread calibration); `close` terminates it. */
export interface TimingWorker {
  threads: number;
  timeRuns(runs: number): Promise<number[]>;
  close(): void;
}

/** Load `spec` in a fresh worker and keep it for timed batches; the worker is terminated when loading fails. */
export async function openTimingWorker(spec: RunSpec): Promise<TimingWorker> {
  const w = spawn();
  try {
    // The page's compiled wasm, as runs get it: the calibration's workers start without compiling it each.
    const { threads } = await Promise.race([w.api.openTiming(absolute(spec), await compiledWasmFor(spec)), w.failure]);
    if (threads > 1) noteThreadedWorker();
    return { threads, timeRuns: (runs) => Promise.race([w.api.timeRuns(runs), w.failure]), close: () => w.close() };
  } catch (err) {
    w.close();
    throw err;
  }
}

/** The bare `session.run` loop in a worker (bench/runner-overhead.ts compares the runner against it). */
export const bareLoopInWorker = (spec: RunSpec, iterations: number): Promise<number[]> => withRunWorker((api) => api.bareLoop(absolute(spec), iterations));

export const buildReplicaInWorker = (model: ModelRef, onProgress: (written: number, total: number) => void = () => undefined): Promise<ReplicaBuild> =>
  withRunWorker((api) => api.buildReplica(model, proxy(onProgress)));

/** A model's parameters and FLOPs at the given inputs (decoders: per step), counted in a fresh worker. */
export const modelStatsInWorker = (model: ModelRef, inputs: Record<string, InputOverride>): Promise<ModelStats> =>
  withRunWorker((api) => api.modelStats(absoluteModel(model), inputs));

export const clearReplicaCacheInWorker = (): Promise<number> => withRunWorker((api) => api.clearReplicaCache());

export const inspectInWorker = (model: ModelRef): Promise<InspectResult> => withRunWorker((api) => api.inspect(absoluteModel(model)));

export const quantizeInWorker = (
  model: ModelRef,
  levels: Dtype[],
  onProgress: (done: number, total: number, level: Dtype) => void = () => undefined,
): Promise<Variant[]> => withRunWorker((api) => api.quantize(absoluteModel(model), levels, proxy(onProgress)));
