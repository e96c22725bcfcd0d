// Many devices, in Node: what --resume leaves to run, and the devices side by side.
import { describe, expect, it } from 'vitest';
import { plansFor, remainingRuns } from '../../src/cli/remote.ts';
import { deviceComparison, groupByRemote } from '../../src/core/compare.ts';
import type { Catalog } from '../../src/core/catalog.ts';
import { expandPlansKeyed, plannedKeys, type KeyedRun, type PlannedRun, type SuitePlan } from '../../src/core/plan.ts';
import { emptyResult, finish } from '../../src/core/result.ts';
import type { RunResult } from '../../src/core/schema.ts';
import { DEFAULT_WORKLOAD, type RunSpec } from '../../src/core/spec.ts';
import type { Dtype, RunState } from '../../src/core/vocab.ts';

const spec = (model: string, dtype: Dtype): RunSpec => ({
  id: crypto.randomUUID(),
  suiteId: 's',
  engine: 'ort',
  device: 'wasm',
  workload: DEFAULT_WORKLOAD,
  model: { id: model, source: 'bundled', url: `/${model}.onnx`, dtype, task: 'image-classification' },
});
const planned = (...specs: RunSpec[]): PlannedRun[] => specs.map((s) => ({ kind: 'run', spec: s }));
const keyed = (runs: PlannedRun[], plan = 0): KeyedRun[] => plannedKeys(runs).map((key, i) => ({ run: runs[i]!, plan, key }));
const keysOf = (runs: KeyedRun[]) => runs.map((x) => `${x.plan}:${x.key.replace(/\u0000/g, ' ')}`);
const record = (s: RunSpec, state: RunState, label: string | null, p50Ms?: number, plan?: number): RunResult => {
  const r = finish(emptyResult(s), state, state === 'completed' ? null : { name: 'X', message: 'x' });
  if (p50Ms !== undefined)
    r.timings.latency = { n: 1, meanMs: p50Ms, sdMs: 0, rme: null, minMs: p50Ms, p50Ms, p90Ms: p50Ms, p95Ms: p50Ms, p99Ms: p50Ms, maxMs: p50Ms };
  return { ...r, remote: label ? { label, endpoint: `ws://${label}:1/x`, ...(plan !== undefined ? { plan } : {}) } : null };
};

describe('--resume', () => {
  // mlp fp32 twice (--repeat 2), then mlp q8 twice.
  const plan = planned(spec('mlp', 'fp32'), spec('mlp', 'fp32'), spec('mlp', 'q8'), spec('mlp', 'q8'));
  it('numbers repeats by order', () => {
    expect(plannedKeys(plan).map((k) => k.replace(/\u0000/g, ' '))).toEqual([
      'mlp fp32 wasm ort#0',
      'mlp fp32 wasm ort#1',
      'mlp q8 wasm ort#0',
      'mlp q8 wasm ort#1',
    ]);
  });
  it("leaves out, per device label, as many repeats as that device's records answer; aborted ones run again", () => {
    const prior = [
      record(spec('mlp', 'fp32'), 'completed', 'phone'),
      record(spec('mlp', 'fp32'), 'errored', 'phone'),
      record(spec('mlp', 'q8'), 'unsupported', 'phone'),
      record(spec('mlp', 'q8'), 'aborted', 'phone'),
      record(spec('mlp', 'q8'), 'completed', 'laptop'),
      record(spec('mlp', 'q8'), 'completed', null),
    ];
    expect(keysOf(remainingRuns(keyed(plan), prior, 'phone'))).toEqual(['0:mlp q8 wasm ort#1']);
    expect(keysOf(remainingRuns(keyed(plan), prior, 'laptop'))).toEqual(['0:mlp fp32 wasm ort#0', '0:mlp fp32 wasm ort#1', '0:mlp q8 wasm ort#1']);
    expect(remainingRuns(keyed(plan), prior, 'tablet')).toHaveLength(4);
  });
});

