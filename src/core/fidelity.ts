/** How far one run's outputs drift from a reference run's: max |Δ|, cosine similarity, top-1 agreement. */
import type { OutputRecord } from './schema.ts';

export interface OutputComparison {
  name: string;
  maxAbsDiff: number;
  /** Null when the reference is ≈ 0 everywhere (|x| < 1e-3): the angle between two near-zero vectors is noise. */
  cosine: number | null;
  /**
   * Share of rows whose argmax agrees, for classifier-like outputs: rank 2 ([batch, classes]) or rank 3
   * ([batch, steps, classes]); null otherwise (images, scalars).
   */
  top1Agreement: number | null;
}

/** Below this, a reference output is treated as all zeros (a detector's map on noise, say). */
const NEAR_ZERO = 1e-3;

function argmax(values: readonly number[], start: number, length: number): number {
  let best = start;
  for (let i = start + 1; i < start + length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best - start;
}

/** Compare outputs by name; shapes must match, and only the values both records kept are compared. */
export function compareOutputs(reference: readonly OutputRecord[], candidate: readonly OutputRecord[]): OutputComparison[] {
  return reference.map((ref) => {
    const cand = candidate.find((c) => c.name === ref.name);
    if (!cand) throw new Error(`output "${ref.name}" is missing from the compared run (it has: ${candidate.map((c) => c.name).join(', ')})`);
    if (ref.dims.join(',') !== cand.dims.join(',')) throw new Error(`output "${ref.name}" has shape [${cand.dims}] but the reference has [${ref.dims}]`);
    const n = Math.min(ref.values.length, cand.values.length);
    let maxAbsDiff = 0;
    let maxRef = 0;
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < n; i++) {
      const a = ref.values[i] as number;
      const b = cand.values[i] as number;
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a - b));
      maxRef = Math.max(maxRef, Math.abs(a));
      dot += a * b;
      na += a * a;
      nb += b * b;
    }
    const cosine = maxRef < NEAR_ZERO ? null : nb === 0 ? 0 : dot / Math.sqrt(na * nb);
    const classes = ref.dims.at(-1) ?? 1;
    let top1Agreement: number | null = null;
    if (classes > 1 && (ref.dims.length === 2 || ref.dims.length === 3)) {
      const rows = Math.floor(n / classes);
      let agree = 0;
      for (let r = 0; r < rows; r++) if (argmax(ref.values, r * classes, classes) === argmax(cand.values, r * classes, classes)) agree += 1;
      top1Agreement = rows > 0 ? agree / rows : null;
    }
    return { name: ref.name, maxAbsDiff, cosine, top1Agreement };
  });
}

/** The record's fidelity block: the worst figure over all outputs, against the fp32 run `referenceId`. */
export function fidelityBlock(referenceId: string, reference: readonly OutputRecord[], candidate: readonly OutputRecord[]) {
  const all = compareOutputs(reference, candidate);
  const top1 = all.map((c) => c.top1Agreement).filter((x): x is number => x !== null);
  return {
    reference: referenceId,
    maxAbsDiff: Math.max(...all.map((c) => c.maxAbsDiff)),
    cosine: all.some((c) => c.cosine !== null) ? Math.min(...all.flatMap((c) => (c.cosine === null ? [] : [c.cosine]))) : null,
    top1Agreement: top1.length ? Math.min(...top1) : null,
    tokenMatch: null,
    tokenAgreement: null,
  };
}

/**
 * Greedy tokens of a level (or another engine) against the reference's, on the same prompt: `tokenMatch` is the
 * fraction of positions before the first divergence (after it, the contexts differ and later tokens say little),
 * `tokenAgreement` the fraction of equal positions overall. Lengths differ → the shorter one counts as diverging.
 */
export function tokenFidelity(referenceId: string, reference: readonly number[], candidate: readonly number[]) {
  const n = Math.max(reference.length, candidate.length);
  if (n === 0) throw new RangeError('token fidelity needs at least one generated token');
  let prefix = 0;
  while (prefix < n && reference[prefix] !== undefined && reference[prefix] === candidate[prefix]) prefix += 1;
  let same = 0;
  for (let i = 0; i < n; i++) if (reference[i] !== undefined && reference[i] === candidate[i]) same += 1;
  return { reference: referenceId, maxAbsDiff: null, cosine: null, top1Agreement: null, tokenMatch: prefix / n, tokenAgreement: same / n };
}
