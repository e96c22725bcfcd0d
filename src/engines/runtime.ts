/** The worker side: one task per worker — a run (capability check to finished record), an inspection, or quantization. */
import { transfer } from 'comlink';
import { resolveThreads, threadDevice, unsupportedReason, type Capabilities } from '../core/capabilities.ts';
import { fitProblem, WASM_HEAP_LIMIT_BYTES } from '../core/fit.ts';
import { envFrom } from '../core/env.ts';
import { runThreads } from '../core/threads.ts';
import { classifyMemoryError, emptyResult, finish, toErrorInfo } from '../core/result.ts';
import { MEMORY_FIELDS, type OpProfile, type OutputRecord, type RunResult } from '../core/schema.ts';
import { DEFAULT_GENERATION, type InputOverride, type Progress, type RunSpec } from '../core/spec.ts';
import { asSamples, summarize } from '../core/stats.ts';
import { warmUp } from '../core/warmup.ts';
import { attentionShapeOf } from '../core/flops.ts';
import { decoderStepCost, estimateFlops, exposeAllValues, FLOPS_CONVENTION, inspectModel, weightShapes } from '../onnx/inspect.ts';
import { decodeModel, encodeModel } from '../onnx/model.ts';
import { quantizeModel } from '../onnx/quantize.ts';
import { replicaAtLevel, replicaFit, replicaFlops, type BuiltReplica } from '../onnx/replica.ts';
import type { ReplicaGraph, ReplicaLm } from '../onnx/replica-types.ts';
import { layoutModel } from '../onnx/write-model.ts';
import type { RunnerApi } from './contract.ts';
import { fetchModelBytes } from './fetch-model.ts';
import { fetchRepoJson } from './hf-files.ts';
import { gpuBufferBytes, installMemoryProbes, memorySnapshot, wasmHeapBytes } from './memory-probes.ts';
import { AbortedError, measureLanguageModel, type LanguageModel } from './lm.ts';
import { configureOrt, installOrtStdoutCapture, loadOrtModel, probeOutputShapes, profileOrtModel, type ExternalData, type OrtProfileText } from './ort-engine.ts';
import { loadOrtLanguageModel, loadOrtReplicaLanguageModel, replicaPromptIds } from './ort-lm.ts';
import { parseOrtProfile, PROFILE_NEW_TOKENS, profileUnsupportedReason, summarizeProfile } from '../core/profile.ts';
import { clearReplicaCache, replicaData } from './replica-store.ts';
import { compiledWasmUsed, useCompiledWasm } from './wasm-handoff.ts';
import { probeCapabilities } from './probe.ts';

/** Fill the memory block from the probes, with a reason for every figure that is null. */
function recordMemory(result: RunResult, spec: RunSpec): void {
  const m = result.memory;
  m.modelBytes = result.model.bytes;
  if (m.modelBytes === null) m.unknown.modelBytes = 'the model was not fetched';
  const heap = wasmHeapBytes();
  m.wasmHeapPeakBytes = heap.bytes;
  if (heap.reason) m.unknown.wasmHeapPeakBytes = heap.reason;
  if (spec.device === 'webgpu') {
    const gpu = gpuBufferBytes();
    m.gpuBufferPeakBytes = gpu.peakBytes;
    if (gpu.reason) m.unknown.gpuBufferPeakBytes = gpu.reason;
  } else {
    m.unknown.gpuBufferPeakBytes = `not a GPU run (device ${spec.device})`;
  }
  // uaMemoryBytes is measured by the page (src/client/ua-memory.ts) before it terminates this worker.
  m.unknown.uaMemoryBytes = 'measured by the page after the run';
  m.unknown.osPeakRssBytes = 'OS memory is sampled by the CLI (Linux /proc); the app alone cannot read it';
}

/**
 * Progress crosses to the page as a message; one per iteration of a 1 ms model would compete with the run
 * for the same cores. Send at most one every 100 ms, and always the last of a phase.
 */
function throttled(onProgress: (p: Progress) => void, intervalMs = 100): (p: Progress) => void {
  let last = -Infinity;
  return (p) => {
    const now = performance.now();
    const final = (p.phase === 'measure' || p.phase === 'warmup') && p.done === p.total;
    if (final || p.phase === 'session' || now - last >= intervalMs) {
      last = now;
      onProgress(p);
    }
  };
}

/** What every kind of run hands the measuring loop: one timed unit of work, and its release. */
interface Runnable {
  run(capture: boolean): Promise<OutputRecord[] | null>;
  dispose(): Promise<void>;
}

