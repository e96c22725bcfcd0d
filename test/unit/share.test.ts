import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.ts';
import { DEFAULT_CONFIG, planOf, presetConfig, type RunConfig } from '../../src/ui/model/run-config.ts';
import { linkRewrites, parseShare, shareQuery } from '../../src/ui/model/share.ts';

const catalog: Catalog = {
  models: [
    {
      id: 'mlp-1m',
      name: 'MLP',
      task: 'feature-extraction',
      from: { package: 'p', path: 'a.onnx' },
      license: 'MIT',
      homepage: '',
      levels: ['fp32', 'q8'],
      params: 10,
      inputs: {},
    },
    {
      id: 'tiny-llama',
      name: 'Llama',
      task: 'text-generation',
      from: { package: 'p', path: 'b.onnx' },
      license: 'MIT',
      homepage: '',
      levels: ['fp32'],
      params: null,
      inputs: {},
    },
  ],
  replicas: [
    {
      id: 'openai-community/gpt2',
      aliases: ['gpt2'],
      family: 'GPT-2',
      kind: 'decoder',
      task: 'text-generation',
      paramsPublished: 124e6,
      releaseDate: '2019-02-14',
      flopsPublished: null,
      levels: ['fp32', 'q4'],
      config: {},
      sources: [],
      notes: null,
    },
  ],
};

const config: RunConfig = {
  models: ['mlp-1m', 'replica:gpt2', 'hub:Xenova/gpt2'],
  dtypes: ['fp32', 'q4'],
  devices: ['wasm'],
  engines: ['ort'],
  iterations: 2,
  warmup: 1,
  threads: 4,
  timeBudgetMs: null,
};

describe('shareQuery / parseShare', () => {
  it('writes a readable query', () => {
    expect(shareQuery(config, { autorun: true })).toBe(
      '?models=mlp-1m,replica:gpt2,hub:Xenova/gpt2&dtypes=fp32,q4&devices=wasm&engines=ort&iterations=2&warmup=1&threads=4&budget=none&autorun=1',
    );
  });
  it('round-trips a configuration, with and without the optional fields', () => {
    expect(parseShare(shareQuery(config), catalog)).toEqual({ config, autorun: false, problems: [] });
    const defaults = { ...DEFAULT_CONFIG, models: ['tiny-llama'] };
    expect(parseShare(shareQuery(defaults), catalog)).toEqual({ config: defaults, autorun: false, problems: [] });
    expect(parseShare('?models=mlp-1m&dtypes=shipped&engines=auto&autorun=1', catalog)).toEqual({
      config: { models: ['mlp-1m'], dtypes: 'shipped', engines: 'auto' },
      autorun: true,
      problems: [],
    });
  });
  it('carries the per-operator profile as profile=1 (written only when on), and names a bad value', () => {
    const profiled = { ...config, profile: true };
    expect(shareQuery(profiled)).toBe(
      '?models=mlp-1m,replica:gpt2,hub:Xenova/gpt2&dtypes=fp32,q4&devices=wasm&engines=ort&iterations=2&warmup=1&threads=4&budget=none&profile=1',
    );
    expect(parseShare(shareQuery(profiled), catalog)).toEqual({ config: profiled, autorun: false, problems: [] });
    expect(parseShare('?models=mlp-1m&profile=0', catalog).config).toEqual({ models: ['mlp-1m'], profile: false });
    expect(parseShare('?models=mlp-1m&profile=yes', catalog).problems).toEqual([
      'Bad profile= "yes" in the link. Should be 1 (profile one more iteration per run) or 0.',
    ]);
    expect(planOf(profiled).workload.profile).toBe(true);
    expect(planOf(config).workload.profile).toBeUndefined();
  });
  it('names an unknown level and the valid ones, and still applies the rest', () => {
    const parsed = parseShare('?models=mlp-1m&dtypes=fp32,q3&devices=wasm&iterations=7', catalog);
    expect(parsed.config).toEqual({ models: ['mlp-1m'], dtypes: ['fp32'], devices: ['wasm'], iterations: 7 });
    expect(parsed.problems).toEqual([
      'Unknown level "q3" in the link (dtypes=). Should be one of: fp32, fp16, q8, int8, uint8, q4, q4dq, q4f16, bnb4, f32, f16, q8_0, q4_0, q4_k_m, shipped.',
    ]);
  });
  it('reports bad models, backends, numbers and parameters one message each', () => {
    const parsed = parseShare('?models=mlp-1m,nope,replica:nothing&devices=wasm,cuda&iterations=0&warmup=x&threads=2.5&budget=-1&colour=red', catalog);
    expect(parsed.config).toEqual({ models: ['mlp-1m'], devices: ['wasm'] });
    expect(parsed.problems).toEqual([
      'Unknown model "nope" in the link (models=). Should be a catalog id (mlp-1m, tiny-llama), replica:NAME, hub:ORG/NAME or an http(s) URL.',
      'Unknown model "replica:nothing" in the link (models=). Should be a catalog id (mlp-1m, tiny-llama), replica:NAME, hub:ORG/NAME or an http(s) URL.',
      'Unknown backend "cuda" in the link (devices=). Should be one of: wasm, webgpu, webnn.',
      'Bad iterations= "0" in the link. Should be a whole number from 1 to 10000.',
      'Bad warmup= "x" in the link. Should be a whole number from 0 to 1000.',
      'Bad threads= "2.5" in the link. Should be a whole number from 1 to 256, auto or sweep.',
      'Bad budget= "-1" in the link. Should be a whole number from 0 to 3600000, or none.',
      'Unknown parameter "colour" in the link. Should be one of: models, dtypes, devices, engines, iterations, warmup, threads, budget, profile, autorun.',
    ]);
  });
  it('takes threads=auto, sweep or a count, and names the valid values for a bad one', () => {
    expect(parseShare(shareQuery({ ...config, threads: 'sweep' }), catalog).config.threads).toBe('sweep');
    expect(shareQuery({ ...config, threads: 'sweep' })).toContain('&threads=sweep&');
    expect(parseShare('?threads=auto', catalog)).toEqual({ config: { threads: null }, autorun: false, problems: [] });
    expect(parseShare('?threads=0&models=mlp-1m', catalog)).toEqual({
      config: { models: ['mlp-1m'] },
      autorun: false,
      problems: ['Bad threads= "0" in the link. Should be a whole number from 1 to 256, auto or sweep.'],
    });
    // 99 is a count a link may carry: the device the run lands on refuses it, naming its own cores (test/browser/threads.test.ts).
    expect(parseShare('?threads=99', catalog).config.threads).toBe(99);
    expect(parseShare('?threads=many', catalog).problems).toEqual(['Bad threads= "many" in the link. Should be a whole number from 1 to 256, auto or sweep.']);
  });
  it('leaves a URL without share parameters alone', () => {
    expect(parseShare('', catalog)).toEqual({ config: {}, autorun: false, problems: [] });
    expect(parseShare('?utm_source=x', catalog)).toEqual({ config: {}, autorun: false, problems: [] });
  });
});

