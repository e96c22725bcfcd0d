/** Cells of the run tables that several of them share: the model's name, the state and its note, GFLOP/s, ±rme. */
import { basename } from 'node:path';
import type { RunResult } from '../core/schema.ts';
import { formatGflops, formatRme, RME_MIN_SAMPLES } from '../text/format.ts';
import { formatReason } from '../text/errors.ts';
import type { Column } from './cli-table.ts';

/** How a run's model is named in the tables: replicas say so (their outputs are meaningless; their timings are the real model's). */
export const modelName = (r: RunResult): string => (r.model.source === 'replica' ? `${basename(r.model.id)} (replica)` : basename(r.model.id));

/** "25.0 GFLOP/s (3.2 % of peak)" → "25.0 (3.2 % of peak)" under a GFLOP/s header. */
export const gflopsCell = (r: RunResult, wide: boolean): string => (wide ? formatGflops(r) : formatGflops(r).replace(' GFLOP/s', ''));

type LatencyStats = NonNullable<RunResult['timings']['latency']>;

/** ±rme, which the default view leaves out below RME_MIN_SAMPLES samples (the n column says why). */
export const rmeCell = (l: LatencyStats | null | undefined, wide: boolean): string => (wide || (l && l.n >= RME_MIN_SAMPLES) ? formatRme(l) : '—');

/** The state, with the number of its reason's note in the default view (reasons are a column with --wide). */
export function stateColumn(mark: (text: string) => string): Column<RunResult> {
  return { head: 'state', cell: (r, wide) => (wide ? r.state : `${r.state} ${mark(formatReason(r))}`.trim()) };
}
