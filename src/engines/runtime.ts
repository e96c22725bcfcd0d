/** The worker side: one task per worker — a run (capability check to finished record), an inspection, or quantization. */
import { transfer } from 'comlink';
import { resolveThreads, threadDevice, unsupportedReason, type Capabilities } from '../core/capabilities.ts';
import { envFrom } from '../core/env.ts';
import { runThreads } from '../core/threads.ts';
import { classifyMemoryError } from '../core/error-class.ts';
import { emptyResult, finish, toErrorInfo } from '../core/result.ts';
import { MEMORY_FIELDS, type OpProfile, type RunResult } from '../core/schema.ts';
import type { Progress, RunSpec } from '../core/spec.ts';
import { attentionShapeOf } from '../core/flops.ts';
import { decoderStepCost, estimateFlops, exposeAllValues, FLOPS_CONVENTION, inspectModel, weightShapes } from '../onnx/inspect.ts';
import { decodeModel, encodeModel } from '../onnx/model.ts';
import { quantizeModel } from '../onnx/quantize.ts';
import { replicaAtLevel, replicaFlops } from '../onnx/replica.ts';
import type { CompiledWasm, RunnerApi } from './contract.ts';
import { unsupportedBy } from './engine.ts';
import { fetchModelBytes } from './fetch-model.ts';
import { fetchRepoJson } from './hf-files.ts';
import { measure } from './measure.ts';
import { gpuBufferBytes, installMemoryProbes, memorySnapshot, wasmHeapBytes } from './memory-probes.ts';
import { writeReplica } from './onnx-source.ts';
import { loadBareOrtModel } from './ort.ts';
import { configureOrt, installOrtStdoutCapture, probeOutputShapes } from './ort-engine.ts';
import { parseOrtProfile, profileUnsupportedReason, summarizeProfile } from '../core/profile.ts';
import { clearReplicaCache } from './replica-store.ts';
import { ENGINE_TABLE } from './table.ts';
import { compiledWasmUsed, useCompiledWasm } from './wasm-handoff.ts';
import { probeCapabilities } from './probe.ts';
import { TASK_RUNNERS } from './tasks/index.ts';

