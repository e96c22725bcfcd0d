import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.ts';
import { browseEntries, filterEntries, tasksOf } from '../../src/ui/model/catalog-browse.ts';
import { filterHistory, historyFacets, localDay } from '../../src/ui/model/history-filter.ts';
import type { RunResult } from '../../src/core/schema.ts';

const catalog: Catalog = {
  models: [
    {
      id: 'mlp-1m',
      name: 'generated MLP',
      task: 'feature-extraction',
      from: { package: 'p', path: 'a.onnx' },
      license: 'MIT',
      homepage: '',
      levels: ['fp32'],
      params: 10,
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
      levels: ['fp32'],
      config: {},
      sources: [],
      notes: null,
    },
    {
      id: 'apple/DCLM-7B',
      aliases: [],
      family: 'DCLM',
      kind: 'decoder',
      task: 'text-generation',
      paramsPublished: 7e9,
      releaseDate: null,
      flopsPublished: null,
      levels: ['fp32'],
      config: {},
      sources: [],
      notes: null,
      unbuildable: 'no builder',
    },
  ],
};

describe('catalog browsing', () => {
  const entries = browseEntries(catalog);
  it('lists bundled models and replicas with what a plan takes', () => {
    expect(entries.map((e) => [e.ref, e.kind, e.unbuildable])).toEqual([
      ['mlp-1m', 'bundled', null],
      ['replica:openai-community/gpt2', 'replica', null],
      ['replica:apple/DCLM-7B', 'replica', 'no builder'],
    ]);
    expect(tasksOf(entries)).toEqual(['text-generation', 'feature-extraction']);
  });
  it('filters by kind, task and every word of the search', () => {
    expect(filterEntries(entries, { kind: 'replica' }).map((e) => e.ref)).toEqual(['replica:openai-community/gpt2', 'replica:apple/DCLM-7B']);
    expect(filterEntries(entries, { task: 'feature-extraction' }).map((e) => e.ref)).toEqual(['mlp-1m']);
    expect(filterEntries(entries, { query: 'GPT-2 openai' }).map((e) => e.ref)).toEqual(['replica:openai-community/gpt2']);
    expect(filterEntries(entries, { query: 'nothing' })).toEqual([]);
    expect(filterEntries(entries, { only: new Set(['mlp-1m']) }).map((e) => e.ref)).toEqual(['mlp-1m']);
  });
});

const run = (id: string, model: string, dtype: string, device: string, state: string, startedAt: string) =>
  ({ id, model: { id: model, dtype }, device, engine: 'ort', state, startedAt }) as unknown as RunResult;

describe('history filter', () => {
  const log = [
    run('1', 'mlp-1m', 'fp32', 'wasm', 'completed', '2026-03-01T12:00:00'),
    run('2', 'mlp-1m', 'q4', 'webgpu', 'errored', '2026-03-02T12:00:00'),
    run('3', 'tiny-llama', 'fp32', 'wasm', 'completed', '2026-03-03T12:00:00'),
  ];
  it('keeps runs matching every facet', () => {
    expect(filterHistory(log, { model: 'mlp-1m' }).map((r) => r.id)).toEqual(['1', '2']);
    expect(filterHistory(log, { model: 'mlp-1m', device: 'wasm' }).map((r) => r.id)).toEqual(['1']);
    expect(filterHistory(log, { state: 'errored' }).map((r) => r.id)).toEqual(['2']);
    expect(filterHistory(log, { dtype: 'fp32', engine: 'ort' }).map((r) => r.id)).toEqual(['1', '3']);
  });
  it('keeps days from and to, inclusive, in local time', () => {
    expect(localDay('2026-03-02T12:00:00')).toBe('2026-03-02');
    expect(filterHistory(log, { from: '2026-03-02' }).map((r) => r.id)).toEqual(['2', '3']);
    expect(filterHistory(log, { from: '2026-03-01', to: '2026-03-02' }).map((r) => r.id)).toEqual(['1', '2']);
  });
  it('offers the values each facet takes', () => {
    expect(historyFacets(log)).toEqual({
      model: ['mlp-1m', 'tiny-llama'],
      dtype: ['fp32', 'q4'],
      device: ['wasm', 'webgpu'],
      engine: ['ort'],
      state: ['completed', 'errored'],
    });
  });
});

describe('replica tooltips', () => {
  it('show where a replica comes from (its sources), never the catalog’s working notes', async () => {
    const { readFileSync } = await import('node:fs');
    const real = JSON.parse(readFileSync(new URL('../../models/catalog.json', import.meta.url), 'utf8')) as Catalog;
    const replicas = browseEntries(real).filter((e) => e.kind === 'replica');
    expect(replicas.length).toBeGreaterThan(10);
    for (const e of replicas) {
      expect(e.notes ?? '', e.ref).not.toMatch(/NOT verified|TODO/);
      if (e.notes) expect(e.notes).toMatch(/^Sources: /);
    }
  });
});
