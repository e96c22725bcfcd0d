/** Threads as people read them: "threads: auto → 1 (calibrated on …)", for the app and the CLI alike. */
import type { ThreadChoice } from '../core/threads.ts';
import { formatMs } from './format.ts';

/** One line for a run's thread choice; null for a sweep's runs (their table says it) and runs that never started. */
export function threadChoiceLine(t: ThreadChoice): string | null {
  if (t.requested === 'sweep' || t.chosen === null) return null;
  const took = t.calibration && !t.calibration.cached ? `; calibration took ${formatMs(t.calibration.elapsedMs)}` : '';
  return t.requested === 'auto'
    ? `threads: auto → ${t.chosen} (${t.reason}${took}; onnxruntime-web's default here: ${t.ortDefault})`
    : `threads: ${t.chosen} (asked for; onnxruntime-web's default here: ${t.ortDefault})`;
}

/** The distinct lines of a set of runs, in order. */
export function threadChoiceLines(choices: readonly (ThreadChoice | null | undefined)[]): string[] {
  return [...new Set(choices.flatMap((t) => (t ? [threadChoiceLine(t)] : [])).filter((l): l is string => l !== null))];
}
