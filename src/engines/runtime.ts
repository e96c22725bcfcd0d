/** The worker side: one task per worker — a run (capability check to finished record), an inspection, or quantization. */
import { transfer } from 'comlink';
import { resolveThreads, unsupportedReason } from '../core/capabilities.ts';
import { envFrom } from '../core/env.ts';
import { classifyMemoryError, emptyResult, finish, toErrorInfo } from '../core/result.ts';
import { MEMORY_FIELDS, type RunResult } from '../core/schema.ts';
import type { Progress, RunSpec } from '../core/spec.ts';
import { asSamples, summarize } from '../core/stats.ts';
import { estimateFlops, exposeAllValues, inspectModel, weightShapes } from '../onnx/inspect.ts';
import { decodeModel, encodeModel } from '../onnx/model.ts';
import { quantizeModel } from '../onnx/quantize.ts';
import type { RunnerApi } from './contract.ts';
import { fetchModelBytes } from './fetch-model.ts';
import { gpuBufferBytes, installMemoryProbes, memorySnapshot, wasmHeapBytes } from './memory-probes.ts';
import { configureOrt, loadOrtModel, probeOutputShapes, type LoadedOrtModel } from './ort-engine.ts';
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
  m.unknown.uaMemoryBytes = 'performance.measureUserAgentSpecificMemory() is page-level and not sampled per run yet';
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

export function createRuntime(): RunnerApi {
  installMemoryProbes();

  type Prepared = { reason: string } | { model: LoadedOrtModel };

  async function prepare(spec: RunSpec, result: RunResult, onProgress: (p: Progress) => void): Promise<Prepared> {
    const caps = await probeCapabilities();
    const threads = resolveThreads(spec.workload.numThreads, caps);
    result.env = envFrom(caps, spec.device === 'wasm' ? threads : null);
    const reason = unsupportedReason(spec, caps);
    if (reason) return { reason };
    configureOrt(threads);
    const t0 = performance.now();
    const bytes = await fetchModelBytes(spec.model.id, spec.model.url, onProgress);
    result.timings.fetchMs = performance.now() - t0;
    result.model.bytes = bytes.byteLength;
    if (bytes.byteLength === 0) {
      throw Object.assign(new Error(`Model "${spec.model.id}" is empty (0 bytes at ${spec.model.url}): expected an ONNX protobuf file.`), { name: 'ModelLoadError' });
    }
    onProgress({ phase: 'session' });
    const overrides = { ...spec.model.inputs, ...spec.workload.inputs };
    const model = await loadOrtModel(spec, bytes, overrides);
    result.timings.sessionMs = model.sessionMs;
    result.timings.loadMs = result.timings.fetchMs + model.sessionMs;
    result.workload.inputs = model.inputs.map(({ name, type, dims }) => ({ name, type, dims }));
    return { model };
  }

  return {
    capabilities: probeCapabilities,

    async execute(spec, reportProgress) {
      const onProgress = throttled(reportProgress);
      const result = emptyResult(spec);
      let disposeModel: (() => Promise<void>) | null = null;
      try {
        const prepared = await prepare(spec, result, onProgress);
        if ('reason' in prepared) {
          for (const field of MEMORY_FIELDS) result.memory.unknown[field] = 'the run did not start (unsupported)';
          return finish(result, 'unsupported', { name: 'UnsupportedError', message: prepared.reason });
        }
        const { model } = prepared;
        disposeModel = () => model.dispose();
        // GPU figures only mean something on webgpu (the probes see a GPUDevice type in every worker).
        const snapshot = () => (spec.device === 'webgpu' ? memorySnapshot() : { ...memorySnapshot(), gpuLiveBytes: null });
        const afterLoad = snapshot();
        const { iterations, warmup } = spec.workload;
        const budget = spec.workload.timeBudgetMs ?? null;

        // The first run alone: it carries shader compilation and lazy allocations, and gives the outputs.
        let t = performance.now();
        const outputs = await model.run(spec.workload.captureOutputs === true);
        result.timings.firstRunMs = performance.now() - t;
        result.outputs = outputs;
        for (let i = 1; i < warmup; i++) {
          onProgress({ phase: 'warmup', done: i, total: warmup });
          await model.run(false);
        }
        const samples: number[] = [];
        const started = performance.now();
        while (samples.length < iterations && (budget === null || performance.now() - started < budget || samples.length === 0)) {
          t = performance.now();
          await model.run(false);
          samples.push(performance.now() - t);
          onProgress({ phase: 'measure', done: samples.length, total: iterations });
        }
        result.timings.samplesMs = samples;
        const s = asSamples(samples);
        result.timings.latency = s ? summarize(s) : null;
        recordMemory(result, spec);
        const afterRun = snapshot();
        await model.dispose();
        disposeModel = null;
        // Released GPU buffers should bring live GPU bytes back to ~0; the WASM heap never shrinks.
        result.memory.phases = { afterLoad, afterRun, afterDispose: snapshot() };
        return finish(result, 'completed');
      } catch (err) {
        recordMemory(result, spec);
        return finish(result, 'errored', classifyMemoryError(toErrorInfo(err), spec.device));
      } finally {
        await disposeModel?.().catch(() => undefined);
      }
    },

    async inspect(model) {
      const caps = await probeCapabilities();
      configureOrt(resolveThreads(null, caps));
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

    async quantize(model, levels, onProgress) {
      const bytes = await fetchModelBytes(model.id, model.url, () => undefined);
      const variants = levels.map((level, i) => {
        onProgress(i, levels.length, level);
        return { level, ...quantizeModel(bytes, level, {}, `Model "${model.id}"`) };
      });
      onProgress(levels.length, levels.length, levels.at(-1)!);
      return transfer(variants, variants.map((v) => v.bytes.buffer as ArrayBuffer));
    },

    async bareLoop(spec, iterations) {
      const prepared = await prepare(spec, emptyResult(spec), () => undefined);
      if ('reason' in prepared) throw new Error(prepared.reason);
      const { model } = prepared;
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
