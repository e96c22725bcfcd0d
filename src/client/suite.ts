/** Running a suite: plan → one worker per run → append each result to the log before the next run starts. */
import type { Catalog } from '../core/catalog.ts';
import { expandPlan, type SuitePlan } from '../core/plan.ts';
import type { RunResult } from '../core/schema.ts';
import type { Progress, RunSpec } from '../core/spec.ts';
import { appendResult } from '../store/results-db.ts';
import { runInWorker } from './runner-client.ts';

export type SuiteEvent =
  | { type: 'suite-start'; suiteId: string; total: number }
  | { type: 'run-start'; index: number; total: number; spec: RunSpec }
  | { type: 'run-progress'; index: number; total: number; progress: Progress }
  | { type: 'run-end'; index: number; total: number; result: RunResult }
  | { type: 'suite-end'; suiteId: string; results: RunResult[] };

export interface SuiteOptions {
  catalog: Catalog;
  onEvent?: (e: SuiteEvent) => void;
  /** Aborts the run in progress (logged as `aborted`) and starts no further run. */
  signal?: AbortSignal;
}

export const newId = (): string => crypto.randomUUID();

export async function runSuite(plan: SuitePlan, options: SuiteOptions): Promise<RunResult[]> {
  const suiteId = plan.suiteId ?? newId();
  const planned = expandPlan({ ...plan, suiteId }, options.catalog, newId);
  const emit = options.onEvent ?? (() => undefined);
  const total = planned.length;
  const results: RunResult[] = [];
  emit({ type: 'suite-start', suiteId, total });
  for (const [index, item] of planned.entries()) {
    if (options.signal?.aborted) break;
    let result: RunResult;
    if (item.kind === 'decided') {
      result = item.result;
    } else {
      emit({ type: 'run-start', index, total, spec: item.spec });
      result = await runInWorker(item.spec, {
        signal: options.signal,
        onProgress: (progress) => emit({ type: 'run-progress', index, total, progress }),
      });
    }
    // Logged before the next run starts: a crash later loses nothing already measured.
    await appendResult(result);
    results.push(result);
    emit({ type: 'run-end', index, total, result });
  }
  emit({ type: 'suite-end', suiteId, results });
  return results;
}
