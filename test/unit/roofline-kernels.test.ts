// The roofline's WASM kernels, emitted from TypeScript, run in Node's V8 and checked against known answers.
import { describe, expect, it } from 'vitest';
import { checkCells, checkMatmulEntries, uniforms } from '../../src/roofline/check.ts';
import { byteSlices, rowBands } from '../../src/roofline/measure.ts';
import {
  expectedIndexSum,
  fillWithIndices,
  instantiateRoofline,
  packB,
  READ_STEP_BYTES,
  relaxedSimdSupported,
  rooflineModuleBytes,
  scalarMatmul,
} from '../../src/roofline/wasm-kernels.ts';

const sharedMemory = (pages: number) => new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });

describe('wasm roofline module', () => {
  it('is valid WebAssembly with SIMD and a shared memory import', () => {
    const bytes = rooflineModuleBytes({ n: 64, k: 64, mr: 4, nr: 8, fma: false });
    expect(WebAssembly.validate(bytes)).toBe(true);
    const module = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(['read_sum', 'matmul']);
  });

  it('read_sum returns the wrapping u32 sum of exactly the bytes in [start, end)', () => {
    const memory = sharedMemory(4);
    const kernels = instantiateRoofline(new WebAssembly.Module(rooflineModuleBytes({ n: 8, k: 1, mr: 4, nr: 8, fma: false })), memory);
    const words = new Uint32Array(memory.buffer);
    for (let i = 0; i < words.length; i++) words[i] = Math.imul(i + 1, 2654435761) >>> 0;
    for (const [start, end] of [
      [0, READ_STEP_BYTES],
      [READ_STEP_BYTES * 5, READ_STEP_BYTES * 77],
      [0, memory.buffer.byteLength],
    ] as const) {
      let expected = 0;
      for (let i = start / 4; i < end / 4; i++) expected = (expected + words[i]!) | 0;
      expect(kernels.read_sum(start, end)).toBe(expected);
    }
    // The bandwidth buffer's fill (word i holds i) and its closed-form sums.
    fillWithIndices(memory.buffer);
    expect(kernels.read_sum(0, 2 ** 18)).toBe(expectedIndexSum(0, 2 ** 18));
    expect(kernels.read_sum(1024, 3072)).toBe(expectedIndexSum(1024, 3072));
    // Σ 256..767 = 261888; Σ 0..2²⁸−1 = 2²⁷·(2²⁸−1) ≡ −2²⁷ (mod 2³², as i32).
    expect(expectedIndexSum(1024, 3072)).toBe(261888);
    expect(expectedIndexSum(0, 2 ** 30)).toBe(-(2 ** 27));
  });

  it.each([
    [4, 8, 8, 16, 13],
    [8, 8, 12, 24, 5],
    [6, 16, 12, 32, 1],
  ] as const)('matmul with a %i×%i register block equals the scalar reference (m=%i n=%i k=%i)', (mr, nr, m, n, k) => {
    const memory = sharedMemory(8);
    const kernels = instantiateRoofline(new WebAssembly.Module(rooflineModuleBytes({ n, k, mr, nr, fma: false })), memory);
    const a = uniforms(m * k, 11);
    const b = uniforms(k * n, 12);
    const floats = new Float32Array(memory.buffer);
    floats.set(a, 0);
    floats.set(packB(b, n, k, nr), 4096);
    kernels.matmul(0, 4096 * 4, 8192 * 4, m);
    const c = floats.slice(8192, 8192 + m * n);
    const ref = scalarMatmul(a, b, m, n, k);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(c[i]! - ref[i]!)).toBeLessThan(1e-5);
    // A row band (what one thread computes) writes only its own rows.
    floats.fill(0, 8192, 8192 + m * n);
    kernels.matmul(mr * k * 4, 4096 * 4, (8192 + mr * n) * 4, mr);
    expect(floats.slice(8192, 8192 + mr * n).every((x) => x === 0)).toBe(true);
    expect(Math.abs(floats[8192 + mr * n]! - ref[mr * n]!)).toBeLessThan(1e-5);
  });

  it('emits relaxed-SIMD madd only where the engine validates it', () => {
    const bytes = rooflineModuleBytes({ n: 8, k: 1, mr: 1, nr: 8, fma: true });
    expect(WebAssembly.validate(bytes)).toBe(relaxedSimdSupported());
  });

  it('packs B into nr-column panels', () => {
    // 2×4 B, nr = 2: panel 0 = columns 0–1 for rows 0,1; panel 1 = columns 2–3.
    expect([...packB(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 4, 2, 2)]).toEqual([0, 1, 4, 5, 2, 3, 6, 7]);
    expect(() => rooflineModuleBytes({ n: 12, k: 4, mr: 4, nr: 8, fma: false })).toThrow(/multiple of nr/);
  });
});

describe('roofline work split and checks', () => {
  it('splits bytes over threads in whole read steps, covering the buffer once', () => {
    const slices = byteSlices(2 ** 20, 3);
    expect(slices[0]!.start).toBe(0);
    expect(slices.at(-1)!.end).toBe(2 ** 20);
    for (let i = 1; i < slices.length; i++) expect(slices[i]!.start).toBe(slices[i - 1]!.end);
    for (const s of slices) expect((s.end - s.start) % READ_STEP_BYTES).toBe(0);
  });

  it('splits rows over threads in whole register blocks', () => {
    expect(rowBands(1024, 4, 2)).toEqual([
      { start: 0, rows: 512 },
      { start: 512, rows: 512 },
    ]);
    expect(rowBands(24, 4, 4)).toEqual([
      { start: 0, rows: 8 },
      { start: 8, rows: 8 },
      { start: 16, rows: 8 },
    ]);
  });

  it('the spot check catches a wrong entry and passes a right one', () => {
    const [n, k] = [8, 16];
    const a = uniforms(n * k, 1);
    const b = uniforms(k * n, 2);
    const c = scalarMatmul(a, b, n, n, k);
    const cells = checkCells(n, n, [4]);
    expect(cells).toContainEqual([3, 0]);
    expect(() => checkMatmulEntries(a, b, c, n, k, cells, 'ok')).not.toThrow();
    c[4 * n + n - 1] = c[4 * n + n - 1]! + 0.01;
    expect(() => checkMatmulEntries(a, b, c, n, k, cells, 'bad')).toThrow(/bad: C\[4,7\]/);
  });
});
