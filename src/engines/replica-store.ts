/**
 * Where a replica's weights go once built: streamed, one chunk at a time, into the origin-private file system
 * (OPFS), so building a 2 GB replica holds one 8 MiB chunk in memory and a second run finds it there. The file
 * is keyed by a hash of the graph (which names every tensor's offset and length), written under a `.partial`
 * name and renamed only when complete: an aborted or failed build leaves nothing that a later run could mistake
 * for a finished one. Where OPFS is missing or full, the weights are built in memory instead (not cached).
 */
import { splitFileName, type GgufParts } from '../gguf/split.ts';
import type { ModelFiles } from '../onnx/write-model.ts';
import { AbortedError } from './lm.ts';
import { opfsFailureNote, quotaShortfall, replicaStorageProblem, type OpfsFailure, type StorageEstimateNumbers } from '../core/replica-storage.ts';

export interface ReplicaData {
  /** What onnxruntime-web's `externalData` takes: a URL it fetches (an OPFS file) or the bytes. */
  data: string | Uint8Array;
  cache: 'opfs' | 'memory';
  cached: boolean;
  /** Why the weights are in memory rather than OPFS, when they are. */
  note: string | null;
  /** Drop the object URL (after the session has read it). */
  release(): void;
}

const DIR = 'ondevice-replicas';

