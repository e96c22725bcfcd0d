/** The results log in IndexedDB: every run is appended as soon as it ends, so a crash or reload loses nothing. */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RunResult } from '../core/schema.ts';

interface ResultsDb extends DBSchema {
  runs: { key: string; value: RunResult; indexes: { startedAt: string } };
}

export const DB_NAME = 'ondevice';

let db: Promise<IDBPDatabase<ResultsDb>> | null = null;

function open(): Promise<IDBPDatabase<ResultsDb>> {
  db ??= openDB<ResultsDb>(DB_NAME, 1, {
    upgrade(database) {
      const runs = database.createObjectStore('runs', { keyPath: 'id' });
      runs.createIndex('startedAt', 'startedAt');
    },
  });
  return db;
}

/** Append one result; a result with an id already stored is kept apart, never overwritten. */
export async function appendResult(result: RunResult): Promise<void> {
  await (await open()).add('runs', result);
}

/** Append many (an import); returns how many were new. Existing ids are skipped, not replaced. */
export async function appendResults(results: readonly RunResult[]): Promise<{ added: number; skipped: number }> {
  const database = await open();
  const tx = database.transaction('runs', 'readwrite');
  let added = 0;
  for (const r of results) {
    if (await tx.store.getKey(r.id)) continue;
    await tx.store.add(r);
    added += 1;
  }
  await tx.done;
  return { added, skipped: results.length - added };
}

/** Every stored result, oldest first. */
export async function listResults(): Promise<RunResult[]> {
  return (await open()).getAllFromIndex('runs', 'startedAt');
}

export async function clearResults(): Promise<void> {
  await (await open()).clear('runs');
}
