/** What every task runner shares: its context, its abort error, a timer. */
import type { RunDraft } from '../../core/result.ts';
import type { Progress, RunSpec } from '../../core/spec.ts';

export interface TaskContext {
  result: RunDraft;
  onProgress: (p: Progress) => void;
  aborted: () => boolean;
}

export type TaskRunner = (spec: RunSpec, ctx: TaskContext) => Promise<void>;

/** Thrown between passes when the page asked to stop. */
export class TaskAbortedError extends Error {
  override name = 'AbortError';
}

/** Time one call. */
export async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t0 };
}