type Loaded = { kind: 'runnable'; model: Runnable } | { kind: 'lm'; model: LanguageModel };

class UnsupportedError extends Error {
  override name = 'UnsupportedError';
}

/** The context a generation run reaches: the prompt (or the longest context point) plus the new tokens. */
function contextTokensOf(spec: RunSpec, lm: { vocab: number; eos: number[]; maxContext: number }): number {
  const g = { ...DEFAULT_GENERATION, ...spec.workload.generation };
  const start = g.contextLengths?.length ? Math.max(...g.contextLengths) : replicaPromptIds(g.prompt, lm).length;
  return Math.min(lm.maxContext, start + g.maxNewTokens);
}

/** A model's ONNX bytes ready for a session: fetched, or (a replica) built, with its weights beside it. */
interface OnnxSource {
  bytes: Uint8Array;
  externalData?: ExternalData;
  /** Inputs the replica builder says to feed (a real model's come from its catalog entry). */
  inputs?: Record<string, InputOverride>;
  /** A replica decoder's cache layout and vocabulary (a real one's come from its config.json). */
  lm?: ReplicaLm;
  /** A replica's graph: its builder counted the multiply-adds (result.model.flops at the shapes it was built for). */
  graph?: ReplicaGraph;
  /** Let go of what the session has read (an object URL). */
  release?: () => void;
}

/** The text a text model (classifier, encoder) is run on: the workload's prompt. */
const textOf = (spec: RunSpec): string => spec.workload.generation?.prompt ?? DEFAULT_GENERATION.prompt;

