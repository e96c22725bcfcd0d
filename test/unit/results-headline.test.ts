// What the Results panel leads with: the last suite of the log, its headline figure, and aborted runs' kept figures.
import { describe, expect, it } from 'vitest';
import { emptyResult, finish } from '../../src/core/result.ts';
import type { RunResult } from '../../src/core/schema.ts';
import { DEFAULT_WORKLOAD } from '../../src/core/spec.ts';
import type { RunState } from '../../src/core/vocab.ts';
import { headlineOf, keptFigures, lastSuite } from '../../src/ui/model/results.ts';

let clock = Date.parse('2026-12-01T10:00:00Z');
const record = (suiteId: string | null, state: RunState, p50Ms?: number, task = 'classification', decode?: number): RunResult => {
  const spec = {
    id: crypto.randomUUID(),
    suiteId,
    engine: 'ort' as const,
    device: 'wasm' as const,
    workload: DEFAULT_WORKLOAD,
    model: { id: 'mlp-1m', source: 'bundled' as const, url: '/mlp-1m.onnx', dtype: 'fp32' as const, task },
  };
  const r = finish(
    emptyResult(spec, new Date((clock += 1000))),
    state,
    state === 'completed' ? null : { name: 'AbortError', message: 'Aborted after 3 timed iteration(s)' },
  );
  if (p50Ms !== undefined)
    r.timings.latency = { n: 3, meanMs: p50Ms, sdMs: 0, rme: null, minMs: p50Ms, p50Ms, p90Ms: p50Ms, p95Ms: p50Ms, p99Ms: p50Ms, maxMs: p50Ms };
  if (decode !== undefined) r.generation = { decodeTokPerS: decode } as RunResult['generation'];
  return r;
};

describe('lastSuite', () => {
  it('is empty for an empty log, and the runs of the suite that started last otherwise', () => {
    expect(lastSuite([])).toEqual([]);
    const old = [record('a', 'completed', 1), record('a', 'completed', 2)];
    const last = [record('b', 'completed', 3), record('b', 'aborted', 4)];
    expect(lastSuite([...old, ...last])).toEqual(last);
    // Imported or reordered logs: by start time, not position.
    expect(lastSuite([...last, ...old]).map((r) => r.suiteId)).toEqual(['b', 'b']);
  });
  it('takes a record without a suite id as a suite of its own', () => {
    const earlier = record('a', 'completed', 1);
    const lone = record(null, 'completed', 1);
    expect(lastSuite([earlier, lone])).toEqual([lone]);
  });
});

describe('headlineOf', () => {
  it('is the lowest p50 of the completed runs, with the counts', () => {
    const fast = record('s', 'completed', 0.5);
    const h = headlineOf([record('s', 'completed', 2), fast, record('s', 'aborted', 0.1), record('s', 'errored')]);
    expect(h).toMatchObject({ kind: 'p50', value: 0.5, runs: 4, completed: 2 });
    expect(h!.result).toBe(fast);
  });
  it('leads with decode speed when a language model completed', () => {
    expect(headlineOf([record('s', 'completed', 0.5), record('s', 'completed', 40, 'text-generation', 120)])).toMatchObject({ kind: 'decode', value: 120 });
  });
  it('is null when nothing completed', () => {
    expect(headlineOf([record('s', 'aborted', 1), record('s', 'errored')])).toBeNull();
    expect(headlineOf([])).toBeNull();
  });
});

describe('keptFigures', () => {
  it('lists aborted runs that measured something', () => {
    const kept = record('s', 'aborted', 1);
    expect(keptFigures([kept, record('s', 'aborted'), record('s', 'completed', 1)])).toEqual([kept]);
  });
});