describe('presets', () => {
  it('Quick check: one bundled model, fp32, wasm, few iterations', () => {
    expect(presetConfig('quick', catalog)).toMatchObject({ models: ['mlp-1m'], dtypes: ['fp32'], devices: ['wasm'], iterations: 5, warmup: 1 });
  });
  it('Full suite: every bundled model at every level it ships, on both backends', () => {
    expect(presetConfig('full', catalog)).toMatchObject({ models: ['mlp-1m', 'tiny-llama'], dtypes: 'shipped', devices: ['wasm', 'webgpu'] });
  });
  it('Claims has no configuration of its own', () => {
    expect(presetConfig('claims', catalog)).toBeNull();
  });
  it('planOf carries the workload fields', () => {
    expect(planOf(config)).toEqual({
      models: config.models,
      devices: ['wasm'],
      dtypes: ['fp32', 'q4'],
      engines: ['ort'],
      workload: { iterations: 2, warmup: 1, warmupCapMs: 3_000, timeBudgetMs: null, numThreads: 4 },
    });
  });
});

describe('linkRewrites', () => {
  it('names each parameter of the opened link whose value the written link changed or dropped', () => {
    expect(linkRewrites('?models=mlp-1m&iterations=-1&dtypes=fp32,q3', '?models=mlp-1m&dtypes=fp32&iterations=20&warmup=2')).toEqual([
      'iterations=-1 → iterations=20',
      'dtypes=fp32,q3 → dtypes=fp32',
    ]);
    expect(linkRewrites('?models=mlp-1m&devices=wasm', '?models=mlp-1m')).toEqual(['devices=wasm dropped']);
  });
  it('says nothing of order, spacing, parameters it added, autorun or parameters not its own', () => {
    expect(linkRewrites('?dtypes=q4, fp32&autorun=1&utm=x', '?dtypes=fp32,q4&iterations=20')).toEqual([]);
  });
});

describe('linkRewrites with the catalog', () => {
  it('takes a replica alias and its id as the same model', () => {
    const catalog = { models: [], replicas: [{ id: 'openai-community/gpt2', aliases: ['gpt2'] }] } as unknown as Catalog;
    expect(linkRewrites('?models=replica:gpt2', '?models=replica:openai-community/gpt2', catalog)).toEqual([]);
    expect(linkRewrites('?models=replica:gpt2', '?models=replica:openai-community/gpt2')).toHaveLength(1);
  });
});
