import { describe, expect, it } from 'vitest';
import {
  achievedGflops,
  applyModelStats,
  attentionShapeOf,
  gflopsPerS,
  lmFlopsPerToken,
  meanDecodeContext,
  shareOf,
  type ModelStats,
} from '../../src/core/flops.ts';
import { utilisationOf } from '../../src/roofline/roofline.ts';
import { buildLlama, type LlamaConfig } from '../../src/onnx/build-llama.ts';
import { decoderStepCost } from '../../src/onnx/inspect.ts';
import { decodeModel } from '../../src/onnx/model.ts';
import { formatGflops } from '../../src/text/format.ts';

// SmolLM2-135M's config.json (the fields that matter here).
const smollm2 = { num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, hidden_size: 576, vocab_size: 49152 };

describe('FLOPs per generated token', () => {
  it('reads layers, query heads and head size from a config, GPT-2 names included', () => {
    expect(attentionShapeOf(smollm2)).toEqual({ layers: 30, heads: 9, headDim: 64 });
    expect(attentionShapeOf({ n_layer: 12, n_head: 12, n_embd: 768 })).toEqual({ layers: 12, heads: 12, headDim: 64 });
    // Gemma-2 states head_dim (256), which is not hidden_size / heads (2304 / 8 = 288).
    expect(attentionShapeOf({ num_hidden_layers: 26, num_attention_heads: 8, hidden_size: 2304, head_dim: 256 })).toEqual({
      layers: 26,
      heads: 8,
      headDim: 256,
    });
    expect(attentionShapeOf({ hidden_size: 576 })).toBeNull();
  });

  it('counts attention at the mean decode context: prompt + new tokens ÷ 2', () => {
    expect(meanDecodeContext({ promptTokens: 20, newTokens: 32 })).toBe(36);
    // 269 M weight MatMul FLOPs + 4 × 30 × 9 × 64 × 36 = 2 488 320 for attention.
    expect(lmFlopsPerToken(269e6, { layers: 30, heads: 9, headDim: 64 }, 36)).toBe(269e6 + 2_488_320);
    expect(lmFlopsPerToken(269e6, null, 36)).toBe(269e6);
    expect(() => lmFlopsPerToken(-1, null, 3)).toThrow(/non-negative/);
  });

  it('a generated decoder: 2 × its weight MatMuls per token; every weight read but the embedding table, of which one row', () => {
    const c: LlamaConfig = {
      vocab_size: 64,
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      max_position_embeddings: 128,
      rms_norm_eps: 1e-6,
      rope_theta: 10000,
      tie_word_embeddings: false,
    };
    const step = decoderStepCost(decodeModel(buildLlama(c)));
    // Per layer q,o 32×32 and k,v 32×16 (3072) + SwiGLU 3 × 32×48 (4608) = 7680; × 2 layers + lm_head 32×64 = 17 408 MACs.
    expect(step.matmulFlops).toBe(2 * 17_408);
    // All weights are fp32: 78 692 bytes, less the 64×32 embedding (8192) plus its one row (128).
    expect(step.weightBytes).toBe(78_692 - 8192 + 128);
  });
});