async function graphKey(graph: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', graph as Uint8Array<ArrayBuffer>));
  return Array.from(digest.subarray(0, 12), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A buffer of `bytes`: an ArrayBuffer where the engine allows one that large, else a WebAssembly.Memory's. */
function bigBuffer(bytes: number): Uint8Array {
  try {
    return new Uint8Array(new ArrayBuffer(bytes));
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const pages = Math.ceil(bytes / 65536);
    return new Uint8Array(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer, 0, bytes);
  }
}

type Progress = (written: number, total: number) => void;

async function inMemory(files: ModelFiles, onProgress: Progress, aborted: () => boolean, note: string): Promise<ReplicaData> {
  const data = bigBuffer(files.dataBytes);
  let at = 0;
  await files.writeData((chunk) => {
    if (aborted()) throw new AbortedError('Aborted while building the replica.');
    data.set(chunk, at);
    at += chunk.length;
  }, onProgress);
  return { data, cache: 'memory', cached: false, note, release: () => undefined };
}

/** The replicas' OPFS folder, or why it cannot be had (the note of a build in memory). */
async function cacheDir(): Promise<FileSystemDirectoryHandle | string> {
  try {
    return await (await navigator.storage.getDirectory()).getDirectoryHandle(DIR, { create: true });
  } catch (err) {
    return `the origin-private file system is not available here (${(err as Error).message}): built in memory, not cached`;
  }
}

/** A complete cached file of this name and size; one of another size cannot be ours, and is removed for a rebuild. */
async function cachedFile(dir: FileSystemDirectoryHandle, name: string, bytes: number): Promise<File | null> {
  const existing = await dir.getFileHandle(name).catch(() => null);
  if (!existing) return null;
  const file = await existing.getFile();
  if (file.size === bytes) return file;
  await dir.removeEntry(name);
  return null;
}

/**
 * Stream a file into the cache under a `.partial` name, then give it its name: the finished file, or the error that
 * stopped it (quota and the like; the caller builds in memory instead). An abort removes the half-written file and
 * throws. `write` feeds the sink chunk by chunk; `aborted` is checked before each.
 */
async function writeCached(
  dir: FileSystemDirectoryHandle,
  name: string,
  write: (sink: (chunk: Uint8Array) => void) => Promise<void>,
  aborted: () => boolean,
): Promise<File | Error> {
  const partial = `${name}.partial`;
  const handle = await dir.getFileHandle(partial, { create: true });
  const access = await handle.createSyncAccessHandle();
  let at = 0;
  try {
    access.truncate(0);
    await write((chunk) => {
      if (aborted()) throw new AbortedError('Aborted while building the replica; the half-written file was removed.');
      const n = access.write(chunk, { at });
      // Chromium's sync access handle answers a full in-memory file system with a bogus count rather than a throw.
      if (n !== chunk.length) throw new Error(`the browser refused ${chunk.length} bytes at offset ${at} (write() returned ${n})`);
      at += n;
    });
    access.flush();
    access.close();
  } catch (err) {
    access.close();
    await dir.removeEntry(partial).catch(() => undefined);
    if (err instanceof AbortedError) throw err;
    return Object.assign(err instanceof Error ? err : new Error(String(err)), { written: at });
  }
  await (handle as FileSystemFileHandle & { move(name: string): Promise<void> }).move(name);
  return handle.getFile();
}

/** The site's storage estimate, or null where the browser gives none. */
async function storageEstimate(): Promise<StorageEstimateNumbers | null> {
  const e = await navigator.storage.estimate().catch(() => null);
  return e ? { quota: e.quota ?? null, usage: e.usage ?? null } : null;
}

/**
 * writeCached, unless the site's own estimate says the file cannot fit (then nothing is written): the finished file,
 * or what stopped it with the numbers for the reason. The estimate can say a file will not fit, not that it will.
 */
async function writeOrFailure(
  dir: FileSystemDirectoryHandle,
  name: string,
  bytes: number,
  write: (sink: (chunk: Uint8Array) => void) => Promise<void>,
  aborted: () => boolean,
): Promise<File | OpfsFailure> {
  const estimate = await storageEstimate();
  const short = quotaShortfall(bytes, estimate);
  if (short) return { bytes, written: null, estimate, error: short };
  // Making the file can fail before a byte is written (QuotaExceededError where the estimate said there was room).
  const written = await writeCached(dir, name, write, aborted).catch((err: unknown) => {
    if (err instanceof AbortedError || !(err instanceof Error)) throw err;
    return Object.assign(err, { written: 0 });
  });
  if (!(written instanceof Error)) return written;
  return { bytes, written: (written as Error & { written?: number }).written ?? null, estimate, error: written.message };
}

/** The replica's data file, from the OPFS cache or freshly written there (or into memory when OPFS fails). */
export async function replicaData(files: ModelFiles, onProgress: Progress, aborted: () => boolean): Promise<ReplicaData> {
  const dir = await cacheDir();
  if (typeof dir === 'string') return inMemory(files, onProgress, aborted, dir);
  const name = `${await graphKey(files.graph)}.onnx_data`;
  const file = await cachedFile(dir, name, files.dataBytes);
  if (file) {
    onProgress(files.dataBytes, files.dataBytes);
    const url = URL.createObjectURL(file);
    return { data: url, cache: 'opfs', cached: true, note: null, release: () => URL.revokeObjectURL(url) };
  }
  const written = await writeOrFailure(dir, name, files.dataBytes, (sink) => files.writeData(sink, onProgress), aborted);
  // Quota exceeded and the like: the run can still go on from memory.
  if (!(written instanceof Blob)) return inMemory(files, onProgress, aborted, `${opfsFailureNote(written)}: built in memory`);
  const url = URL.createObjectURL(written);
  return { data: url, cache: 'opfs', cached: false, note: null, release: () => URL.revokeObjectURL(url) };
}

/** A GGUF replica's files, in order: OPFS files (disk-backed Blobs wllama reads in slices), or the bytes in memory. */
export interface GgufReplicaData {
  blobs: Blob[];
  cache: 'opfs' | 'memory';
  cached: boolean;
  note: string | null;
}

/** Progress over all the parts together. */
function partsProgress(parts: GgufParts, onProgress: Progress): (index: number) => (written: number) => void {
  const before = parts.parts.map((_, i) => parts.parts.slice(0, i).reduce((s, p) => s + p.totalBytes, 0));
  return (index) => (written) => onProgress(before[index]! + written, parts.totalBytes);
}

/** Why neither OPFS nor memory can hold a replica: the run's error, with the numbers and what to do. */
export class ReplicaStorageError extends Error {
  override name = 'ReplicaStorageError';
}

/**
 * Read a Blob through, 64 MiB at a time: null, or why a part could not be read. Chromium accepts the parts of a Blob
 * it cannot hold (an off-the-record context keeps Blobs in memory) and says so only when the part is read.
 */
async function readThrough(blob: Blob): Promise<string | null> {
  const step = 64 * 2 ** 20;
  for (let at = 0; at < blob.size; at += step) {
    try {
      await blob.slice(at, at + step).arrayBuffer();
    } catch (err) {
      return `a Blob of ${blob.size} bytes could not be read back at offset ${at}: ${(err as Error).name}: ${(err as Error).message}`;
    }
  }
  return null;
}

/**
 * The GGUF files as Blobs in memory, each read through before use (readThrough), so that one Chromium cannot hold
 * ends the run with the reason. `failure` is why OPFS did not take them.
 */
async function ggufInMemory(parts: GgufParts, onProgress: Progress, aborted: () => boolean, failure: OpfsFailure | string): Promise<GgufReplicaData> {
  const note = typeof failure === 'string' ? failure : `${opfsFailureNote(failure)}: built in memory`;
  const progress = partsProgress(parts, onProgress);
  const blobs = parts.parts.map((file, i) => {
    const chunks: Uint8Array[] = [];
    let written = 0;
    for (const chunk of file.chunks()) {
      if (aborted()) throw new AbortedError('Aborted while building the replica.');
      chunks.push(chunk.slice());
      written += chunk.length;
      progress(i)(written);
    }
    return new Blob(chunks as BlobPart[]);
  });
  for (const blob of blobs) {
    const unreadable = await readThrough(blob);
    if (unreadable)
      throw new ReplicaStorageError(
        typeof failure === 'string'
          ? `${failure}; nor could the browser hold the replica's ${parts.totalBytes} bytes in memory (${unreadable})`
          : replicaStorageProblem(failure, unreadable),
      );
  }
  return { blobs, cache: 'memory', cached: false, note };
}

/**
 * A GGUF replica from the OPFS cache, or streamed into it chunk by chunk, part by part, keyed by a hash of its headers
 * (metadata and every tensor's name, type, shape and offset; the synthetic values follow from them), each part under
 * a `.partial` name until complete, as the ONNX replicas' data; in memory where OPFS fails. A split replica's parts
 * are named as llama.cpp's gguf-split names them (`<key>-00001-of-00002.gguf`), so wllama sorts them as written.
 */
export async function ggufReplicaData(parts: GgufParts, onProgress: Progress, aborted: () => boolean): Promise<GgufReplicaData> {
  const dir = await cacheDir();
  if (typeof dir === 'string') return ggufInMemory(parts, onProgress, aborted, dir);
  const headers = new Uint8Array(parts.parts.reduce((s, p) => s + p.header.length, 0));
  parts.parts.reduce((at, p) => (headers.set(p.header, at), at + p.header.length), 0);
  const key = await graphKey(headers);
  const count = parts.parts.length;
  const progress = partsProgress(parts, onProgress);
  const blobs: Blob[] = [];
  let cached = true;
  for (const [i, file] of parts.parts.entries()) {
    const name = count === 1 ? `${key}.gguf` : splitFileName(key, i, count);
    const found = await cachedFile(dir, name, file.totalBytes);
    if (found) {
      progress(i)(file.totalBytes);
      blobs.push(found);
      continue;
    }
    cached = false;
    const written = await writeOrFailure(
      dir,
      name,
      file.totalBytes,
      async (sink) => {
        let at = 0;
        for (const chunk of file.chunks()) {
          sink(chunk);
          at += chunk.length;
          progress(i)(at);
        }
      },
      aborted,
    );
    if (!(written instanceof Blob)) return ggufInMemory(parts, onProgress, aborted, written);
    blobs.push(written);
  }
  return { blobs, cache: 'opfs', cached, note: null };
}

/** Remove every cached replica (the app's "clear replica cache"; tests start clean with it). */
export async function clearReplicaCache(): Promise<number> {
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle(DIR).catch(() => null);
  if (!dir) return 0;
  let n = 0;
  for await (const key of (dir as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> }).keys()) {
    await dir.removeEntry(key);
    n++;
  }
  return n;
}
