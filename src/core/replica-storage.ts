/**
 * Where a replica's file could not be kept, in words a person can act on: built from the numbers the browser gives
 * (the file's size, how far the origin-private file system (OPFS) write got, navigator.storage.estimate()) and the
 * errors it stopped with. Pure; src/engines/replica-store.ts gathers the numbers.
 *
 * Measured here (bench/opfs-quota.ts): a fresh off-the-record Chromium context reports a 10 GiB quota, yet its
 * OPFS (held in memory) refuses writes past 1.4–1.5 GiB, and its in-memory Blobs of 2 GiB or more read back as
 * NotReadableError; a persistent profile on disk holds both. So the estimate cannot be trusted to say a write
 * will fit; it can say one will not.
 */

const GIB = 2 ** 30;
const MIB = 2 ** 20;
/** GiB from a quarter of one up, MiB from one, else bytes: a test-size replica and a 2B model both read plainly. */
const gib = (bytes: number): string => (bytes >= GIB / 4 ? `${(bytes / GIB).toFixed(2)} GiB` : bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${bytes} B`);

export interface StorageEstimateNumbers {
  /** navigator.storage.estimate().quota, or null where the browser does not say. */
  quota: number | null;
  usage: number | null;
}

/** Bytes the origin may still store by its own estimate, or null when it does not say. */
export function storageRoom(estimate: StorageEstimateNumbers | null): number | null {
  if (!estimate || estimate.quota === null) return null;
  return Math.max(0, estimate.quota - (estimate.usage ?? 0));
}

/** Why a file of `bytes` will not fit by the estimate alone (so it is not even written), or null when it may. */
export function quotaShortfall(bytes: number, estimate: StorageEstimateNumbers | null): string | null {
  const room = storageRoom(estimate);
  if (room === null || room >= bytes) return null;
  return `the replica's file is ${gib(bytes)} and the site may store ${gib(room)} more (storage.estimate(): quota ${gib(estimate!.quota!)}, ${gib(estimate!.usage ?? 0)} used)`;
}

export interface OpfsFailure {
  /** The replica file's size. */
  bytes: number;
  /** Bytes written when the write stopped; null when it was not tried (quotaShortfall said it would not fit). */
  written: number | null;
  estimate: StorageEstimateNumbers | null;
  /** The write's own error, or quotaShortfall's reason. */
  error: string;
}

const WHAT_TO_DO =
  'run it in a browser profile whose storage is on disk: the ondevice CLI opens one (--browser-profile; a fresh off-the-record context holds OPFS in memory and stops near 1.5 GiB), or in the app clear the replica cache and other sites’ data';

/** Why the replica is not cached in OPFS: the note of a run that goes on from memory. */
export function opfsFailureNote(f: OpfsFailure): string {
  const estimate = f.estimate?.quota != null ? `; storage.estimate() reports a quota of ${gib(f.estimate.quota)} with ${gib(f.estimate.usage ?? 0)} used` : '';
  const where = f.written === null ? f.error : `the write stopped after ${gib(f.written)} of ${gib(f.bytes)} (${f.error})${estimate}`;
  return `could not cache the replica in the origin-private file system: ${where}`;
}

/**
 * Why neither OPFS nor memory could hold the replica: the run's error. `memoryError` is what the in-memory copy
 * failed with (a Blob Chromium could not read back, an ArrayBuffer it would not allocate).
 */
export function replicaStorageProblem(f: OpfsFailure, memoryError: string): string {
  return `${opfsFailureNote(f)}; nor could the browser hold its ${gib(f.bytes)} in memory (${memoryError}). To run it, ${WHAT_TO_DO}.`;
}

/**
 * Why a replica built in memory failed when the engine read it: Chromium accepted the Blob, and it read through once
 * (src/engines/replica-store.ts), yet wllama's reads failed. Seen off the record (Gemma-2-2B q4_0, 1.38 GiB).
 */
export function unreadableCopyProblem(cacheNote: string, bytes: number, error: string): string {
  return `${cacheNote}; then the engine could not read that in-memory copy of ${gib(bytes)} (${error}): the browser did not keep all of it. To run it, ${WHAT_TO_DO}.`;
}
