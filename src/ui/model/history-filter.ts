/** Filtering the run log: by model, level, backend, engine, state and the day a run started. */
import type { RunResult } from '../../core/schema.ts';

export const HISTORY_FACETS = ['model', 'dtype', 'device', 'engine', 'state'] as const;
export type HistoryFacet = (typeof HISTORY_FACETS)[number];

export interface HistoryFilter extends Partial<Record<HistoryFacet, string>> {
  /** First and last day to keep, `YYYY-MM-DD` in local time (what `<input type=date>` gives), inclusive. */
  from?: string;
  to?: string;
}

const facetOf = (r: RunResult, f: HistoryFacet): string => (f === 'model' ? r.model.id : f === 'dtype' ? r.model.dtype : r[f]);

/** The local calendar day of an instant, `YYYY-MM-DD`. */
export function localDay(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function filterHistory(results: readonly RunResult[], f: HistoryFilter): RunResult[] {
  return results.filter((r) => {
    for (const facet of HISTORY_FACETS) if (f[facet] && facetOf(r, facet) !== f[facet]) return false;
    if (!f.from && !f.to) return true;
    const day = localDay(r.startedAt);
    return (!f.from || day >= f.from) && (!f.to || day <= f.to);
  });
}

/** The values each facet takes in the log, sorted: the filter's choices. */
export function historyFacets(results: readonly RunResult[]): Record<HistoryFacet, string[]> {
  const out = Object.fromEntries(HISTORY_FACETS.map((f) => [f, new Set<string>()])) as Record<HistoryFacet, Set<string>>;
  for (const r of results) for (const f of HISTORY_FACETS) out[f].add(facetOf(r, f));
  return Object.fromEntries(HISTORY_FACETS.map((f) => [f, [...out[f]].sort()])) as Record<HistoryFacet, string[]>;
}
