/** The catalog as one browsable list (bundled models and replicas), and the task / kind / text filter over it. */
import { REPLICA_PREFIX, type Catalog } from '../../core/catalog.ts';
import type { Dtype } from '../../core/vocab.ts';

export const ENTRY_KINDS = ['bundled', 'replica'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface BrowseEntry {
  /** What a suite plan takes: the catalog id, or `replica:<id>`. */
  ref: string;
  kind: EntryKind;
  name: string;
  task: string;
  family: string | null;
  params: number | null;
  releaseDate: string | null;
  levels: Dtype[];
  notes: string | null;
  /** Why this entry cannot run (a replica without a builder); such entries are shown, not selectable. */
  unbuildable: string | null;
}

export function browseEntries(catalog: Catalog): BrowseEntry[] {
  return [
    ...catalog.models.map((m): BrowseEntry => ({
      ref: m.id,
      kind: 'bundled',
      name: m.name,
      task: m.task,
      family: null,
      params: m.params,
      releaseDate: null,
      levels: m.levels,
      notes: m.notes ?? null,
      unbuildable: null,
    })),
    ...(catalog.replicas ?? []).map((r): BrowseEntry => ({
      ref: `${REPLICA_PREFIX}${r.id}`,
      kind: 'replica',
      name: r.id,
      task: r.task,
      family: r.family,
      params: r.paramsPublished,
      releaseDate: r.releaseDate,
      levels: r.levels,
      // Where the config comes from, not the catalog's working notes ("rope_theta=100000 NOT verified").
      notes: r.sources.length ? `Sources: ${r.sources.join(' · ')}` : null,
      unbuildable: r.unbuildable ?? null,
    })),
  ];
}

export interface BrowseFilter {
  /** A task, or null for every task. */
  task?: string | null;
  kind?: EntryKind | null;
  /** Words that must all appear in the id, name, family or task, in any case. */
  query?: string;
  /** Keep only these refs (the "selected" view). */
  only?: ReadonlySet<string> | null;
}

export function filterEntries(entries: readonly BrowseEntry[], f: BrowseFilter): BrowseEntry[] {
  const words = (f.query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter((e) => {
    if (f.task && e.task !== f.task) return false;
    if (f.kind && e.kind !== f.kind) return false;
    if (f.only && !f.only.has(e.ref)) return false;
    const text = `${e.ref} ${e.name} ${e.family ?? ''} ${e.task}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The tasks in the catalog, most common first (ties alphabetical). */
export function tasksOf(entries: readonly BrowseEntry[]): string[] {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.task, (counts.get(e.task) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t]) => t);
}
