import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { program, type BenchOptions } from '../../src/cli/bench.ts';
import { bench } from '../../src/cli/bench.ts';
import { cacheProfileDir, makeBrowserProfile, parseBrowserProfile, profileInUse, profileLine, profilePort } from '../../src/cli/profile.ts';

describe('--browser-profile', () => {
  it('is a flag: temp by default, cache, or a folder', () => {
    const parse = (args: string[]) => program().parse(args, { from: 'user' }).opts<BenchOptions>();
    expect(parse([]).browserProfile).toBeUndefined();
    expect(parse(['--browser-profile', 'cache']).browserProfile).toBe('cache');
    expect(parseBrowserProfile(undefined)).toEqual({ dir: null, kept: false });
    expect(parseBrowserProfile('temp')).toEqual({ dir: null, kept: false });
    expect(parseBrowserProfile('cache', { XDG_CACHE_HOME: '/x/cache' }, '/home/u')).toEqual({ dir: '/x/cache/ondevice/chromium', kept: true });
    expect(parseBrowserProfile('some/dir')).toEqual({ dir: resolve('some/dir'), kept: true });
    expect(() => parseBrowserProfile(' ')).toThrow(/--browser-profile: give temp .*, cache .* or a folder/);
  });

  it('the cache folder follows XDG_CACHE_HOME when it is an absolute path, else ~/.cache', () => {
    expect(cacheProfileDir({ XDG_CACHE_HOME: '/x/cache' }, '/home/u')).toBe('/x/cache/ondevice/chromium');
    expect(cacheProfileDir({ XDG_CACHE_HOME: 'relative' }, '/home/u')).toBe('/home/u/.cache/ondevice/chromium');
    expect(cacheProfileDir({}, '/home/u')).toBe('/home/u/.cache/ondevice/chromium');
  });

  it('a kept profile gets the same port on every run (its origin, where its replicas are cached), another profile another', () => {
    const a = profilePort('/home/u/.cache/ondevice/chromium');
    expect(profilePort('/home/u/.cache/ondevice/chromium')).toBe(a);
    expect(a).toBeGreaterThanOrEqual(20000);
    expect(a).toBeLessThan(60000);
    expect(profilePort('/tmp/other')).not.toBe(a);
  });

  it('a temp profile is made fresh and removed; a kept one is made if missing and left', () => {
    const temp = makeBrowserProfile({ dir: null, kept: false });
    expect(existsSync(temp.dir)).toBe(true);
    expect(profileLine(temp)).toMatch(/^browser profile: .*ondevice-chromium-.* \(fresh, removed at exit; --browser-profile cache keeps/);
    temp.remove();
    expect(existsSync(temp.dir)).toBe(false);
    const dir = join(mkdtempSync(join(tmpdir(), 'ondevice-test-')), 'profile');
    const kept = makeBrowserProfile({ dir, kept: true });
    kept.remove();
    expect(existsSync(dir)).toBe(true);
    expect(profileLine(kept)).toBe(
      `browser profile: ${dir} (kept: replicas cached in its storage are found by the next run with it; delete the folder to free the space)`,
    );
  });

  it('a kept profile another Chromium holds is refused with its pid; a stale lock is not', () => {
    const held = mkdtempSync(join(tmpdir(), 'ondevice-test-'));
    symlinkSync(`${hostname()}-${process.pid}`, join(held, 'SingletonLock'));
    const reason = `the browser profile ${held} is in use by another Chromium (pid ${process.pid}): wait for that run, or give another folder or --browser-profile temp`;
    expect(profileInUse(held)).toBe(reason);
    expect(() => makeBrowserProfile({ dir: held, kept: true })).toThrow(reason);
    const stale = mkdtempSync(join(tmpdir(), 'ondevice-test-'));
    symlinkSync(`${hostname()}-2147483646`, join(stale, 'SingletonLock'));
    expect(profileInUse(stale)).toBeNull();
    const elsewhere = mkdtempSync(join(tmpdir(), 'ondevice-test-'));
    symlinkSync(`another-host-${process.pid}`, join(elsewhere, 'SingletonLock'));
    expect(profileInUse(elsewhere)).toBeNull();
  });

  it('is refused with remote browsers, before anything starts', async () => {
    const opts = program().parse(['--connect', 'ws://127.0.0.1:9/x', '--browser-profile', 'cache'], { from: 'user' }).opts<BenchOptions>();
    await expect(bench(opts)).rejects.toThrow("--browser-profile is for the CLI's own Chromium: a remote browser keeps its own profile.");
  });
});
