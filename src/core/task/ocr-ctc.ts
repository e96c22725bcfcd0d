/**
 * CTC greedy decoding of PP-OCR recognition output: per time step the most likely class, repeats merged, blanks
 * dropped. The character list is PaddleOCR's: the blank at 0, the keys file's lines, then a space appended
 * (use_space_char), so ppocr_keys_v1.txt's 6623 lines make the 6625 classes the v4 model outputs.
 */

/** The class list from the keys file's text: blank (''), one key per line, space. */
export function ctcCharset(keysText: string): string[] {
  const lines = keysText.replace(/\r/g, '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return ['', ...lines, ' '];
}

export interface CtcLine {
  text: string;
  /** Mean probability of the kept characters (0 when none were kept). */
  score: number;
}

/**
 * Greedy decode of one sequence: `probs` row-major [steps × classes]. Throws when the classes do not match the
 * charset (a keys file for another model).
 */
export function ctcGreedyDecode(probs: ArrayLike<number>, steps: number, classes: number, charset: readonly string[]): CtcLine {
  if (classes !== charset.length)
    throw new Error(
      `The recognition model outputs ${classes} classes and the keys give ${charset.length} (blank + keys + space): they do not belong together.`,
    );
  if (probs.length < steps * classes) throw new Error(`CTC output holds ${probs.length} values, fewer than ${steps} steps × ${classes} classes.`);
  let text = '';
  let sum = 0;
  let kept = 0;
  let last = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestP = -Infinity;
    const base = t * classes;
    for (let c = 0; c < classes; c++) {
      const p = probs[base + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== last) {
      text += charset[best];
      sum += bestP;
      kept++;
    }
    last = best;
  }
  return { text, score: kept ? sum / kept : 0 };
}