describe('--resume with several plans in one suite', () => {
  // Two plans (as the claims suite makes) that both run mlp fp32 on wasm with ort, with different workloads.
  const catalog = { models: [{ id: 'mlp', file: 'mlp.onnx', levels: ['fp32'], task: 'image-classification', inputs: {} }], replicas: [] } as unknown as Catalog;
  const plans: SuitePlan[] = [
    { models: ['mlp'], devices: ['wasm'], dtypes: ['fp32'], engines: ['ort'], workload: { iterations: 2, warmup: 1 } },
    { models: ['mlp'], devices: ['wasm'], dtypes: ['fp32'], engines: ['ort'], workload: { iterations: 3, warmup: 1 }, repeat: 2 },
  ];
  const all = expandPlansKeyed(plans, catalog, () => crypto.randomUUID());
  const specOf = (x: KeyedRun) => (x.run.kind === 'run' ? x.run.spec : null)!;
  it('keys each run by its plan: the same spec in two plans is two runs', () => {
    expect(keysOf(all)).toEqual(['0:mlp fp32 wasm ort#0', '1:mlp fp32 wasm ort#0', '1:mlp fp32 wasm ort#1']);
  });
  it("a device's records answer their own plan's runs only", () => {
    // The second plan's first run completed; the first plan's was aborted.
    const prior = [record(specOf(all[0]!), 'aborted', 'phone', undefined, 0), record(specOf(all[1]!), 'completed', 'phone', undefined, 1)];
    const left = remainingRuns(all, prior, 'phone');
    expect(keysOf(left)).toEqual(['0:mlp fp32 wasm ort#0', '1:mlp fp32 wasm ort#1']);
    // Each plan is asked for its own runs, by keys counted within that plan.
    expect(plansFor(plans, left).map((p) => p.only?.map((k) => k.replace(/\u0000/g, ' ')))).toEqual([['mlp fp32 wasm ort#0'], ['mlp fp32 wasm ort#1']]);
    const rerun = expandPlansKeyed(plansFor(plans, left), catalog, () => crypto.randomUUID());
    expect(rerun.map((x) => [x.plan, specOf(x).workload.iterations])).toEqual([
      [0, 2],
      [1, 3],
    ]);
  });
  it('records of older logs (no plan) answer the first runs of their spec, whichever plan', () => {
    const prior = [record(specOf(all[0]!), 'completed', 'phone'), record(specOf(all[0]!), 'completed', 'phone')];
    expect(keysOf(remainingRuns(all, prior, 'phone'))).toEqual(['1:mlp fp32 wasm ort#1']);
  });
});

describe('devices side by side', () => {
  it('groups by label (local for records without one) and shows each spec’s last completed run per device', () => {
    const results = [
      record(spec('mlp', 'fp32'), 'completed', 'phone', 4),
      record(spec('mlp', 'fp32'), 'aborted', 'phone'),
      record(spec('mlp', 'fp32'), 'completed', 'laptop', 1),
      record(spec('mlp', 'fp32'), 'completed', 'laptop', 2),
      record(spec('mlp', 'q8'), 'aborted', 'laptop'),
      record(spec('mlp', 'fp32'), 'completed', null, 3),
    ];
    const groups = groupByRemote(results);
    expect([...groups.keys()]).toEqual(['phone', 'laptop', 'local']);
    const { devices, rows } = deviceComparison(groups);
    expect(devices).toEqual(['phone', 'laptop', 'local']);
    expect(rows.map((r) => [r.model, r.dtype, r.byDevice])).toEqual([
      [
        'mlp',
        'fp32',
        {
          phone: { state: 'completed', p50Ms: 4, decodeTokPerS: null },
          laptop: { state: 'completed', p50Ms: 2, decodeTokPerS: null },
          local: { state: 'completed', p50Ms: 3, decodeTokPerS: null },
        },
      ],
      ['mlp', 'q8', { phone: null, laptop: { state: 'aborted', p50Ms: null, decodeTokPerS: null }, local: null }],
    ]);
  });
});
