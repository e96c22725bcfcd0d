/**
 * The `ort` engine of the engine table (engine.ts's interface): any ONNX model straight on onnxruntime-web
 * (ort-engine.ts), fetched or built as a replica (onnx-source.ts); a language model through our own greedy loop
 * with the KV cache (ort-lm.ts). The one engine with a per-operator profiler.
 */
import { resolveThreads, threadDevice } from '../core/capabilities.ts';
import { emptyResult } from '../core/result.ts';
import type { RunResult } from '../core/schema.ts';
import { DEFAULT_GENERATION, type RunSpec } from '../core/spec.ts';
import { runThreads } from '../core/threads.ts';
import { DEVICES, MODEL_SOURCES, ONNX_DTYPES } from '../core/vocab.ts';
import { PROFILE_NEW_TOKENS } from '../core/profile.ts';
import { replicaFlops } from '../onnx/replica.ts';
import type { Engine, ProfileRun } from './engine.ts';
import { AbortedError } from './lm.ts';
import { fetchOnnx, onnxSource, type OnnxSource } from './onnx-source.ts';
import { configureOrt, loadOrtModel, profileOrtModel, type LoadedOrtModel } from './ort-engine.ts';
import { loadOrtLanguageModel, loadOrtReplicaLanguageModel, type OrtLanguageModel } from './ort-lm.ts';
import { probeCapabilities } from './probe.ts';
import { withStructureCheck } from './structure-check.ts';

/** The model's decoder as a language model: a replica's from its builder, a real one's with its tokenizer and config. */
const loadLm = (spec: RunSpec, source: OnnxSource, profiling = false): Promise<OrtLanguageModel> =>
  source.lm ? loadOrtReplicaLanguageModel(spec, source.bytes, source.externalData!, source.lm, profiling) : loadOrtLanguageModel(spec, source.bytes, profiling);

/** The inputs a plain model is fed: the catalog's, the replica builder's, then the workload's overrides. */
const overridesOf = (spec: RunSpec, source: Pick<OnnxSource, 'inputs'> = {}) => ({ ...spec.model.inputs, ...source.inputs, ...spec.workload.inputs });

/** The profiled iteration on a second session (see RunnerApi.profile): what it ran, and onnxruntime's output. */
async function profile(spec: RunSpec, measuredP50Ms: number | null, aborted: () => boolean): Promise<ProfileRun> {
  const scratch = emptyResult(spec);
  const caps = await probeCapabilities();
  // The run's own thread count (the page's choice for auto), so the profile shows the kernels as they were measured.
  const threads = runThreads(spec.workload.numThreads, spec.workload.threadChoice, threadDevice(caps)).choice.chosen ?? resolveThreads(null, caps);
  await configureOrt(spec.device, threads, spec.workload.ortBuild);
  const source = await onnxSource(spec, caps, scratch, () => undefined, aborted);
  try {
    if (spec.model.task !== 'text-generation') {
      // As many warm-up runs as the run had (2 at most: a replica's run can take minutes), so the profiled run is warm.
      const warmupRuns = Math.min(2, Math.max(1, spec.workload.warmup));
      const repeats = measuredP50Ms !== null && measuredP50Ms < 1000 ? 3 : 1;
      const out = await profileOrtModel(spec, source.bytes, overridesOf(spec, source), source.externalData, warmupRuns, repeats);
      return {
        workload: `one inference on the run's inputs (${repeats > 1 ? `the median of ${repeats} profiled runs, ` : ''}after ${warmupRuns} warm-up run${warmupRuns > 1 ? 's' : ''} on the profiling session)`,
        repeatRuns: repeats > 1 ? 1 : null,
        ...out,
      };
    }
    // A short generation shows prefill and decode steps as the measured ones ran them; a context-length run's
    // longest context would take minutes on a big model, so the prompt is the run's prompt.
    const lm = await loadLm(spec, source, true);
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

export const ortEngine: Engine = {
  name: 'ort',
  capabilities: { devices: DEVICES, dtypes: ONNX_DTYPES, tasks: 'any', sources: MODEL_SOURCES, hfLayoutFor: ['text-generation'], ortBuildChoice: true },

  async load(spec, { threads, caps, result, onProgress, aborted }) {
    const setLoad = (sessionMs: number) => {
      result.timings.sessionMs = sessionMs;
      result.timings.loadMs = (result.timings.fetchMs ?? 0) + (result.timings.buildMs ?? 0) + sessionMs;
    };
    result.env!.ortBuild = await configureOrt(spec.device, threads, spec.workload.ortBuild);
    const source = await onnxSource(spec, caps, result, onProgress, aborted);
    try {
      // A replica's graph is ours; a fetched file's is checked before onnxruntime sees it (structure-check.ts).
      const checked = <T>(load: () => Promise<T>) => (source.graph || source.lm ? load() : withStructureCheck(spec, source.bytes, load));
      if (spec.model.task === 'text-generation') {
        const lm = await checked(() => loadLm(spec, source));
        setLoad(lm.sessionMs);
        return { kind: 'lm', model: lm };
      }
      const model = await checked(() => loadOrtModel(spec, source.bytes, overridesOf(spec, source), source.externalData));
      setLoad(model.sessionMs);
      result.workload.inputs = model.inputs.map(({ name, type, dims, picked }) => ({ name, type, dims, ...(picked ? { picked } : {}) }));
      // Never the inspector's shape pass here: on a multi-GB replica it would run the model once more, exposing every value.
      if (source.graph) result.model.flops = replicaFlops(source.graph, result.workload.inputs);
      return { kind: 'runnable', model };
    } finally {
      source.release?.();
    }
  },

  profile,
};

/** A plain model's session on `threads` threads, for a bare session.run loop (bareLoop, the thread calibration). */
export async function loadBareOrtModel(spec: RunSpec, threads: number, result: RunResult): Promise<LoadedOrtModel> {
  await configureOrt(spec.device, threads, spec.workload.ortBuild);
  const bytes = await fetchOnnx(spec, result, () => undefined);
  return loadOrtModel(spec, bytes, overridesOf(spec));
}
