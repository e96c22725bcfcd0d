/**
 * The results log in IndexedDB: every run is appended as soon as it ends, so a crash or reload loses nothing.
 * Storage can fail under it: the origin's quota is exceeded, or the browser evicts or clears the origin's data and
 * closes the database. Then the log keeps every result this page has logged or read in memory, says so
 * (`storageProblem`, `onStorageProblem`), and lists and exports them as before, so nothing measured is lost before
 * the page is closed.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RunResult } from '../core/schema.ts';

interface ResultsDb extends DBSchema {
  runs: { key: string; value: RunResult; indexes: { startedAt: string } };
}

export const DB_NAME = 'ondevice';

/** Why results are not being saved, and how many this page holds that storage does not. */
export interface StorageProblem {
  /** quota: the origin's storage is full; evicted: the browser closed the database (data cleared or evicted); unavailable: anything else. */
  kind: 'quota' | 'evicted' | 'unavailable';
  /** What happened, in words, with the browser's error. */
  message: string;
  /** Results held only in this page's memory: lost when it closes unless exported. */
  unsaved: number;
}

let db: Promise<IDBPDatabase<ResultsDb>> | null = null;
/** Every result this page has logged or read, by id: what it can still list and export when storage fails. */
const held = new Map<string, RunResult>();
/** Ids in `held` that the database does not have (a write failed, or the database lost them). */
const unsaved = new Set<string>();
let problem: Omit<StorageProblem, 'unsaved'> | null = null;
const listeners = new Set<(p: StorageProblem | null) => void>();

const NOT_SAVED = { kind: 'unavailable', message: 'Some results could not be saved in this browser.' } as const;

/** What is wrong with storage now, or null while every result is saved. */
export const storageProblem = (): StorageProblem | null => (problem || unsaved.size ? { ...(problem ?? NOT_SAVED), unsaved: unsaved.size } : null);

/** Be told when results stop (or start again) being saved; returns the unsubscribe. */
export function onStorageProblem(listener: (p: StorageProblem | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const notify = () => listeners.forEach((l) => l(storageProblem()));

function describe(err: unknown): Omit<StorageProblem, 'unsaved'> {
  const e = err as { name?: string; message?: string } | null;
  const raw = `${e?.name ?? 'Error'}: ${e?.message || String(err)}`;
  if (e?.name === 'QuotaExceededError')
    return { kind: 'quota', message: `This browser's storage for the app is full, so results are not being saved (${raw}).` };
  if (e?.name === 'InvalidStateError' || /clos(ed|ing)/i.test(e?.message ?? ''))
    return { kind: 'evicted', message: `The browser closed the results database: its storage was cleared or evicted (${raw}).` };
  return { kind: 'unavailable', message: `The results database is not available, so results are not being saved (${raw}).` };
}

function fail(err: unknown): void {
  problem = describe(err);
  notify();
}

function open(): Promise<IDBPDatabase<ResultsDb>> {
  db ??= openDB<ResultsDb>(DB_NAME, 1, {
    upgrade(database) {
      const runs = database.createObjectStore('runs', { keyPath: 'id' });
      runs.createIndex('startedAt', 'startedAt');
    },
    // The browser closed the connection (site data cleared, storage evicted): what it held may be gone.
    terminated() {
      db = null;
      for (const id of held.keys()) unsaved.add(id);
      fail(new DOMException('the browser closed the database connection', 'InvalidStateError'));
    },
  }).catch((err: unknown) => {
    db = null;
    throw err;
  });
  return db;
}

const byStart = (a: RunResult, b: RunResult) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0);

/**
 * Append one result; a result with an id already stored is kept apart, never overwritten. When storage fails the
 * result is kept in memory and the problem reported; it never throws for that.
 */
export async function appendResult(result: RunResult): Promise<void> {
  held.set(result.id, result);
  try {
    await (await open()).add('runs', result);
    unsaved.delete(result.id);
  } catch (err) {
    if ((err as Error)?.name === 'ConstraintError') throw err;
    unsaved.add(result.id);
    fail(err);
  }
}

/** Append many (an import); returns how many were new. Existing ids are skipped, not replaced. */
export async function appendResults(results: readonly RunResult[]): Promise<{ added: number; skipped: number }> {
  const fresh = results.filter((r) => !held.has(r.id));
  try {
    const database = await open();
    const tx = database.transaction('runs', 'readwrite');
    let added = 0;
    for (const r of results) {
      if (await tx.store.getKey(r.id)) continue;
      await tx.store.add(r);
      added += 1;
    }
    await tx.done;
    for (const r of results) held.set(r.id, r);
    return { added, skipped: results.length - added };
  } catch (err) {
    // The transaction is all or nothing: the new ones are held in memory, the rest were already in the log.
    for (const r of fresh) {
      held.set(r.id, r);
      unsaved.add(r.id);
    }
    fail(err);
    return { added: fresh.length, skipped: results.length - fresh.length };
  }
}

/** Every logged result, oldest first: the database's, and those held in memory that it does not have. */
export async function listResults(): Promise<RunResult[]> {
  try {
    const rows = await (await open()).getAllFromIndex('runs', 'startedAt');
    const stored = new Set<string>();
    for (const r of rows) {
      held.set(r.id, r);
      unsaved.delete(r.id);
      stored.add(r.id);
    }
    // Held results the database no longer has were lost from it (evicted, cleared): they live in this page only now.
    const lost = [...held.keys()].filter((id) => !stored.has(id) && !unsaved.has(id));
    for (const id of lost) unsaved.add(id);
    if (lost.length && !problem) problem = describe(new DOMException(`${lost.length} logged results are gone from the database`, 'InvalidStateError'));
    if (lost.length) notify();
    return [...rows, ...[...unsaved].map((id) => held.get(id)!)].sort(byStart);
  } catch (err) {
    fail(err);
    return [...held.values()].sort(byStart);
  }
}

/** Delete every logged result, stored or held; a database that works again clears the problem. */
export async function clearResults(): Promise<void> {
  held.clear();
  unsaved.clear();
  try {
    await (await open()).clear('runs');
    problem = null;
  } catch (err) {
    problem = describe(err);
  }
  notify();
}
