/** Side-by-side views over result sets: the two engines on the same language model. Pure. */
import { tokenFidelity } from './fidelity.ts';
import type { RunResult } from './schema.ts';
import type { Device, Dtype } from './vocab.ts';

export interface EngineComparison {
  model: string;
  dtype: Dtype;
  device: Device;
  ort: { ttftMs: number | null; decodeTokPerS: number | null };
  transformers: { ttftMs: number | null; decodeTokPerS: number | null };
  /** Our ORT loop's decode tok/s ÷ transformers.js's on the same model, level and backend. */
  decodeRatio: number | null;
  /** Fraction of positions where both engines chose the same greedy token; 1 means identical output. */
  tokenAgreement: number | null;
}

const key = (r: RunResult) => `${r.model.id}\u0000${r.model.dtype}\u0000${r.device}`;

/**
 * Pair each completed ORT generation with the transformers.js one of the same model, level and backend (the last
 * of each when a spec repeated). Context-length runs have no tokens to compare and are left out.
 */
export function engineComparison(results: readonly RunResult[]): EngineComparison[] {
  const pairs = new Map<string, { ort?: RunResult; transformers?: RunResult }>();
  for (const r of results) {
    if (r.state !== 'completed' || !r.generation || r.generation.contexts) continue;
    const pair = pairs.get(key(r)) ?? {};
    pair[r.engine] = r;
    pairs.set(key(r), pair);
  }
  const rows: EngineComparison[] = [];
  for (const { ort, transformers } of pairs.values()) {
    if (!ort?.generation || !transformers?.generation) continue;
    const [a, b] = [ort.generation, transformers.generation];
    rows.push({
      model: ort.model.id,
      dtype: ort.model.dtype,
      device: ort.device,
      ort: { ttftMs: a.ttftMs, decodeTokPerS: a.decodeTokPerS },
      transformers: { ttftMs: b.ttftMs, decodeTokPerS: b.decodeTokPerS },
      decodeRatio: a.decodeTokPerS && b.decodeTokPerS ? a.decodeTokPerS / b.decodeTokPerS : null,
      tokenAgreement: a.tokens.length || b.tokens.length ? tokenFidelity(ort.id, a.tokens, b.tokens).tokenAgreement : null,
    });
  }
  return rows;
}
