/** A finished run's parameters and FLOPs: counted in a worker of their own after the run's is gone, cached per model in the page. */
import { applyModelStats, type ModelStats } from '../core/flops.ts';
import { toErrorInfo } from '../core/result.ts';
import type { RunResult } from '../core/schema.ts';
import type { InputOverride, RunSpec } from '../core/spec.ts';
import { modelStatsInWorker } from './runner-client.ts';

/** Per model file, level, task and input shapes: a suite of many runs of one model counts it once. */
const cache = new Map<string, Promise<ModelStats>>();

/** The inputs the run was fed: the catalog's fills with the shapes the run resolved (the tokenizer's, the --input's). */
function runInputs(spec: RunSpec, result: RunResult): Record<string, InputOverride> {
  const given: Record<string, InputOverride> = { ...spec.model.inputs, ...spec.workload.inputs };
  for (const { name, dims } of result.workload.inputs) given[name] = { ...given[name], shape: [...dims] };
  return given;
}

/**
 * Fill `model.params`, `model.flops`, `model.flopsBasis` and (language models) `model.weightBytesPerToken` of a
 * completed run. Never throws: a count that fails leaves the figures null and says why in `flopsBasis`.
 * Returns how long it took (0 when cached), for the cost reported in the README.
 */
export async function withModelStats(result: RunResult, spec: RunSpec): Promise<number> {
  if (result.state !== 'completed') return 0;
  const lm = spec.model.task === 'text-generation';
  if (spec.model.source === 'replica' && !lm && result.model.flops !== null) {
    // The builder counted both at the shapes the run fed: nothing to start a worker for.
    applyModelStats(result, { params: null, flops: null, flopsError: null, step: null, attention: null });
    return 0;
  }
  // A decoder's step cost does not depend on the prompt: one count serves every run of the model.
  const inputs = lm ? {} : runInputs(spec, result);
  const key = JSON.stringify([spec.model.source, spec.model.id, spec.model.url, spec.model.dtype, spec.model.task, inputs]);
  const t0 = performance.now();
  let pending = cache.get(key);
  if (!pending) {
    pending = modelStatsInWorker(spec.model, inputs);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  try {
    applyModelStats(result, await pending);
  } catch (err) {
    result.model.flopsBasis = `not counted: ${toErrorInfo(err).message}`;
  }
  return performance.now() - t0;
}
