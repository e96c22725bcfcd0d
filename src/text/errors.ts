/** A record's reason as tables print it: the kind of failure first (out of memory, unsupported op, …), then the message. */
import { classifyError, ERROR_CLASS_LABEL, type ErrorClass } from '../core/error-class.ts';
import type { RunResult } from '../core/schema.ts';

/** Classes a state already says (aborted, unsupported) or that say nothing (other) are not repeated before the message. */
const SAID_BY_STATE: ReadonlySet<ErrorClass> = new Set(['aborted', 'unsupported', 'other']);

/** The error's class: the one it was recorded with, else (older records) what its text says. */
export function errorClassOf(r: Pick<RunResult, 'state' | 'error' | 'device'>): ErrorClass | null {
  if (!r.error) return null;
  if (r.error.class) return r.error.class;
  if (r.state === 'aborted') return 'aborted';
  if (r.state === 'unsupported') return 'unsupported';
  return classifyError(r.error, { device: r.device });
}

/** "out of memory: Out of memory at session creation …"; the message alone where the class adds nothing; '' without error. */
export function formatReason(r: Pick<RunResult, 'state' | 'error' | 'device'>): string {
  if (!r.error) return '';
  const cls = errorClassOf(r);
  return cls && !SAID_BY_STATE.has(cls) ? `${ERROR_CLASS_LABEL[cls]}: ${r.error.message}` : r.error.message;
}