export function createRuntime(): RunnerApi {
  installMemoryProbes();
  // Before onnxruntime starts: its profiler prints to the console.log that emscripten binds at start-up.
  installOrtStdoutCapture();
  let abortRequested = false;
  let abortFlag: Int32Array | null = null;
  const aborted = () => abortRequested || (abortFlag !== null && Atomics.load(abortFlag, 0) !== 0);

  type Prepared = { reason: string } | { threads: number; caps: Capabilities };

  async function check(spec: RunSpec, result: RunResult): Promise<Prepared> {
    const caps = await probeCapabilities();
    const { choice, problem } = runThreads(spec.workload.numThreads, spec.workload.threadChoice, threadDevice(caps));
    // onnxruntime's wasm threads start on every backend (WebGPU runs keep CPU kernels and the session there).
    result.env = envFrom(caps, choice.chosen, choice);
    const reason = problem ?? unsupportedReason(spec, caps);
    return reason ? { reason } : { threads: choice.chosen!, caps };
  }

  async function fetchOnnx(spec: RunSpec, result: RunResult, onProgress: (p: Progress) => void): Promise<Uint8Array> {
    const t0 = performance.now();
    const bytes = await fetchModelBytes(spec.model.id, spec.model.url, onProgress, { cache: spec.model.source === 'hub' });
    result.timings.fetchMs = performance.now() - t0;
    result.model.bytes = bytes.byteLength;
    if (bytes.byteLength === 0) {
      throw Object.assign(new Error(`Model "${spec.model.id}" is empty (0 bytes at ${spec.model.url}): expected an ONNX protobuf file.`), { name: 'ModelLoadError' });
    }
    onProgress({ phase: 'session' });
    return bytes;
  }

  /** A replica's weights written into the cache (or found there) — the one build path of runs and `buildReplica`. */
  async function writeReplica(built: BuiltReplica, onProgress: (written: number, total: number) => void) {
    const files = layoutModel(built.graph.model);
    return { files, data: await replicaData(files, onProgress, aborted) };
  }

  /**
   * A replica's bytes, as fetchOnnx gives a real model's: built here from its architecture (no weight bytes),
   * checked against the device's limits before a byte is written, its weights streamed into the OPFS cache.
   */
  async function buildOnnx(spec: RunSpec, caps: Capabilities, result: RunResult, onProgress: (p: Progress) => void): Promise<OnnxSource> {
    const t0 = performance.now();
    const built = replicaAtLevel(spec.model.replica!, spec.model.dtype, `Replica "${spec.model.id}"`);
    const lm = built.graph.lm;
    const predicted = replicaFit(built, lm ? contextTokensOf(spec, lm) : null);
    result.memory.predicted = predicted;
    result.model.params = built.params;
    const limits = {
      wasmHeapBytes: WASM_HEAP_LIMIT_BYTES,
      maxBufferSize: caps.webgpu?.maxBufferSize ?? null,
      maxStorageBufferBindingSize: caps.webgpu?.maxStorageBufferBindingSize ?? null,
      deviceMemoryGiB: caps.deviceMemory,
    };
    const problem = fitProblem(predicted, spec.device, limits);
    if (problem) throw new UnsupportedError(`${spec.model.id} at ${spec.model.dtype} on ${spec.device}: ${problem}`);
    const { files, data } = await writeReplica(built, (written, total) => onProgress({ phase: 'build', writtenBytes: written, totalBytes: total }));
    result.timings.buildMs = performance.now() - t0;
    result.model.bytes = files.graph.byteLength + files.dataBytes;
    result.replica = { paramsPublished: spec.model.params ?? null, cache: data.cache, cached: data.cached, dataBytes: files.dataBytes, cacheNote: data.note };
    onProgress({ phase: 'session' });
    return { bytes: files.graph, externalData: [{ path: files.dataFile, data: data.data }], inputs: built.graph.inputs, lm, graph: built.graph, release: data.release };
  }

  /** Load the model the spec names on its engine; fills the load timings. */
  async function load(spec: RunSpec, threads: number, caps: Capabilities, result: RunResult, onProgress: (p: Progress) => void): Promise<Loaded> {
    const setLoad = (sessionMs: number) => {
      result.timings.sessionMs = sessionMs;
      result.timings.loadMs = (result.timings.fetchMs ?? 0) + (result.timings.buildMs ?? 0) + sessionMs;
    };
    if (spec.engine === 'transformers') {
      // Loaded on demand: ORT-only runs never parse transformers.js.
      const tf = await import('./transformers-engine.ts');
      result.env!.ortBuild = tf.TRANSFORMERS_BUILD(spec.device);
      const loaded = spec.model.task === 'text-generation'
        ? await tf.loadTransformersLanguageModel(spec, threads, onProgress)
        : await tf.loadTransformersTask(spec, textOf(spec), threads, onProgress);
      // transformers.js fetches and creates the session in one call: its load time is the whole of it.
      result.timings.loadMs = loaded.loadMs;
      result.model.bytes = loaded.bytes;
      if ('inputs' in loaded) {
        result.workload.inputs = loaded.inputs;
        return { kind: 'runnable', model: loaded };
      }
      return { kind: 'lm', model: loaded };
    }
    result.env!.ortBuild = await configureOrt(spec.device, threads, spec.workload.ortBuild);
    const source: OnnxSource = spec.model.source === 'replica' ? await buildOnnx(spec, caps, result, onProgress) : { bytes: await fetchOnnx(spec, result, onProgress) };
    try {
      if (spec.model.task === 'text-generation') {
        const lm = source.lm ? await loadOrtReplicaLanguageModel(spec, source.bytes, source.externalData!, source.lm) : await loadOrtLanguageModel(spec, source.bytes);
        setLoad(lm.sessionMs);
        return { kind: 'lm', model: lm };
      }
      const model = await loadOrtModel(spec, source.bytes, { ...spec.model.inputs, ...source.inputs, ...spec.workload.inputs }, source.externalData);
      setLoad(model.sessionMs);
      result.workload.inputs = model.inputs.map(({ name, type, dims }) => ({ name, type, dims }));
      // Never the inspector's shape pass here: on a multi-GB replica it would run the model once more, exposing every value.
      if (source.graph) result.model.flops = replicaFlops(source.graph, result.workload.inputs);
      return { kind: 'runnable', model };
    } finally {
      source.release?.();
    }
  }

  /**
   * The first run alone (shader compilation, lazy allocation, the outputs), warm-up until steady (or the fixed
   * count), then timed iterations.
   */
  async function measure(model: Runnable, spec: RunSpec, result: RunResult, onProgress: (p: Progress) => void): Promise<void> {
    const { iterations } = spec.workload;
    const budget = spec.workload.timeBudgetMs ?? null;
    let t = performance.now();
    result.outputs = await model.run(spec.workload.captureOutputs === true);
    result.timings.firstRunMs = performance.now() - t;
    result.timings.warmup = await warmUp(() => model.run(false), result.timings.firstRunMs, spec.workload, onProgress, aborted);
    const samples: number[] = result.timings.samplesMs;
    const started = performance.now();
    while (samples.length < iterations && (budget === null || performance.now() - started < budget || samples.length === 0)) {
      if (aborted()) throw new AbortedError(`Aborted after ${samples.length} timed iteration(s); their figures are kept.`);
      t = performance.now();
      await model.run(false);
      samples.push(performance.now() - t);
      const s = asSamples(samples);
      result.timings.latency = s ? summarize(s) : null;
      onProgress({ phase: 'measure', done: samples.length, total: iterations });
    }
  }

  /** The profiled iteration on a second session (see RunnerApi.profile): what it ran, and onnxruntime's output. */
  async function profileOrt(spec: RunSpec, measuredP50Ms: number | null): Promise<{ workload: string; repeatRuns: number | null } & OrtProfileText> {
    const scratch = emptyResult(spec);
    const caps = await probeCapabilities();
    // The run's own thread count (the page's choice for auto), so the profile shows the kernels as they were measured.
    const threads = runThreads(spec.workload.numThreads, spec.workload.threadChoice, threadDevice(caps)).choice.chosen ?? resolveThreads(null, caps);
    await configureOrt(spec.device, threads, spec.workload.ortBuild);
    const source: OnnxSource = spec.model.source === 'replica' ? await buildOnnx(spec, caps, scratch, () => undefined) : { bytes: await fetchOnnx(spec, scratch, () => undefined) };
    try {
      if (spec.model.task !== 'text-generation') {
        // As many warm-up runs as the run had (2 at most: a replica's run can take minutes), so the profiled run is warm.
        const warmupRuns = Math.min(2, Math.max(1, spec.workload.warmup));
        const repeats = measuredP50Ms !== null && measuredP50Ms < 1000 ? 3 : 1;
        const out = await profileOrtModel(spec, source.bytes, { ...spec.model.inputs, ...source.inputs, ...spec.workload.inputs }, source.externalData, warmupRuns, repeats);
        return {
          workload: `one inference on the run's inputs (${repeats > 1 ? `the median of ${repeats} profiled runs, ` : ''}after ${warmupRuns} warm-up run${warmupRuns > 1 ? 's' : ''} on the profiling session)`,
          repeatRuns: repeats > 1 ? 1 : null,
          ...out,
        };
      }
      // A short generation shows prefill and decode steps as the measured ones ran them; a context-length run's
      // longest context would take minutes on a big model, so the prompt is the run's prompt.
      const lm = source.lm
        ? await loadOrtReplicaLanguageModel(spec, source.bytes, source.externalData!, source.lm, true)
        : await loadOrtLanguageModel(spec, source.bytes, true);
      try {
        const g = { ...DEFAULT_GENERATION, ...spec.workload.generation };
        const ids = lm.encode(g.prompt);
        const n = Math.min(PROFILE_NEW_TOKENS, g.maxNewTokens);
        // The median of three when the measured generations say three short ones take under a few seconds.
        const perToken = measuredP50Ms === null ? null : measuredP50Ms / g.maxNewTokens;
        const repeats = perToken !== null && perToken * n < 1000 ? 3 : 1;
        const warm = await lm.generate(ids, n, () => undefined, aborted);
        for (let i = 0; i < repeats && !aborted(); i++) await lm.generate(ids, n, () => undefined, aborted);
        if (aborted()) throw new AbortedError('Aborted while profiling.');
        // One session.run per token: the warm-up generation's runs come first.
        return {
          workload: `a ${n}-token greedy generation after a ${ids.length}-token prompt: prefill and ${n - 1} decode steps (${repeats > 1 ? `the median of ${repeats} profiled generations, ` : ''}after one warm-up generation on the profiling session)`,
          text: lm.endProfiling(),
          skipRuns: warm.length,
          repeatRuns: repeats > 1 ? n : null,
        };
      } finally {
        await lm.dispose();
      }
    } finally {
      source.release?.();
    }
  }
  /** The session the thread calibration times (openTiming / timeRuns); the worker is terminated after it. */
  let timing: Awaited<ReturnType<typeof prepareForBareLoop>>['model'] | null = null;

  async function prepareForBareLoop(spec: RunSpec) {
    const result = emptyResult(spec);
    const checked = await check(spec, result);
    if ('reason' in checked) throw new Error(checked.reason);
    await configureOrt(spec.device, checked.threads, spec.workload.ortBuild);
    const bytes = await fetchOnnx(spec, result, () => undefined);
    return { model: await loadOrtModel(spec, bytes, { ...spec.model.inputs, ...spec.workload.inputs }), threads: checked.threads };
  }

  return {
    capabilities: probeCapabilities,

    async abort() {
      abortRequested = true;
    },

    async execute(spec, reportProgress, flag, wasm) {
      abortFlag = flag ?? null;
      if (wasm) useCompiledWasm(wasm.module, wasm.url);
      const onProgress = throttled(reportProgress);
      const result = emptyResult(spec);
      let disposeModel: (() => Promise<void>) | null = null;
      try {
        const checked = await check(spec, result);
        if ('reason' in checked) {
          for (const field of MEMORY_FIELDS) result.memory.unknown[field] = 'the run did not start (unsupported)';
          return finish(result, 'unsupported', { name: 'UnsupportedError', message: checked.reason });
        }
        const loaded = await load(spec, checked.threads, checked.caps, result, onProgress);
        if (result.env) {
          result.env.wasmCompiledBy = compiledWasmUsed() ? 'page' : 'worker';
          result.env.wasmCompileMs = compiledWasmUsed() ? wasm?.compileMs ?? null : null;
        }
        disposeModel = () => loaded.model.dispose();
        // GPU figures only mean something on webgpu (the probes see a GPUDevice type in every worker).
        const snapshot = () => (spec.device === 'webgpu' ? memorySnapshot() : { ...memorySnapshot(), gpuLiveBytes: null });
        const afterLoad = snapshot();
        if (loaded.kind === 'lm') await measureLanguageModel(loaded.model, spec, result, { onProgress, aborted });
        else await measure(loaded.model, spec, result, onProgress);
        recordMemory(result, spec);
        const afterRun = snapshot();
        await loaded.model.dispose();
        disposeModel = null;
        // Released GPU buffers should bring live GPU bytes back to ~0; the WASM heap never shrinks.
        result.memory.phases = { afterLoad, afterRun, afterDispose: snapshot() };
        return finish(result, 'completed');
      } catch (err) {
        recordMemory(result, spec);
        const info = toErrorInfo(err);
        if (info.name === 'AbortError') return finish(result, 'aborted', info);
        if (info.name === 'UnsupportedError') return finish(result, 'unsupported', info);
        return finish(result, 'errored', classifyMemoryError(info, spec.device));
      } finally {
        await disposeModel?.().catch(() => undefined);
      }
    },

    async profile(spec, measuredP50Ms) {
      const unsupported = profileUnsupportedReason(spec.engine);
      if (unsupported) return { profile: null, reason: unsupported };
      const t0 = performance.now();
      try {
        const { workload, text, skipRuns, repeatRuns } = await profileOrt(spec, measuredP50Ms);
        const summary = summarizeProfile(parseOrtProfile(text), skipRuns, undefined, repeatRuns);
        const note = spec.device === 'webgpu'
          ? 'WebGPU: a node\'s time is what onnxruntime spent recording and submitting its GPU work on the CPU, not the GPU\'s execution time (that lands in whichever later node waits for it, e.g. a read-back)'
          : null;
        const profile: OpProfile = { workload, ...summary, profilingMs: performance.now() - t0, note };
        return { profile, reason: null };
      } catch (err) {
        const info = toErrorInfo(err);
        return { profile: null, reason: `Profiling failed (the measured figures stand): ${info.name}: ${info.message}` };
      }
    },

    async inspect(model) {
      if (model.source === 'replica') {
        // Nothing to fetch: the graph is built (no weight bytes) and inspected; FLOPs are the builder's count.
        const built = replicaAtLevel(model.replica!, model.dtype, `Replica "${model.id}"`);
        const inspection = inspectModel(built.graph.model);
        inspection.params = built.params;
        const macs = built.graph.macs;
        const flops = macs === null ? null : { flops: 2 * macs, byOp: {}, unknown: [], convention: `${FLOPS_CONVENTION}; counted analytically by the replica builder at its input shapes` };
        const inputs = Object.entries(built.graph.inputs).map(([name, o]) => ({ name, dims: o.shape ?? [] }));
        return { model, bytes: built.weightBytes, inspection, flops, flopsError: macs === null ? 'the replica builder does not count FLOPs for this architecture' : null, inputs };
      }
      const caps = await probeCapabilities();
      await configureOrt('wasm', resolveThreads(null, caps));
      const bytes = await fetchModelBytes(model.id, model.url, () => undefined);
      const parsed = decodeModel(bytes, `Model "${model.id}"`);
      const inspection = inspectModel(parsed);
      try {
        const { shapes, inputs } = await probeOutputShapes(encodeModel(exposeAllValues(parsed)), model.inputs ?? {});
        const known = weightShapes(parsed);
        for (const [k, v] of shapes) known.set(k, v);
        const flops = estimateFlops(parsed, (name) => known.get(name));
        return { model, bytes: bytes.byteLength, inspection, flops, flopsError: null, inputs: inputs.map(({ name, dims }) => ({ name, dims })) };
      } catch (err) {
        return { model, bytes: bytes.byteLength, inspection, flops: null, flopsError: toErrorInfo(err).message, inputs: [] };
      }
    },

    async modelStats(model, inputs) {
      const lm = model.task === 'text-generation';
      const shapes = Object.entries(inputs).flatMap(([name, o]) => (o.shape ? [{ name, dims: o.shape }] : []));
      if (model.source === 'replica') {
        // The graph without its weights: the builder's counts, no fetch, no session.
        const built = replicaAtLevel(model.replica!, model.dtype, `Replica "${model.id}"`);
        if (lm) return { params: built.params, flops: null, flopsError: null, step: decoderStepCost(built.graph.model), attention: attentionShapeOf(model.replica!.config) };
        const flops = replicaFlops(built.graph, shapes);
        return { params: built.params, flops, flopsError: flops === null ? 'the replica builder counted FLOPs at other input shapes' : null, step: null, attention: null };
      }
      // A hub model is in the Cache API since its run; other URLs are fetched again (after the run, so its fetch was cold).
      const bytes = await fetchModelBytes(model.id, model.url, () => undefined, { cache: model.source === 'hub' });
      const parsed = decodeModel(bytes, `Model "${model.id}"`);
      const params = inspectModel(parsed).params;
      if (lm) {
        const config = model.repo ? await fetchRepoJson(model.repo, 'config.json').catch(() => null) : null;
        return { params, flops: null, flopsError: null, step: decoderStepCost(parsed), attention: config ? attentionShapeOf(config) : null };
      }
      // One thread: a threaded session's wasm workers outlive it and would stop later runs' page memory measurement.
      await configureOrt('wasm', 1);
      try {
        const probed = await probeOutputShapes(encodeModel(exposeAllValues(parsed)), inputs);
        const known = weightShapes(parsed);
        for (const [k, v] of probed.shapes) known.set(k, v);
        const estimate = estimateFlops(parsed, (name) => known.get(name));
        const missing = estimate.unknown.length ? `; ${estimate.unknown.length} node(s) of unknown shape left out` : '';
        return { params, flops: estimate.flops, flopsError: missing ? missing.slice(2) : null, step: null, attention: null };
      } catch (err) {
        return { params, flops: null, flopsError: `the shape probe failed: ${toErrorInfo(err).message}`, step: null, attention: null };
      }
    },

    async buildReplica(model, onProgress) {
      if (model.source !== 'replica' || !model.replica) throw new Error(`Model "${model.id}" is not a replica.`);
      const t0 = performance.now();
      const built = replicaAtLevel(model.replica, model.dtype, `Replica "${model.id}"`);
      const { files, data } = await writeReplica(built, onProgress);
      data.release();
      return {
        model, params: built.params, weightBytes: built.weightBytes, graphBytes: files.graph.byteLength, dataBytes: files.dataBytes,
        buildMs: performance.now() - t0, cache: data.cache, cached: data.cached, note: data.note,
      };
    },

    clearReplicaCache,

    async quantize(model, levels, onProgress) {
      const bytes = await fetchModelBytes(model.id, model.url, () => undefined);
      const variants = levels.map((level, i) => {
        onProgress(i, levels.length, level);
        return { level, ...quantizeModel(bytes, level, {}, `Model "${model.id}"`) };
      });
      onProgress(levels.length, levels.length, levels.at(-1)!);
      return transfer(variants, variants.map((v) => v.bytes.buffer as ArrayBuffer));
    },

    async openTiming(spec, wasm) {
      if (wasm) useCompiledWasm(wasm.module, wasm.url);
      const prepared = await prepareForBareLoop(spec);
      timing = prepared.model;
      // The count the session was created with (check's choice), not one worked out again here.
      return { threads: prepared.threads };
    },

    async timeRuns(runs) {
      if (!timing) throw new Error('timeRuns before openTiming: nothing is loaded.');
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        await timing.bareRun();
        samples.push(performance.now() - t);
      }
      return samples;
    },

    async bareLoop(spec, iterations) {
      const { model } = await prepareForBareLoop(spec);
      for (let i = 0; i < Math.max(1, spec.workload.warmup); i++) await model.bareRun();
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t = performance.now();
        await model.bareRun();
        samples.push(performance.now() - t);
      }
      await model.dispose();
      return samples;
    },
  };
}
