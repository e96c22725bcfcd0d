/** Known answers for the roofline kernels: reproducible inputs and the checks a timed result must pass. */
import { seededRandom } from '../core/rng.ts';

export const fail = (message: string, name = 'RooflineCheckError'): Error => Object.assign(new Error(message), { name });

/** Uniform values in [-0.5, 0.5) from the seeded PRNG, so the matmul inputs (and any failure) are reproducible. */
export function uniforms(count: number, seed: number): Float32Array<ArrayBuffer> {
  const rnd = seededRandom(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rnd() - 0.5;
  return out;
}

/**
 * Spot-check entries of C = A·B against float64 dot products. The tolerance scales with Σ|a·b| (what f32
 * rounding over k terms can move the sum by), so it holds at any k without letting a wrong answer through.
 */
export function checkMatmulEntries(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  n: number,
  k: number,
  cells: readonly (readonly [number, number])[],
  label: string,
): void {
  for (const [i, j] of cells) {
    let ref = 0;
    let mag = 0;
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p]! * b[p * n + j]!;
      ref += x;
      mag += Math.abs(x);
    }
    const got = c[i * n + j]!;
    if (!(Math.abs(got - ref) <= 1e-5 * mag + 1e-6)) {
      throw fail(`${label}: C[${i},${j}] = ${got}, expected ${ref} (±${(1e-5 * mag + 1e-6).toExponential(2)}): the matmul kernel computed the wrong thing.`);
    }
  }
}

/** Cells to check in an m×n result: corners, and rows on both sides of every band boundary (each thread's edges). */
export function checkCells(m: number, n: number, bands: readonly number[]): [number, number][] {
  const rows = new Set<number>([0, m - 1]);
  for (const start of bands) for (const r of [start - 1, start, start + 1]) if (r >= 0 && r < m) rows.add(r);
  const cells: [number, number][] = [];
  for (const r of rows) for (const col of [0, 1, Math.floor(n / 2) + 3, n - 1]) cells.push([r, col]);
  return cells;
}
