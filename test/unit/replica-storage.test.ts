import { describe, expect, it } from 'vitest';
import { opfsFailureNote, quotaShortfall, replicaStorageProblem, storageRoom, unreadableCopyProblem } from '../../src/core/replica-storage.ts';

const GIB = 2 ** 30;

describe('replica storage reasons', () => {
  it('says a file will not fit only when the estimate says so', () => {
    expect(storageRoom(null)).toBeNull();
    expect(storageRoom({ quota: null, usage: 5 })).toBeNull();
    expect(storageRoom({ quota: 10 * GIB, usage: 9 * GIB })).toBe(GIB);
    expect(storageRoom({ quota: GIB, usage: 2 * GIB })).toBe(0);
    expect(quotaShortfall(1.5 * GIB, { quota: 10 * GIB, usage: 0 })).toBeNull();
    expect(quotaShortfall(1.5 * GIB, null)).toBeNull();
    expect(quotaShortfall(40_000, { quota: 1, usage: 0 })).toBe(
      "the replica's file is 40000 B and the site may store 1 B more (storage.estimate(): quota 1 B, 0 B used)",
    );
    expect(quotaShortfall(1.5 * GIB, { quota: 10 * GIB, usage: 9.99 * GIB })).toMatch(/may store 10\.2 MiB more/);
    expect(quotaShortfall(1.5 * GIB, { quota: 10 * GIB, usage: 9 * GIB })).toBe(
      "the replica's file is 1.50 GiB and the site may store 1.00 GiB more (storage.estimate(): quota 10.00 GiB, 9.00 GiB used)",
    );
  });

  // The numbers of the Gemma-2-2B q4_0 replica in an off-the-record context (bench/opfs-quota.ts measured the stop).
  const stopped = {
    bytes: 1.6 * GIB,
    written: 1.375 * GIB,
    estimate: { quota: 10 * GIB, usage: 0 },
    error: 'the browser refused 8388608 bytes at offset 1476395008 (write() returned 4294967288)',
  };

  it('a write that stopped: how far it got, of how much, and the estimate it contradicts', () => {
    expect(opfsFailureNote(stopped)).toBe(
      'could not cache the replica in the origin-private file system: the write stopped after 1.38 GiB of 1.60 GiB (the browser refused 8388608 bytes at offset 1476395008 (write() returned 4294967288)); storage.estimate() reports a quota of 10.00 GiB with 0 B used',
    );
    const notTried = { bytes: 2 * GIB, written: null, estimate: { quota: GIB, usage: 0 }, error: quotaShortfall(2 * GIB, { quota: GIB, usage: 0 })! };
    expect(opfsFailureNote(notTried)).toBe(
      "could not cache the replica in the origin-private file system: the replica's file is 2.00 GiB and the site may store 1.00 GiB more (storage.estimate(): quota 1.00 GiB, 0 B used)",
    );
  });

  it('neither OPFS nor memory: the run is refused with both reasons and what to do', () => {
    const problem = replicaStorageProblem(stopped, 'a Blob of 1717986918 bytes read back as NotReadableError: The requested file could not be read');
    expect(problem).toMatch(/^could not cache the replica in the origin-private file system: the write stopped after 1\.38 GiB of 1\.60 GiB/);
    expect(problem).toMatch(/nor could the browser hold its 1\.60 GiB in memory \(a Blob of 1717986918 bytes read back as NotReadableError/);
    expect(problem).toMatch(/To run it, run it in a browser profile whose storage is on disk: the ondevice CLI opens one \(--browser-profile/);
  });

  it('a copy in memory the engine could not read: the cache note, the size, the error and what to do', () => {
    const note = `${opfsFailureNote(stopped)}: built in memory`;
    expect(unreadableCopyProblem(note, 1.38 * GIB, 'File read failed: NotReadableError: The requested file could not be read')).toBe(
      `${note}; then the engine could not read that in-memory copy of 1.38 GiB (File read failed: NotReadableError: The requested file could not be read): the browser did not keep all of it. To run it, run it in a browser profile whose storage is on disk: the ondevice CLI opens one (--browser-profile; a fresh off-the-record context holds OPFS in memory and stops near 1.5 GiB), or in the app clear the replica cache and other sites’ data.`,
    );
  });
});
