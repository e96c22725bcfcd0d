import { describe, expect, it } from 'vitest';
import { emptyResult, finish } from '../../src/core/result.ts';
import type { RunResult } from '../../src/core/schema.ts';
import { summarize } from '../../src/core/stats.ts';
import { CSV_COLUMNS, parseJsonl, toCsv, toJsonl } from '../../src/store/export.ts';

function sample(id: string, state: 'completed' | 'errored' = 'completed'): RunResult {
  const r = emptyResult(
    {
      id,
      engine: 'ort',
      device: 'wasm',
      workload: { iterations: 3, warmup: 1 },
      model: { id: 'm', source: 'bundled', url: 'bundled/m.onnx', dtype: 'fp32', task: 'ocr' },
    },
    new Date('2026-11-23T10:00:00.000Z'),
  );
  if (state === 'errored') return finish(r, 'errored', { name: 'ModelLoadError', message: 'bad, "quoted"\nline' }, new Date('2026-11-23T10:00:01.000Z'));
  r.timings = {
    loadMs: 12,
    fetchMs: 2,
    buildMs: null,
    sessionMs: 10,
    firstRunMs: 5,
    warmup: { runs: 1, ms: 5, stop: 'fixed' },
    samplesMs: [1, 2, 3],
    latency: summarize([1, 2, 3]),
  };
  return finish(r, 'completed', null, new Date('2026-11-23T10:00:01.000Z'));
}

describe('JSONL', () => {
  it('round-trips records exactly', () => {
    const records = [sample('a'), sample('b', 'errored')];
    const { results, problems } = parseJsonl(toJsonl(records));
    expect(problems).toEqual([]);
    expect(results).toEqual(records);
  });

  it('rejects bad lines with their number and field, and keeps the good ones', () => {
    const good = JSON.stringify(sample('a'));
    const wrongType = JSON.stringify({ ...sample('b'), timings: { ...sample('b').timings, loadMs: 'fast' } });
    const wrongSchema = JSON.stringify({ ...sample('c'), schema: 'ondevice.run/0' });
    const missing = JSON.stringify({ ...sample('d'), device: undefined });
    const text = [good, '{not json', '', wrongType, wrongSchema, missing].join('\n');
    const { results, problems } = parseJsonl(text);
    expect(results.map((r) => r.id)).toEqual(['a']);
    expect(problems.map((p) => p.line)).toEqual([2, 4, 5, 6]);
    expect(problems[0]!.message).toMatch(/^line 2: not valid JSON/);
    expect(problems[1]!.message).toMatch(/^line 4: field "timings.loadMs": /);
    expect(problems[2]!.message).toMatch(/^line 5: field "schema": /);
    expect(problems[3]!.message).toMatch(/^line 6: field "device": /);
  });
});

describe('records keyed on state', () => {
  it("keeps an aborted run's partial figures, and its reason", () => {
    const r = emptyResult(
      {
        id: 'p',
        engine: 'ort',
        device: 'wasm',
        workload: { iterations: 20, warmup: 1 },
        model: { id: 'm', source: 'bundled', url: 'bundled/m.onnx', dtype: 'fp32', task: 'ocr' },
      },
      new Date('2026-11-23T10:00:00.000Z'),
    );
    r.timings = { ...r.timings, loadMs: 12, firstRunMs: 5, samplesMs: [1, 2], latency: summarize([1, 2]) };
    const aborted = finish(
      r,
      'aborted',
      { name: 'AbortError', message: 'Aborted after 2 timed iteration(s); their figures are kept.' },
      new Date('2026-11-23T10:00:01.000Z'),
    );
    const { results, problems } = parseJsonl(toJsonl([aborted]));
    expect(problems).toEqual([]);
    expect(results).toEqual([aborted]);
    const [back] = results;
    if (back?.state !== 'aborted') throw new Error('expected the aborted run back');
    expect([back.error.name, back.timings.latency?.n]).toEqual(['AbortError', 2]);
  });

  it('rejects a completed record with an error, and any other without one', () => {
    const completed = sample('a');
    const errored = sample('b', 'errored');
    const text = [JSON.stringify({ ...completed, error: { name: 'Error', message: 'x' } }), JSON.stringify({ ...errored, error: null })].join('\n');
    const { results, problems } = parseJsonl(text);
    expect(results).toEqual([]);
    expect(problems.map((p) => p.message)).toEqual([
      'line 1: field "error": Invalid input: expected null, received object',
      'line 2: field "error": Invalid input: expected object, received null',
    ]);
  });

  it('reports a bad state as before, after any field ahead of it', () => {
    const bad = JSON.stringify({ ...sample('a'), state: 'finished' });
    const worse = JSON.stringify({ ...sample('a'), id: '', state: 'finished' });
    expect(parseJsonl([bad, worse].join('\n')).problems.map((p) => p.message)).toEqual([
      'line 1: field "state": Invalid option: expected one of "completed"|"errored"|"unsupported"|"aborted"',
      'line 2: field "id": Too small: expected string to have >=1 characters',
    ]);
  });
});

