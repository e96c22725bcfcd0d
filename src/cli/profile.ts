/**
 * The Chromium profile the CLI's own browser runs in. A fresh off-the-record context (`browser.newContext()`) keeps
 * the site's storage and Blobs in memory: measured here (bench/opfs-quota.ts) its origin-private file system refuses
 * writes past ~1.5 GiB while storage.estimate() reports 10 GiB, and a 2 GiB Blob reads back as NotReadableError. A
 * user's browser has a profile on disk; so does the CLI's, by default a fresh one in the temp folder, removed at exit
 * (nothing carries over between runs, as before). `--browser-profile cache` or a folder keeps it: replicas built
 * once stay in its OPFS for the next run, at the cost of their disk space (a 2B model at q4_0 is 1.5 GiB).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { homedir, hostname, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InvalidInputError } from '../core/vocab.ts';

export interface BrowserProfile {
  dir: string;
  /** Kept after the run (cache or a folder given), or removed at exit (temp). */
  kept: boolean;
}

/** The cache folder's profile: $XDG_CACHE_HOME/ondevice/chromium, else ~/.cache/ondevice/chromium. */
export function cacheProfileDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, '.cache');
  return join(base, 'ondevice', 'chromium');
}

/** `--browser-profile temp|cache|DIR`, checked (no folder is made): where the profile lives and whether it is kept. */
export function parseBrowserProfile(value: string | undefined, env: NodeJS.ProcessEnv = process.env, home = homedir()): { dir: string | null; kept: boolean } {
  const v = (value ?? 'temp').trim();
  if (v === 'temp') return { dir: null, kept: false };
  if (v === 'cache') return { dir: cacheProfileDir(env, home), kept: true };
  if (!v)
    throw new InvalidInputError('--browser-profile: give temp (a fresh profile removed at exit), cache (kept in ~/.cache/ondevice/chromium) or a folder.');
  return { dir: resolve(v), kept: true };
}

/**
 * The app server's port for a kept profile: the same on every run with that profile, so the app keeps its origin and
 * finds the replicas it cached there (OPFS is per origin; a new port each run would miss them and leave them behind).
 * Derived from the folder so that two profiles do not share one port. Range 20000–59999.
 */
export function profilePort(dir: string): number {
  return 20000 + (createHash('sha256').update(dir).digest().readUInt32BE(0) % 40000);
}

/**
 * Why a kept profile cannot be opened now: Chromium on Linux marks a profile in use with a `SingletonLock` link to
 * HOST-PID, and a second Chromium on it hands over to the first and exits. Null when it is free (no lock, another
 * host's, or a process that is gone).
 */
export function profileInUse(dir: string): string | null {
  let target: string;
  try {
    target = readlinkSync(join(dir, 'SingletonLock'));
  } catch {
    return null;
  }
  const m = /^(.*)-(\d+)$/.exec(target);
  if (!m || m[1] !== hostname()) return null;
  try {
    process.kill(Number(m[2]), 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return null;
  }
  return `the browser profile ${dir} is in use by another Chromium (pid ${m[2]}): wait for that run, or give another folder or --browser-profile temp`;
}

/** Make the profile's folder: a fresh temp one, removed at close or when the process exits; a kept one, created if missing. */
export function makeBrowserProfile(choice: { dir: string | null; kept: boolean }): BrowserProfile & { remove(): void } {
  if (choice.dir === null) {
    const dir = mkdtempSync(join(tmpdir(), 'ondevice-chromium-'));
    const remove = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', remove);
    return {
      dir,
      kept: false,
      remove() {
        process.removeListener('exit', remove);
        remove();
      },
    };
  }
  const busy = profileInUse(choice.dir);
  if (busy) throw new InvalidInputError(busy);
  mkdirSync(choice.dir, { recursive: true });
  return { dir: choice.dir, kept: true, remove: () => undefined };
}

/** The Setup line: where the profile is and what happens to it. */
export function profileLine(profile: BrowserProfile): string {
  return profile.kept
    ? `browser profile: ${profile.dir} (kept: replicas cached in its storage are found by the next run with it; delete the folder to free the space)`
    : `browser profile: ${profile.dir} (fresh, removed at exit; --browser-profile cache keeps built replicas between runs)`;
}
