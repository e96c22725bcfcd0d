// The suite plans the claims need (src/claims/plan.ts): every (model, level, workload) runs once, with the prompt
// and context lengths the claims ask for, and a replica named by an alias is refused.
import { describe, expect, it } from 'vitest';
import { claimRunPlans, ggufTwins, promptOfTokens } from '../../src/claims/plan.ts';
import type { Claim } from '../../src/claims/types.ts';
import type { Dtype } from '../../src/core/vocab.ts';
import {
  ALEXNET,
  catalog,
  claims,
  DCLM,
  EFFNET,
  GOOGLENET,
  LLAMA,
  MISTRAL,
  MOBILENET,
  PHI,
  QWEN,
  R,
  RESNET,
  RESNEXT,
  SMOL135,
  SMOL360,
  VGG,
  VIT384,
} from '../fixtures/claims-records.ts';

describe('claimRunPlans', () => {
  const plans = claimRunPlans(claims, ['wasm'], catalog);
  const runs = plans.flatMap((p) =>
    (p.models as string[]).flatMap((m) =>
      (p.dtypes as Dtype[]).map(
        (d) => `${m} ${d} ${p.workload.generation?.contextLengths ? 'context' : p.workload.generation ? 'generation' : 'inference'} ${p.workload.iterations}`,
      ),
    ),
  );

  it('runs each (model, level, workload) once, however many claims need it', () => {
    expect(new Set(runs).size).toBe(runs.length);
    // googlenet fp32 inference: cnn-shrink-100x and resnet-moderate-compute both need it.
    expect(runs.filter((r) => r.startsWith(`${GOOGLENET} fp32 inference`))).toEqual([`${GOOGLENET} fp32 inference 5`]);
    // Phi-3.5-mini q4 generation (and its GGUF twin q4_0, for wllama): slm-on-phone, phi35-params and devices-run-denser.
    expect(runs.filter((r) => r.startsWith(`${PHI} `))).toEqual([`${PHI} q4 generation 1`, `${PHI} q4_0 generation 1`]);
  });

  it('plans these runs for wasm', () => {
    expect(plans.map((p) => ({ models: p.models, dtypes: p.dtypes, devices: p.devices }))).toEqual([
      { models: [VGG, ALEXNET, GOOGLENET, RESNET, RESNEXT], dtypes: ['fp32'], devices: ['wasm'] },
      { models: [MOBILENET], dtypes: ['fp32', 'q8'], devices: ['wasm'] },
      // Generation, 128-token prompt, 8 new tokens: hosting-7b-70b, small-trend, phi35-params, slm-on-phone at q4 and
      // small-100m-advantage at q8 share one workload; SmolLM2 runs at both levels. The decoders with a GGUF replica
      // builder (llama, mistral, qwen2, phi3, gemma2, gpt2) also run at the GGUF twin of each level, for wllama.
      { models: [LLAMA, MISTRAL, R('google/gemma-2-2b'), PHI, QWEN], dtypes: ['q4', 'q4_0'], devices: ['wasm'] },
      { models: [DCLM], dtypes: ['q4'], devices: ['wasm'] },
      { models: [SMOL135, SMOL360], dtypes: ['q8', 'q4', 'q8_0', 'q4_0'], devices: ['wasm'] },
      { models: [VIT384, EFFNET], dtypes: ['fp32'], devices: ['wasm'] },
      { models: [R('distilbert/distilbert-base-uncased-finetuned-sst-2-english')], dtypes: ['fp32', 'q8'], devices: ['wasm'] },
      { models: [R('dslim/bert-base-NER')], dtypes: ['fp32', 'q8'], devices: ['wasm'] },
      { models: [SMOL135, QWEN], dtypes: ['q8'], devices: ['wasm'] },
    ]);
    expect(plans.map((p) => p.workload.iterations)).toEqual([5, 5, 1, 1, 1, 1, 20, 20, 1]);
    expect(runs).toHaveLength(34);
  });

  it('gives generation runs a 128-token prompt and context runs their lengths', () => {
    const ctx = plans.find((p) => p.workload.generation?.contextLengths)!;
    expect(ctx.workload).toEqual({
      iterations: 1,
      warmup: 0,
      timeBudgetMs: 10_000,
      generation: { prompt: promptOfTokens(128), maxNewTokens: 8, contextLengths: [128, 512, 2048, 4096] },
    });
    expect(new TextEncoder().encode(promptOfTokens(128)).length).toBe(512);
    const sst = plans.find((p) => (p.models as string[]).some((m) => m.includes('sst-2')))!;
    expect(sst.workload.inputs).toEqual({ attention_mask: { shape: [1, 32], fill: 1 }, input_ids: { shape: [1, 32], fill: 1 } });
  });

  it('adds the GGUF twin of a generation level only for decoders with a GGUF replica builder, never for context sweeps', () => {
    const g = { models: [SMOL135], dtypes: ['q8', 'q4', 'fp32', 'q4f16'] as Dtype[], kind: 'generation' as const };
    expect(ggufTwins(g, SMOL135, catalog)).toEqual(['q8_0', 'q4_0', 'f32']);
    expect(ggufTwins(g, PHI, catalog)).toEqual(['q8_0', 'q4_0', 'f32']);
    expect(ggufTwins(g, DCLM, catalog)).toEqual([]);
    expect(ggufTwins({ ...g, kind: 'context' }, SMOL135, catalog)).toEqual([]);
    expect(ggufTwins(g, VGG, catalog)).toEqual([]);
  });

  it('rejects a claim that names a replica by an alias (its results would never be found)', () => {
    const aliased: Claim[] = [{ ...claims[0]!, runs: [{ ...claims[0]!.runs[0]!, models: ['replica:googlenet'] }] }];
    expect(() => claimRunPlans(aliased, ['wasm'], catalog)).toThrow(
      'Claim "cnn-shrink-100x" names "replica:googlenet": write the replica\'s catalog id, replica:torchvision/googlenet, the id its results carry.',
    );
  });
});
