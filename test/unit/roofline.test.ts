import { describe, expect, it } from 'vitest';
import {
  bestAndMedian,
  resolveRooflineOptions,
  ridgePoint,
  rooflineCacheKey,
  rooflinePoints,
  runPoint,
  utilisationFromDecode,
  utilisationFromFlops,
  utilisationOf,
  type Roofline,
} from '../../src/roofline/roofline.ts';
import { clearRooflineCache, readCachedRoofline, writeCachedRoofline, type RooflineStorage } from '../../src/roofline/cache.ts';

// A device that streams 20 GB/s and computes 80 GFLOP/s: the ridge is at 4 FLOP/byte.
const roof = { bandwidthGBps: 20, gflops: 80 };

describe('roofline arithmetic', () => {
  it('puts the ridge point where the roofs meet', () => {
    expect(ridgePoint(roof)).toBe(4);
  });

  it('decode utilisation is bytes of weights per token × tokens/s over the bandwidth', () => {
    // 500 MB of weights per token at 10 tokens/s = 5 GB/s of 20.
    const u = utilisationFromDecode({ weightBytesPerToken: 500e6, tokensPerS: 10 }, roof);
    expect(u).toEqual({ fraction: 0.25, bound: 'memory', achieved: 5, attainable: 20, unit: 'GB/s', intensityFlopPerByte: null });
  });

  it('FLOP utilisation is FLOPs ÷ latency over the peak when the bytes are unknown', () => {
    // 2 GFLOP in 100 ms = 20 GFLOP/s of 80.
    const u = utilisationFromFlops({ flops: 2e9, latencyMs: 100 }, roof);
    expect(u).toEqual({ fraction: 0.25, bound: 'compute', achieved: 20, attainable: 80, unit: 'GFLOP/s', intensityFlopPerByte: null });
  });

  it('with the bytes known, a run below the ridge is measured against the memory roof', () => {
    // 2 GFLOP over 1 GB = 2 FLOP/byte < 4: attainable 2 × 20 = 40 GFLOP/s; 20 achieved → 0.5.
    const u = utilisationFromFlops({ flops: 2e9, latencyMs: 100, bytes: 1e9 }, roof);
    expect(u).toEqual({ fraction: 0.5, bound: 'memory', achieved: 20, attainable: 40, unit: 'GFLOP/s', intensityFlopPerByte: 2 });
    // 8 FLOP/byte > 4: the compute roof.
    expect(utilisationFromFlops({ flops: 8e9, latencyMs: 200, bytes: 1e9 }, roof)).toMatchObject({
      bound: 'compute',
      attainable: 80,
      achieved: 40,
      fraction: 0.5,
    });
  });

  it('rejects figures that cannot be a run, naming them', () => {
    expect(() => utilisationFromDecode({ weightBytesPerToken: 0, tokensPerS: 10 }, roof)).toThrow(
      /weightBytesPerToken must be a positive finite number, got 0/,
    );
    expect(() => utilisationFromFlops({ flops: 1e9, latencyMs: Number.NaN }, roof)).toThrow(/latencyMs/);
  });

  it('draws the roof as slope, ridge and flat, clipped to the range', () => {
    expect(rooflinePoints(roof, { minIntensity: 0.5, maxIntensity: 64 })).toEqual([
      { intensity: 0.5, gflops: 10 },
      { intensity: 4, gflops: 80 },
      { intensity: 64, gflops: 80 },
    ]);
    // Ridge left of the range: flat only.
    expect(rooflinePoints(roof, { minIntensity: 8, maxIntensity: 16 })).toEqual([
      { intensity: 8, gflops: 80 },
      { intensity: 16, gflops: 80 },
    ]);
    expect(() => rooflinePoints(roof, { minIntensity: 4, maxIntensity: 2 })).toThrow(/maxIntensity/);
  });

  it('places a run at its intensity and achieved GFLOP/s', () => {
    expect(runPoint({ flops: 3e9, bytes: 1.5e9, latencyMs: 50 })).toEqual({ intensity: 2, gflops: 60 });
  });

  it('best is the largest sample, median interpolates between the middle two', () => {
    expect(bestAndMedian([3, 1, 2])).toEqual({ best: 3, median: 2 });
    expect(bestAndMedian([4, 1, 3, 2])).toEqual({ best: 4, median: 2.5 });
    expect(bestAndMedian([7])).toEqual({ best: 7, median: 7 });
  });
});

