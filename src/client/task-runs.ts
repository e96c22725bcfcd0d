/**
 * Task runs on the page (issue 17): a request (a pipeline, an input file, levels) becomes one run per level, each in a
 * fresh worker like any run, fp32 first so that every other level gets its accuracy against fp32's output; each
 * record is logged before the next run starts. Emits the suite's events, so the CLI's progress and memory sampling
 * see task runs as runs.
 */
import type { Catalog } from '../core/catalog.ts';
import type { RunResult } from '../core/schema.ts';
import { withAccuracyVsFp32 } from '../core/task/accuracy.ts';
import { taskSpecs, type TaskRunRequest } from '../core/task/pipelines.ts';
import { appendResult } from '../store/results-db.ts';
import { runInWorker } from './runner-client.ts';
import { newId, type SuiteEvent } from './suite.ts';

/** A task request as the CLI hands it over page.evaluate: the input's bytes as base64. */
export type TaskRequestWire = Omit<TaskRunRequest, 'input'> & { input: { name: string; base64: string } | TaskRunRequest['input'] };

export function fromBase64(base64: string): Uint8Array {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

export async function runTasks(
  wire: TaskRequestWire,
  options: { catalog: Catalog; signal?: AbortSignal; onEvent?: (e: SuiteEvent) => void },
): Promise<RunResult[]> {
  const emit = options.onEvent ?? (() => undefined);
  const input = 'base64' in wire.input ? { name: wire.input.name, bytes: fromBase64(wire.input.base64) } : wire.input;
  const suiteId = newId();
  const specs = taskSpecs({ ...wire, input }, options.catalog, newId, suiteId);
  const total = specs.length;
  const results: RunResult[] = [];
  let fp32: RunResult | null = null;
  emit({ type: 'suite-start', suiteId, total });
  for (const [index, spec] of specs.entries()) {
    if (options.signal?.aborted) break;
    emit({ type: 'run-start', index, total, spec });
    const result = await runInWorker(spec, { signal: options.signal, onProgress: (progress) => emit({ type: 'run-progress', index, total, progress }) });
    emit({ type: 'run-measured', index, total });
    if (spec.model.dtype === 'fp32') fp32 = result;
    withAccuracyVsFp32(result, fp32);
    await appendResult(result);
    results.push(result);
    emit({ type: 'run-end', index, total, result, countMs: 0 });
  }
  emit({ type: 'suite-end', suiteId, results });
  return results;
}
