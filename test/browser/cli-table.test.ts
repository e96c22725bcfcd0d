// One real run through the `ondevice` command (its own headless Chromium, the built app): the default table fits a
// 120-column terminal, the summary counts "1 run", a piped stderr gets no progress bars, and the Setup lines name
// the fresh browser profile the run had, gone once it ended.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('ondevice, one run', () => {
  it('prints a table that fits 120 columns', () => {
    const args = ['--model', 'mlp-1m', '--device', 'wasm', '--iterations', '2', '--warmup', '1', '--warmup-cap', '0', '--threads', '1'];
    const p = spawnSync(process.execPath, ['bin/ondevice.js', ...args], { encoding: 'utf8', timeout: 120_000 });
    expect(p.stderr).not.toMatch(/[█░]/);
    expect(p.status).toBe(0);
    const lines = p.stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(120);
    expect(p.stdout).toMatch(/^model\s+level\s+backend\s+load\s+first\s+p50\s+p90\s+n\s+size\s+WASM heap/m);
    expect(p.stdout).toMatch(/^mlp-1m\s+fp32\s+wasm\s+[\d.]+ m?s/m);
    expect(lines.at(-1)).toBe('1 run: 1 completed');
    const profile = /browser profile: (\S+) \(fresh,\s+removed\s+at\s+exit;/.exec(p.stdout)?.[1];
    expect(profile).toMatch(/ondevice-chromium-/);
    expect(existsSync(profile!)).toBe(false);
  });
});
