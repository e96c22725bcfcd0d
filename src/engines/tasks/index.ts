/**
 * Task pipelines in the worker (issue 17): one runner per task kind, each filling `result.pipeline` and the run's
 * timings from its own stages. The runtime (runtime.ts `executeTask`) checks the device, configures onnxruntime and
 * closes the record; a runner throws on bad input (InvalidInputError, naming it) and on abort (AbortError).
 */
import type { TaskKind } from '../../core/vocab.ts';
import type { TaskRunner } from './common.ts';
import { runOcr } from './ocr.ts';
import { runVadTask } from './vad.ts';

export { TaskAbortedError, type TaskContext, type TaskRunner } from './common.ts';

/** The runner of each task kind; null: not built yet (its runs end unsupported with that reason). */
export const TASK_RUNNERS: Readonly<Record<TaskKind, TaskRunner | null>> = Object.freeze({
  ocr: runOcr,
  vad: runVadTask,
});
