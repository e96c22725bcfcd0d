// Devices (src/core/machine.ts): one identity per browser, system and WebGPU adapter, read from the recorded
// environment, and results grouped by it (as judge.ts groups verdicts per device).
import { describe, expect, it } from 'vitest';
import { deviceIdentity, groupByDevice } from '../../src/core/machine.ts';
import { EFFNET, ENV, failedRun, GOOGLENET, replicaRun } from '../fixtures/claims-records.ts';

describe('device identity', () => {
  it('same environment, same key; another WebGPU adapter, another key', () => {
    const a = deviceIdentity(ENV);
    expect(deviceIdentity(structuredClone(ENV))).toEqual(a);
    expect(a.key).toBe('Chromium (headless) 131.0.6778.33|Linux x86_64|cores=2|mem=8|webgpu=google/swiftshader');
    expect(a.label).toBe('Chromium (headless) 131 · Linux x86_64 · 2 cores · 8 GiB · WebGPU google/swiftshader');
    const gpu = deviceIdentity({ ...ENV, webgpu: { ...ENV.webgpu!, vendor: 'nvidia', architecture: 'hopper' } });
    expect(gpu.key).not.toBe(a.key);
    expect(gpu.label).toBe('Chromium (headless) 131 · Linux x86_64 · 2 cores · 8 GiB · WebGPU nvidia/hopper');
    expect(deviceIdentity({ ...ENV, webgpu: null }).label).toMatch(/ · no WebGPU$/);
    expect(deviceIdentity(null).key).toBe('unknown');
  });

  it('reads common browsers and systems from the user agent', () => {
    const ua = (userAgent: string) =>
      deviceIdentity({ ...ENV, userAgent })
        .label.split(' · ')
        .slice(0, 2)
        .join(' · ');
    expect(ua('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15')).toBe(
      'Safari 17 · macOS 10.15.7',
    );
    expect(ua('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86')).toBe(
      'Edge 131 · Windows NT 10.0',
    );
    expect(ua('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36')).toBe(
      'Chrome 131 · Android 14',
    );
  });

  it('groups results by device; a result decided before running joins its suite’s device', () => {
    const here = replicaRun(GOOGLENET, 'fp32', 'wasm', { p50: 58 });
    const decided = failedRun(EFFNET, 'fp32', 'wasm', 'cannot be built');
    decided.env = null;
    const there = replicaRun(GOOGLENET, 'fp32', 'webgpu', { p50: 7 }, 'suite-2');
    there.env = { ...ENV, webgpu: { ...ENV.webgpu!, vendor: 'nvidia', architecture: 'hopper' } };
    const lost = { ...decided, id: 'lost', suiteId: null };
    const groups = groupByDevice([decided, here, there, lost]);
    expect([...groups.values()].map((g) => [g.identity.label.split(' · ').pop(), g.results.map((r) => r.id)])).toEqual([
      ['WebGPU google/swiftshader', [decided.id, here.id]],
      ['WebGPU nvidia/hopper', [there.id]],
      ['unknown device (the run recorded no environment)', ['lost']],
    ]);
  });
});
