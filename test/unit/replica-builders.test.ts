// Every catalog replica at full size — graphs only, no weight bytes — against its published parameter count and,
// where published, its multiply-accumulates (torchvision's "GFLOPS" labels count MACs); and the config errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDecoderConfig } from '../../src/core/arch/decoder.ts';
import type { Catalog } from '../../src/core/catalog.ts';
import { buildReplicaGraph, replicaAtLevel } from '../../src/onnx/replica.ts';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const buildable = (catalog.replicas ?? []).filter((r) => !r.unbuildable);

/**
 * dslim/bert-base-NER's "110M" is BERT-base's rounded figure; the NER model has the cased vocabulary (28,996
 * tokens, not 30,522) and no pooler, so its own graph has 107.7M parameters (−2.1 %).
 */
const TOLERANCE: Record<string, number> = { 'dslim/bert-base-NER': 0.025 };

describe('full-size replicas', () => {
  const entry = (id: string) => buildable.find((r) => r.id === id)!;
  it.each(buildable.filter((r) => r.paramsPublished).map((r) => r.id))('%s: parameters within 2 %% of the published count', (id) => {
    const e = entry(id);
    const t0 = performance.now();
    const built = replicaAtLevel({ kind: e.kind, config: e.config }, 'fp32', id);
    expect(Math.abs(built.params / e.paramsPublished! - 1)).toBeLessThan(TOLERANCE[id] ?? 0.02);
    // No weight bytes exist: a 8 B-parameter graph is built in well under a second of objects.
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it.each(buildable.filter((r) => r.flopsPublished).map((r) => r.id))('%s: multiply-accumulates within 1 %% of the published figure', (id) => {
    const e = entry(id);
    const f = e.flopsPublished!;
    const published = f.value * (/^G/.test(f.unit) ? 1e9 : 1e6);
    const macs = buildReplicaGraph({ kind: e.kind, config: e.config }, id).macs!;
    expect(Math.abs(macs / published - 1)).toBeLessThan(0.01);
  });

  it('q4 Phi-3.5-mini weighs about 0.64 bytes per quantized parameter, without allocating them', () => {
    const phi = buildable.find((r) => r.id === 'microsoft/Phi-3.5-mini-instruct')!;
    const q4 = replicaAtLevel({ kind: 'decoder', config: phi.config }, 'q4', phi.id);
    // 3.72 G quantized weights × (½ B code + 4 B fp32 scale / 32 + ½ B zero point / 32) = 2.39 GB, plus the fp32
    // embedding table (98.5 M × 4 B = 0.39 GB): 2.59 GiB.
    expect(q4.weightBytes / 2 ** 30).toBeGreaterThan(2.5);
    expect(q4.weightBytes / 2 ** 30).toBeLessThan(2.7);
    expect(q4.graph.lm).toMatchObject({ layers: 32, kvHeads: 32, headDim: 96, vocab: 32064 });
  });
});

describe('config errors name what is wrong', () => {
  const smol = buildable.find((r) => r.id === 'HuggingFaceTB/SmolLM2-135M')!.config;
  it('an unknown model_type lists the known ones', () => {
    expect(() => parseDecoderConfig({ ...smol, model_type: 'mamba' }, 'm')).toThrow(
      /model_type "mamba"; known decoder types: llama, mistral, qwen2, phi3, gemma2, gpt2/,
    );
  });
  it('a missing field is named', () => {
    const { num_attention_heads: _n, ...missing } = smol;
    expect(() => parseDecoderConfig(missing, 'SmolLM2')).toThrow(/SmolLM2: config field "num_attention_heads" is missing/);
  });
  it('an unknown image architecture and a bad ViT size', () => {
    expect(() => buildReplicaGraph({ kind: 'vision', config: { arch: 'efficientnet' } }, 'e')).toThrow(
      /image architecture "efficientnet"; known: mobilenet_v2/,
    );
    expect(() =>
      buildReplicaGraph(
        { kind: 'vision', config: { arch: 'vit', patch_size: 16, hidden_dim: 64, num_layers: 1, num_heads: 4, mlp_dim: 64, image_size: 100 } },
        'v',
      ),
    ).toThrow(/multiple of patch_size/);
  });
});
