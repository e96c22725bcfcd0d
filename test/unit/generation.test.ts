import { describe, expect, it } from 'vitest';
import { parseContext, parseEngines } from '../../src/cli/bench.ts';
import { engineComparison } from '../../src/core/compare.ts';
import { tokenFidelity } from '../../src/core/fidelity.ts';
import { checkGeneration, contextLengthsFor, contextPoint, generationBlock, kvCacheBytes, runContextTokens } from '../../src/core/generation.ts';
import { emptyResult, finish } from '../../src/core/result.ts';
import { RunResultSchema, type RunResult } from '../../src/core/schema.ts';
import { DEFAULT_WORKLOAD } from '../../src/core/spec.ts';
import type { Engine } from '../../src/core/vocab.ts';

const trace = (start: number, times: number[], tokens = times.map((_, i) => i + 1)) => ({ startMs: start, tokenTimesMs: times, tokens });

describe('generation figures', () => {
  it('TTFT is the median first-token delay; decode pools the intervals after the first token', () => {
    // Two generations of 4 tokens: TTFT 100 and 120 ms; decode intervals 10,10,10 and 20,20,20 ms.
    const g = generationBlock({ promptTokens: 50, newTokens: 4, traces: [trace(0, [100, 110, 120, 130]), trace(1000, [1120, 1140, 1160, 1180])] });
    expect(g.ttftMs).toBe(110);
    expect(g.prefillTokPerS).toBeCloseTo(50 / 0.11, 6);
    // 6 intervals in 90 ms.
    expect(g.decodeTokPerS).toBeCloseTo(6 / 0.09, 6);
    expect(g.tpot?.n).toBe(6);
    expect(g.tpot?.p50Ms).toBe(15);
    expect(g.generations).toBe(2);
    expect(g.tokens).toEqual([1, 2, 3, 4]);
  });
  it('one token gives a TTFT and no decode rate', () => {
    const g = generationBlock({ promptTokens: 3, newTokens: 1, traces: [trace(0, [40])] });
    expect(g.ttftMs).toBe(40);
    expect(g.decodeTokPerS).toBeNull();
    expect(g.tpot).toBeNull();
  });
  it('a context point splits prefill (first token) from decode', () => {
    const p = contextPoint({ contextTokens: 512, trace: trace(0, [300, 310, 330]), kvCacheBytes: 1024, wasmHeapBytes: 1, gpuLiveBytes: null });
    expect(p.prefillMs).toBe(300);
    expect(p.decodeTokens).toBe(2);
    expect(p.decodeTokPerS).toBeCloseTo(2 / 0.03, 6);
  });
  it('context lengths are capped so the decoded tokens still fit', () => {
    expect(contextLengthsFor([128, 512, 2048, 4096], 4096, 16)).toEqual([128, 512, 2048, 4080]);
    expect(contextLengthsFor([128, 512], 4096, 16)).toEqual([128, 512]);
    expect(contextLengthsFor([128, 8192], null, 16)).toEqual([128, 8192]);
  });
  it('KV cache bytes follow the cache shapes', () => {
    // 2 layers × (k+v) × 2 kv heads × 16 dims × 100 tokens × 4 bytes.
    expect(kvCacheBytes({ layers: 2, kvHeads: 2, headDim: 16, bytesPerElement: 4 }, 100)).toBe(2 * 2 * 2 * 16 * 100 * 4);
  });
  it('rejects workloads the model cannot take, saying what would fit', () => {
    expect(() => checkGeneration({ prompt: 'x', maxNewTokens: 0 }, 5, 100)).toThrow(/≥ 1/);
    expect(() => checkGeneration({ prompt: 'x', maxNewTokens: 10 }, 95, 100)).toThrow(/exceeds the model's context of 100 tokens.*at most 5 new tokens/);
    expect(() => checkGeneration({ prompt: '', maxNewTokens: 10 }, 0, 100)).toThrow(/empty/);
    expect(() => checkGeneration({ prompt: 'x', maxNewTokens: 10 }, 5, null)).not.toThrow();
  });
});

describe('token fidelity', () => {
  it('prefix match stops at the first divergence; agreement counts every position', () => {
    const f = tokenFidelity('ref', [1, 2, 3, 4], [1, 2, 9, 4]);
    expect(f.tokenMatch).toBe(0.5);
    expect(f.tokenAgreement).toBe(0.75);
    expect(tokenFidelity('ref', [1, 2], [1, 2]).tokenMatch).toBe(1);
    // A shorter generation diverges where it ends.
    expect(tokenFidelity('ref', [1, 2, 3, 4], [1, 2]).tokenMatch).toBe(0.5);
  });
});

function lmResult(engine: Engine, dtype: 'fp32' | 'q4', tokens: number[], decodeTokPerS: number): RunResult {
  const r = emptyResult({
    id: `${engine}-${dtype}`,
    engine,
    device: 'wasm',
    workload: DEFAULT_WORKLOAD,
    model: { id: 'tiny-llama', source: 'bundled', url: 'x', dtype, task: 'text-generation' },
  });
  r.generation = generationBlock({
    promptTokens: 4,
    newTokens: tokens.length,
    traces: [
      trace(
        0,
        tokens.map((_, i) => 10 + (i * 1000) / decodeTokPerS),
        tokens,
      ),
    ],
  });
  return finish(r, 'completed');
}

describe('engines side by side', () => {
  it('pairs ort and transformers.js runs of the same model, level and backend', () => {
    const rows = engineComparison([
      lmResult('ort', 'fp32', [5, 6, 7], 200),
      lmResult('transformers', 'fp32', [5, 6, 7], 100),
      lmResult('ort', 'q4', [1, 2], 50),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.decodeRatio).toBeCloseTo(2, 6);
    expect(rows[0]!.tokenAgreement).toBe(1);
  });
  it('records with a generation block still validate against the schema', () => {
    expect(RunResultSchema.safeParse(lmResult('ort', 'fp32', [5, 6, 7], 200)).success).toBe(true);
  });
});

describe('LM flags', () => {
  it('parses engines and context lengths', () => {
    expect(parseEngines('auto')).toBe('auto');
    expect(parseEngines('transformers,ort')).toEqual(['transformers', 'ort']);
    expect(() => parseEngines('onnx')).toThrow(/ort, transformers/);
    expect(parseContext(undefined)).toBeNull();
    expect(parseContext(true)).toEqual([128, 512, 2048, 4096]);
    expect(parseContext('64,256')).toEqual([64, 256]);
    expect(() => parseContext('64,abc')).toThrow(/whole numbers/);
  });
});

describe('runContextTokens', () => {
  it('is the prompt or the longest context point plus the new tokens, within the model', () => {
    expect(runContextTokens({ maxNewTokens: 4, contextLengths: null }, 128, 8192)).toBe(132);
    expect(runContextTokens({ maxNewTokens: 16, contextLengths: [128, 2048, 512] }, 19, null)).toBe(2064);
    expect(runContextTokens({ maxNewTokens: 32, contextLengths: [] }, 2040, 2048)).toBe(2048);
  });
});
