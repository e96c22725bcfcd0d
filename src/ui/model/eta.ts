/** How long a suite has left: the mean time of the runs that have ended, times the runs still to go. */

export interface SuiteClock {
  /** Runs in the suite. */
  total: number;
  /** How long each run that has ended took, in ms (a run decided without running counts, with its few ms). */
  finishedRunsMs: readonly number[];
}

/**
 * Milliseconds left, or null until one run has ended (with nothing measured there is nothing to extrapolate).
 * No run in flight is credited for the time it has already had: the estimate changes only when a run ends, so
 * it does not jump about while a long run loads.
 */
export function remainingMs({ total, finishedRunsMs }: SuiteClock): number | null {
  const done = finishedRunsMs.length;
  if (done === 0) return null;
  const left = Math.max(0, total - done);
  if (left === 0) return 0;
  const mean = finishedRunsMs.reduce((a, b) => a + b, 0) / done;
  return mean * left;
}
