/**
 * How right a VAD pass is: frame agreement between two passes (a level against fp32), and segment precision,
 * recall and F1 against ground truth, where a match is defined by boundary tolerance.
 */
import type { Segment } from './vad-segments.ts';

/**
 * The share of frames on which two passes make the same speech/non-speech call at `threshold`. A frame count
 * mismatch is compared over the shorter pass and the extra frames count as disagreements.
 */
export function frameAgreement(a: readonly number[], b: readonly number[], threshold = 0.5): number {
  const n = Math.max(a.length, b.length);
  if (n === 0) return Number.NaN; // nothing compared is not agreement
  let same = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i]! >= threshold === b[i]! >= threshold) same++;
  return same / n;
}

/** Default boundary tolerance: the "within 100 ms". */
export const SEGMENT_TOLERANCE_MS = 100;

export interface SegmentMatch {
  expected: Segment;
  found: Segment;
  /** found − expected, in ms: negative is early. */
  onsetErrorMs: number;
  offsetErrorMs: number;
}

export interface SegmentScore {
  toleranceMs: number;
  matches: SegmentMatch[];
  precision: number;
  recall: number;
  f1: number;
}

/**
 * A found segment matches an expected one when both its onset and its offset are within `toleranceMs` of the
 * expected ones. Matching is one-to-one, closest pairs first (by the larger of the two boundary errors), so a
 * segment split in two or two merged into one count as a miss and a false alarm, as they should.
 * F1 = 2PR / (P + R); with nothing expected and nothing found it is 1, with one side empty 0.
 */
export function segmentF1(expected: readonly Segment[], found: readonly Segment[], toleranceMs = SEGMENT_TOLERANCE_MS): SegmentScore {
  const pairs: { e: number; f: number; worst: number }[] = [];
  expected.forEach((e, ei) =>
    found.forEach((f, fi) => {
      const worst = Math.max(Math.abs(f.startMs - e.startMs), Math.abs(f.endMs - e.endMs));
      if (worst <= toleranceMs) pairs.push({ e: ei, f: fi, worst });
    }),
  );
  pairs.sort((x, y) => x.worst - y.worst || x.e - y.e || x.f - y.f);
  const usedE = new Set<number>();
  const usedF = new Set<number>();
  const matches: SegmentMatch[] = [];
  for (const p of pairs) {
    if (usedE.has(p.e) || usedF.has(p.f)) continue;
    usedE.add(p.e);
    usedF.add(p.f);
    const e = expected[p.e]!;
    const f = found[p.f]!;
    matches.push({ expected: e, found: f, onsetErrorMs: f.startMs - e.startMs, offsetErrorMs: f.endMs - e.endMs });
  }
  matches.sort((x, y) => x.expected.startMs - y.expected.startMs);
  if (expected.length === 0 && found.length === 0) return { toleranceMs, matches, precision: 1, recall: 1, f1: 1 };
  const precision = found.length ? matches.length / found.length : 0;
  const recall = expected.length ? matches.length / expected.length : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { toleranceMs, matches, precision, recall, f1 };
}