describe('roofline options', () => {
  it('fills defaults: 1 GiB buffer, 1024 matmul, 5 repeats, all cores; quick shrinks only repeats and matmul', () => {
    expect(resolveRooflineOptions({ device: 'wasm' }, 2)).toEqual({
      device: 'wasm',
      threads: 2,
      bufferBytes: 2 ** 30,
      matmulSize: 1024,
      repeats: 5,
      quick: false,
      fma: true,
    });
    expect(resolveRooflineOptions({ device: 'webgpu', quick: true }, null)).toMatchObject({ threads: 1, bufferBytes: 2 ** 30, matmulSize: 512, repeats: 2 });
  });

  it('names a bad option and what would be valid', () => {
    expect(() => resolveRooflineOptions({ device: 'webnn' as never }, 2)).toThrow('Unsupported roofline device: "webnn". Should be one of: wasm, webgpu.');
    expect(() => resolveRooflineOptions({ device: 'wasm', matmulSize: 100 }, 2)).toThrow(/multiple of 64/);
    expect(() => resolveRooflineOptions({ device: 'wasm', bufferBytes: 1000 }, 2)).toThrow(/multiple of 65536/);
    expect(() => resolveRooflineOptions({ device: 'wasm', threads: 0 }, 2)).toThrow(/threads must be a positive integer, got 0/);
  });
});

describe('roofline cache', () => {
  const memoryStorage = (): RooflineStorage & { map: Map<string, string> } => {
    const map = new Map<string, string>();
    return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
  };
  const measured = (over: Partial<Roofline>): Roofline => ({
    device: 'wasm',
    bandwidthGBps: 20,
    bandwidthMedianGBps: 19,
    bandwidthBufferBytes: 2 ** 30,
    gflops: 80,
    gflopsMedian: 70,
    matmulSize: 1024,
    threads: 2,
    repeats: 5,
    method: { timing: 'performance.now', bandwidth: 'b', compute: 'c' },
    userAgent: 'UA',
    adapter: '2 logical cores',
    measuredAt: '2026-11-23T00:00:00.000Z',
    notes: [],
    ...over,
  });

  it('keeps the last measurement per device, browser, adapter and thread count', () => {
    const storage = memoryStorage();
    writeCachedRoofline(measured({}), storage);
    writeCachedRoofline(measured({ threads: 1, bandwidthGBps: 12 }), storage);
    writeCachedRoofline(measured({ bandwidthGBps: 22 }), storage);
    expect(readCachedRoofline({ device: 'wasm', userAgent: 'UA', adapter: '2 logical cores', threads: 2 }, storage)?.bandwidthGBps).toBe(22);
    expect(readCachedRoofline({ device: 'wasm', userAgent: 'UA', adapter: '2 logical cores', threads: 1 }, storage)?.bandwidthGBps).toBe(12);
    expect(readCachedRoofline({ device: 'wasm', userAgent: 'other', adapter: '2 logical cores', threads: 2 }, storage)).toBeNull();
    expect(readCachedRoofline({ device: 'webgpu', userAgent: 'UA', adapter: '2 logical cores', threads: 2 }, storage)).toBeNull();
    clearRooflineCache(storage);
    expect(storage.map.size).toBe(0);
  });

  it('treats a corrupt entry as a miss', () => {
    const storage = memoryStorage();
    storage.setItem('ondevice.roofline/1', '{not json');
    expect(readCachedRoofline({ device: 'wasm', userAgent: 'UA', adapter: 'x', threads: 2 }, storage)).toBeNull();
    writeCachedRoofline(measured({ adapter: 'x' }), storage);
    expect(readCachedRoofline({ device: 'wasm', userAgent: 'UA', adapter: 'x', threads: 2 }, storage)?.gflops).toBe(80);
  });

  it('keys on every identity field', () => {
    const base = { device: 'webgpu', userAgent: 'UA', adapter: 'google / swiftshader / ?', threads: null } as const;
    expect(rooflineCacheKey(base)).toBe('["webgpu","UA","google / swiftshader / ?",null]');
  });
});

describe('utilisationOf (a run against its roofline)', () => {
  const roof = { bandwidthGBps: 10, gflops: 50 };
  const base = { state: 'completed', modelBytes: 1e6, decodeTokPerS: null, p50Ms: null, flops: null, isLanguageModel: false };
  it('LM decode: model bytes × tokens/s against the bandwidth', () => {
    const { utilisation } = utilisationOf({ ...base, isLanguageModel: true, decodeTokPerS: 1000 }, roof);
    // 1 MB × 1000 tok/s = 1 GB/s of 10 GB/s.
    expect(utilisation!.fraction).toBeCloseTo(0.1, 9);
    expect(utilisation!.bound).toBe('memory');
    expect(utilisation!.basis).toMatch(/1\.00 MB × 1000\.0 tok\/s/);
  });
  it('other runs: FLOPs at p50 against the roof at their intensity', () => {
    // 100 MFLOP in 10 ms = 10 GFLOP/s; intensity 100 FLOP/byte is past the ridge (5): compute roof 50.
    const { utilisation } = utilisationOf({ ...base, flops: 1e8, p50Ms: 10 }, roof);
    expect(utilisation!.fraction).toBeCloseTo(0.2, 9);
    expect(utilisation!.bound).toBe('compute');
  });
  it('says why when it cannot tell', () => {
    expect(utilisationOf({ ...base, state: 'errored' }, roof).reason).toMatch(/errored/);
    expect(utilisationOf({ ...base, p50Ms: 3 }, roof).reason).toMatch(/FLOPs per inference unknown/);
    expect(utilisationOf({ ...base, isLanguageModel: true }, roof).reason).toMatch(/decode rate/);
  });
});