/** Fill the memory block from the probes, with a reason for every figure that is null. */
function recordMemory(result: RunResult, spec: RunSpec): void {
  const m = result.memory;
  m.modelBytes = result.model.bytes;
  if (m.modelBytes === null) m.unknown.modelBytes = 'the model was not fetched';
  // wllama's llama.cpp runs in a worker wllama starts itself, whose WebAssembly memory this worker's probes never see.
  const heap =
    spec.engine === 'wllama'
      ? { bytes: null, reason: "wllama runs llama.cpp in a worker of its own, whose WebAssembly memory the run's worker cannot see" }
      : wasmHeapBytes();
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
 * for the same cores. Send at most one every 100 ms, and always the last of a phase and any that carries generated
 * text (lm.ts sends text at most every 100 ms and at a measured generation's end; a text delta must not be lost).
 */
function throttled(onProgress: (p: Progress) => void, intervalMs = 100): (p: Progress) => void {
  let last = -Infinity;
  return (p) => {
    const now = performance.now();
    const final = (p.phase === 'measure' || p.phase === 'warmup') && p.done === p.total;
    const text = p.phase === 'generate' && p.text !== undefined;
    if (final || text || p.phase === 'session' || now - last >= intervalMs) {
      last = now;
      onProgress(p);
    }
  };
}

const ALL_ENGINES = Object.values(ENGINE_TABLE);

/** `beat` is called with each progress report sent to the page (the worker's lifeline sends its heap then). */
export function createRuntime(beat: () => void = () => undefined): RunnerApi {
  installMemoryProbes();
  // Before onnxruntime starts: its profiler prints to the console.log that emscripten binds at start-up.
  installOrtStdoutCapture();
  let abortRequested = false;
  let abortFlag: Int32Array | null = null;
  const aborted = () => abortRequested || (abortFlag !== null && Atomics.load(abortFlag, 0) !== 0);

  /** A run's start, whichever contract method: its abort flag, the page's compiled wasm, and progress that beats. */
  function begin(reportProgress: (p: Progress) => void, flag: Int32Array | null | undefined, wasm: CompiledWasm | null | undefined): (p: Progress) => void {
    abortFlag = flag ?? null;
    if (wasm) useCompiledWasm(wasm.module, wasm.url, wasm.threadsLock);
    return throttled((p) => {
      beat();
      reportProgress(p);
    });
  }

  type Prepared = { reason: string } | { threads: number; caps: Capabilities };

  async function check(spec: RunSpec, result: RunResult): Promise<Prepared> {
    const caps = await probeCapabilities();
    const { choice, problem } = runThreads(spec.workload.numThreads, spec.workload.threadChoice, threadDevice(caps));
    // onnxruntime's wasm threads start on every backend (WebGPU runs keep CPU kernels and the session there).
    result.env = envFrom(caps, choice.chosen, choice);
    const reason = problem ?? unsupportedBy(spec, ENGINE_TABLE[spec.engine], ALL_ENGINES) ?? unsupportedReason(spec, caps);
    return reason ? { reason } : { threads: choice.chosen!, caps };
  }

  /** The session the thread calibration times (openTiming / timeRuns); the worker is terminated after it. */
  let timing: Awaited<ReturnType<typeof loadBareOrtModel>> | null = null;

  /** The ORT session of a bare session.run loop (whatever the spec's engine), after the run's own checks. */
  async function prepareForBareLoop(spec: RunSpec) {
    const result = emptyResult(spec);
    const checked = await check(spec, result);
    if ('reason' in checked) throw new Error(checked.reason);
    return { model: await loadBareOrtModel(spec, checked.threads, result), threads: checked.threads };
  }

  return {
    capabilities: probeCapabilities,

    async abort() {
      abortRequested = true;
    },

    async execute(spec, reportProgress, flag, wasm) {
      const onProgress = begin(reportProgress, flag, wasm);
      const result = emptyResult(spec);
      let disposeModel: (() => Promise<void>) | null = null;
      try {
        const checked = await check(spec, result);
        if ('reason' in checked) {
          for (const field of MEMORY_FIELDS) result.memory.unknown[field] = 'the run did not start (unsupported)';
          return finish(result, 'unsupported', { name: 'UnsupportedError', message: checked.reason });
        }
        const loaded = await ENGINE_TABLE[spec.engine].load(spec, { threads: checked.threads, caps: checked.caps, result, onProgress, aborted });
        if (result.env) {
          result.env.wasmCompiledBy = compiledWasmUsed() ? 'page' : 'worker';
          result.env.wasmCompileMs = compiledWasmUsed() ? (wasm?.compileMs ?? null) : null;
        }
        disposeModel = () => loaded.model.dispose();
        // GPU figures only mean something on webgpu (the probes see a GPUDevice type in every worker).
        const snapshot = () => (spec.device === 'webgpu' ? memorySnapshot() : { ...memorySnapshot(), gpuLiveBytes: null });
        const afterLoad = snapshot();
        await measure(loaded, spec, result, { onProgress, aborted });
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

    async executeTask(spec, reportProgress, flag, wasm) {
      const onProgress = begin(reportProgress, flag, wasm);
      const result = emptyResult(spec);
      try {
        const runner = spec.task ? TASK_RUNNERS[spec.task.kind] : undefined;
        const checked = await check(spec, result);
        const reason =
          'reason' in checked
            ? checked.reason
            : !spec.task
              ? `Model "${spec.model.id}" is not a task pipeline (no spec.task).`
              : runner === null
                ? `The ${spec.task.kind} pipeline is not built yet.`
                : null;
        if (reason || !runner || 'reason' in checked) {
          for (const field of MEMORY_FIELDS) result.memory.unknown[field] = 'the run did not start (unsupported)';
          return finish(result, 'unsupported', { name: 'UnsupportedError', message: reason ?? 'unsupported' });
        }
        result.env!.ortBuild = await configureOrt(spec.device, checked.threads, spec.workload.ortBuild);
        if (result.env) {
          result.env.wasmCompiledBy = compiledWasmUsed() ? 'page' : 'worker';
          result.env.wasmCompileMs = compiledWasmUsed() ? (wasm?.compileMs ?? null) : null;
        }
        await runner(spec, { result, onProgress, aborted });
        recordMemory(result, spec);
        return finish(result, 'completed');
      } catch (err) {
        recordMemory(result, spec);
        const info = toErrorInfo(err);
        if (info.name === 'AbortError') return finish(result, 'aborted', info);
        return finish(result, 'errored', classifyMemoryError(info, spec.device));
      }
    },

    async profile(spec, measuredP50Ms) {
      const profiler = ENGINE_TABLE[spec.engine].profile;
      const unsupported = profileUnsupportedReason(spec.engine);
      if (unsupported || !profiler) return { profile: null, reason: unsupported ?? `Engine "${spec.engine}" has no per-operator profiler.` };
      const t0 = performance.now();
      try {
        const { workload, text, skipRuns, repeatRuns } = await profiler(spec, measuredP50Ms, aborted);
        const summary = summarizeProfile(parseOrtProfile(text), skipRuns, undefined, repeatRuns);
        const note =
          spec.device === 'webgpu'
            ? "WebGPU: a node's time is what onnxruntime spent recording and submitting its GPU work on the CPU, not the GPU's execution time (that lands in whichever later node waits for it, e.g. a read-back)"
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
        const flops =
          macs === null
            ? null
            : { flops: 2 * macs, byOp: {}, unknown: [], convention: `${FLOPS_CONVENTION}; counted analytically by the replica builder at its input shapes` };
        const inputs = Object.entries(built.graph.inputs).map(([name, o]) => ({ name, dims: o.shape ?? [] }));
        return {
          model,
          bytes: built.weightBytes,
          inspection,
          flops,
          flopsError: macs === null ? 'the replica builder does not count FLOPs for this architecture' : null,
          inputs,
        };
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
        if (lm)
          return {
            params: built.params,
            flops: null,
            flopsError: null,
            step: decoderStepCost(built.graph.model),
            attention: attentionShapeOf(model.replica!.config),
          };
        const flops = replicaFlops(built.graph, shapes);
        return {
          params: built.params,
          flops,
          flopsError: flops === null ? 'the replica builder counted FLOPs at other input shapes' : null,
          step: null,
          attention: null,
        };
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
      const { files, data } = await writeReplica(built, onProgress, aborted);
      data.release();
      return {
        model,
        params: built.params,
        weightBytes: built.weightBytes,
        graphBytes: files.graph.byteLength,
        dataBytes: files.dataBytes,
        buildMs: performance.now() - t0,
        cache: data.cache,
        cached: data.cached,
        note: data.note,
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
      return transfer(
        variants,
        variants.map((v) => v.bytes.buffer as ArrayBuffer),
      );
    },

    async openTiming(spec, wasm) {
      if (wasm) useCompiledWasm(wasm.module, wasm.url, wasm.threadsLock);
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
