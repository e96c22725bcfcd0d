/** A record's reason as tables print it: the kind of failure first (out of memory, unsupported op, …), then the message. */
import { ERROR_CLASS_LABEL, type ErrorClass } from '../core/error-class.ts';
import { errorClass } from '../core/result.ts';
import type { RunResult } from '../core/schema.ts';

/** Classes a state already says (aborted, unsupported) or that say nothing (other) are not repeated before the message. */
const SAID_BY_STATE: ReadonlySet<ErrorClass> = new Set(['aborted', 'unsupported', 'other']);

/** "out of memory: Out of memory at session creation …"; the message alone where the class adds nothing; '' without error. */
export function formatReason(r: Pick<RunResult, 'state' | 'error' | 'device'>): string {
  if (!r.error) return '';
  // Older records carry no class: errorClass reads it from their state and text.
  const cls = errorClass(r.error, r.state, r.device);
  return !SAID_BY_STATE.has(cls) ? `${ERROR_CLASS_LABEL[cls]}: ${r.error.message}` : r.error.message;
}