describe('CSV', () => {
  it('has one header and one row per run, with quoting', () => {
    const lines = toCsv([sample('a'), sample('b', 'errored')])
      .trimEnd()
      .split('\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines[1]).toContain('a,,2026-11-23T10:00:00.000Z,completed,m,bundled,fp32');
    // The error message has a quote and a newline: quoted, quotes doubled, so the row spans two physical lines.
    expect(lines.slice(2).join('\n')).toMatch(/,ModelLoadError,"bad, ""quoted""\nline"$/);
    const p50 = CSV_COLUMNS.indexOf('timings.latency.p50Ms');
    expect(lines[1]!.split(',')[p50]).toBe('2');
  });
});

import { compareOutputs } from '../../src/core/fidelity.ts';

describe('compareOutputs', () => {
  it('computes max |Δ|, cosine and top-1 agreement by hand', () => {
    const ref = [{ name: 'p', type: 'float32', dims: [2, 3], values: [0.1, 0.7, 0.2, 0.5, 0.3, 0.2], truncated: false }];
    const cand = [{ name: 'p', type: 'float32', dims: [2, 3], values: [0.1, 0.6, 0.3, 0.2, 0.5, 0.3], truncated: false }];
    const [c] = compareOutputs(ref, cand);
    expect(c!.maxAbsDiff).toBeCloseTo(0.3, 12);
    // dot = .01+.42+.06+.10+.15+.06 = .80; |a|² = .01+.49+.04+.25+.09+.04 = .92; |b|² = .01+.36+.09+.04+.25+.09 = .84
    expect(c!.cosine).toBeCloseTo(0.8 / Math.sqrt(0.92 * 0.84), 12);
    expect(c!.top1Agreement).toBe(0.5);
  });
  it('gives no cosine for a reference that is ≈ 0 everywhere, and no top-1 for image-like outputs', () => {
    const map = (v: number) => [{ name: 'map', type: 'float32', dims: [1, 1, 2, 2], values: [v, v, v, v], truncated: false }];
    const [c] = compareOutputs(map(1e-6), map(2e-6));
    expect(c!.cosine).toBeNull();
    expect(c!.top1Agreement).toBeNull();
    expect(c!.maxAbsDiff).toBeCloseTo(1e-6, 12);
  });
  it('refuses outputs of different shapes', () => {
    const a = [{ name: 'p', type: 'float32', dims: [2], values: [1, 2], truncated: false }];
    const b = [{ name: 'p', type: 'float32', dims: [1, 2], values: [1, 2], truncated: false }];
    expect(() => compareOutputs(a, b)).toThrow(/shape/);
  });
});

import { classifyMemoryError } from '../../src/core/error-class.ts';

describe('classifyMemoryError', () => {
  it('names the memory that ran out, and leaves other errors alone', () => {
    expect(classifyMemoryError({ name: 'Error', message: 'failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc' }, 'wasm')).toEqual({
      name: 'OutOfMemoryError',
      message: "The WASM heap ran out (onnxruntime-web's heap is 4 GiB at most): failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc",
      class: 'out-of-memory',
      raw: 'failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc',
    });
    expect(classifyMemoryError({ name: 'Error', message: 'GPUOutOfMemoryError: Out of memory' }, 'webgpu').message).toMatch(/^GPU memory ran out/);
    const other = { name: 'InferenceError', message: 'Pad reflect: pre-pad (96) exceeds maximum allowed (15)' };
    expect(classifyMemoryError(other, 'wasm')).toBe(other);
  });
});

describe('CSV of language-model runs', () => {
  it('has the LM figures as columns, on real records (tiny-llama on both engines, a generation and a context-length run)', async () => {
    const { readFileSync } = await import('node:fs');
    const { results, problems } = parseJsonl(readFileSync(new URL('../fixtures/lm-records.jsonl', import.meta.url), 'utf8'));
    expect(problems).toEqual([]);
    const [head, ...rows] = toCsv(results).trimEnd().split('\n');
    const columns = head!.split(',');
    for (const c of ['generation.ttftMs', 'generation.prefillTokPerS', 'generation.decodeTokPerS', 'generation.tpot.p50Ms', 'generation.generations'])
      expect(columns).toContain(c);
    const cell = (row: string, c: string) => row.split(',')[columns.indexOf(c)]!;
    const generated = results.findIndex((r) => r.generation?.contexts === null);
    const g = results[generated]!.generation!;
    expect(Number(cell(rows[generated]!, 'generation.ttftMs'))).toBe(g.ttftMs);
    expect(Number(cell(rows[generated]!, 'generation.decodeTokPerS'))).toBe(g.decodeTokPerS);
    expect(Number(cell(rows[generated]!, 'generation.prefillTokPerS'))).toBe(g.prefillTokPerS);
    expect(Number(cell(rows[generated]!, 'generation.tpot.p50Ms'))).toBe(g.tpot!.p50Ms);
    // The context-length run: each length with its decode speed, in one cell.
    const swept = results.findIndex((r) => r.generation?.contexts?.length);
    expect(cell(rows[swept]!, 'generation.contexts.decodeTokPerS')).toMatch(/^16:[\d.]+;64:[\d.]+$/);
    // Other runs leave the LM columns blank.
    expect(cell(toCsv([sample('a')]).split('\n')[1]!, 'generation.ttftMs')).toBe('');
  });
});