describe('achieved GFLOP/s and shares', () => {
  const run = (flops: number | null, p50Ms: number | null, decodeTokPerS: number | null = null, lm = false) => ({
    model: { flops },
    timings: { latency: p50Ms === null ? null : { p50Ms } },
    generation: lm ? { decodeTokPerS } : null,
  });

  it('FLOPs per inference ÷ p50', () => {
    expect(gflopsPerS(2.75e6, 0.5)).toBe(5.5);
    expect(achievedGflops(run(2.75e6, 0.5))).toBe(5.5);
    expect(achievedGflops(run(null, 0.5))).toBeNull();
    expect(achievedGflops(run(2.75e6, null))).toBeNull();
  });

  it('language models: FLOPs per token × decode tokens per second', () => {
    // 271.5 MFLOP per token at 40 tok/s = 10.86 GFLOP/s.
    expect(achievedGflops(run(271.5e6, 900, 40, true))).toBeCloseTo(10.86, 12);
    expect(achievedGflops(run(271.5e6, 900, null, true))).toBeNull();
  });

  it('share of a roof, when there is one', () => {
    expect(shareOf(10.86, 54.3)).toBeCloseTo(0.2, 12);
    expect(shareOf(10.86, null)).toBeNull();
    expect(shareOf(null, 54.3)).toBeNull();
  });

  it('prints GFLOP/s with the share of the f32 matmul peak when the roofline is known', () => {
    const r = { ...run(2.75e6, 0.5), env: null } as unknown as Parameters<typeof formatGflops>[0];
    expect(formatGflops(r)).toBe('5.50 GFLOP/s');
    const roofed = { ...run(2.75e6, 0.5), env: { roofline: { gflops: 110 } } } as unknown as Parameters<typeof formatGflops>[0];
    expect(formatGflops(roofed)).toBe('5.50 GFLOP/s (5.00 % of peak)');
    expect(formatGflops({ ...run(null, 0.5), env: null } as unknown as Parameters<typeof formatGflops>[0])).toBe('—');
  });

  it('bandwidth utilisation: weight bytes read per token × decode tok/s ÷ the measured bandwidth', () => {
    // SmolLM2-135M fp32 without its embedding table: 426.7 MB per token at 25 tok/s = 10.67 GB/s of 16 GB/s.
    const base = { state: 'completed', modelBytes: 540e6, decodeTokPerS: 25, p50Ms: 1300, flops: null, isLanguageModel: true };
    const { utilisation } = utilisationOf({ ...base, weightBytesPerToken: 426.8e6 }, { bandwidthGBps: 16, gflops: 100 });
    expect(utilisation!.achieved).toBeCloseTo(10.67, 12);
    expect(utilisation!.fraction).toBeCloseTo(0.666875, 12);
    expect(utilisation!.basis).toBe('weights read per token 426.80 MB × 25.0 tok/s');
    // Older records lack the per-token bytes: the model file stands in for them.
    expect(utilisationOf(base, { bandwidthGBps: 16, gflops: 100 }).utilisation!.fraction).toBeCloseTo((540e6 * 25) / 16e9, 12);
  });
});

describe('a record filled from the counts', () => {
  const record = (over: Partial<{ source: string; flops: number | null; generation: { promptTokens: number; newTokens: number } | null }> = {}) => ({
    state: 'completed',
    model: {
      source: over.source ?? 'bundled',
      params: null as number | null,
      flops: over.flops ?? null,
      flopsBasis: null as string | null,
      weightBytesPerToken: null as number | null,
    },
    workload: { inputs: [{ name: 'x', dims: [1, 256] }] },
    generation: over.generation ?? null,
  });
  const stats = (s: Partial<ModelStats>): ModelStats => ({ params: 1_378_368, flops: null, flopsError: null, step: null, attention: null, ...s });

  it('FLOPs per inference at the run shapes, and the inspector’s parameter count', () => {
    const r = record();
    applyModelStats(r, stats({ flops: 2_752_512 }));
    expect(r.model).toMatchObject({ params: 1_378_368, flops: 2_752_512, weightBytesPerToken: null });
    expect(r.model.flopsBasis).toMatch(/^per inference at x\[1,256\], counted by the inspector/);
  });

  it('a replica keeps its builder’s counts; a failed probe says why', () => {
    const replica = record({ source: 'replica', flops: 8.2e9 });
    replica.model.params = 25_557_032;
    applyModelStats(replica, stats({ params: 1, flops: 1 }));
    expect(replica.model).toMatchObject({ params: 25_557_032, flops: 8.2e9 });
    expect(replica.model.flopsBasis).toMatch(/replica builder/);
    const failed = record();
    applyModelStats(failed, stats({ flopsError: 'the shape probe failed: boom' }));
    expect(failed.model.flops).toBeNull();
    expect(failed.model.flopsBasis).toBe('not counted: the shape probe failed: boom');
  });

  it('a language model: FLOPs per token at its mean decode context, and the bytes each token reads', () => {
    const r = record({ generation: { promptTokens: 20, newTokens: 32 } });
    applyModelStats(r, stats({ step: { matmulFlops: 269e6, weightBytes: 426.8e6 }, attention: { layers: 30, heads: 9, headDim: 64 } }));
    expect(r.model.flops).toBe(269e6 + 2_488_320);
    expect(r.model.weightBytesPerToken).toBe(426.8e6);
    expect(r.model.flopsBasis).toMatch(
      /^per generated token at the mean decode context 36 \(20-token prompt \+ 32 new ÷ 2\): weight MatMuls 269000000 \+ attention 4 × 30 layers × 9 heads × 64 × 36/,
    );
  });
});
