/** Character error rate: Levenshtein distance over Unicode code points ÷ the reference's length. */

/** Edit distance (insertions, deletions, substitutions, each 1) between two strings, by code point. */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  if (x.length === 0) return y.length;
  if (y.length === 0) return x.length;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length]!;
}

/**
 * Whitespace (spaces, line breaks) is left out before comparing, as PaddleOCR's own recognition metric does
 * (RecMetric's ignore_space, on by default): its Chinese recognizer often merges the spaces between English words,
 * and line breaks only say where its boxes were.
 */
export const normalizeText = (s: string): string => s.replace(/\s+/g, '');

/**
 * CER of `hypothesis` against `reference` after normalizeText: edits ÷ the reference's code points. An empty
 * reference gives 0 when the hypothesis is empty too, else 1 (everything said was wrong).
 */
export function cer(reference: string, hypothesis: string): number {
  const ref = normalizeText(reference);
  const hyp = normalizeText(hypothesis);
  const n = [...ref].length;
  if (n === 0) return hyp.length === 0 ? 0 : 1;
  return editDistance(ref, hyp) / n;
}
