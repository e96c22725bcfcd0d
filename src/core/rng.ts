/** The one seeded PRNG (mulberry32): synthesized inputs, generated weights and the roofline's matmul operands. */

/** mulberry32: uniform values in [0, 1), the same sequence for the same seed on every machine and every build. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
