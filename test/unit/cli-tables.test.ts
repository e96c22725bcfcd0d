// The bench's printed tables on real records (test/fixtures/cli-runs.jsonl: runs of mlp-1m, ppocr-v2-cls at q8 and
// tiny-llama on both engines, made by the CLI): the default view fits 120 columns, --wide shows every column.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/core/schema.ts';
import { report, summary } from '../../src/cli/bench-tables.ts';
import { wrapLine } from '../../src/cli/cli-table.ts';

const runs = readFileSync(new URL('../fixtures/cli-runs.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as RunResult);
const one = runs[0]!;
const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));
const errored = (r: RunResult, message: string): RunResult => ({
  ...r,
  state: 'errored',
  error: { name: 'Error', message },
  timings: { ...r.timings, latency: null },
});

describe('the default table', () => {
  it('fits 120 columns for one run, without columns no run fills', () => {
    const text = report([one]);
    expect(widest(text)).toBeLessThanOrEqual(120);
    const head = text.split('\n').find((l) => l.startsWith('model'))!;
    expect(head.split(/\s{2,}/)).toEqual(expect.arrayContaining(['model', 'level', 'backend', 'load', 'first', 'p50', 'p90', 'n', 'size', 'WASM heap']));
    // Every run completed: no state column; nothing failed: no reason column; no GPU: no GPU peak.
    expect(head).not.toMatch(/state|reason|GPU peak/);
    expect(text).toMatch(/^mlp-1m\s+fp32\s+wasm\s+[\d.]+ m?s/m);
    expect(text).toContain('--wide adds: warm-up, GFLOP/s');
  });

  it('fits 120 columns for several runs: models at two levels, both backends, language models on both engines', () => {
    const text = report(runs);
    expect(widest(text)).toBeLessThanOrEqual(120);
    expect(text).toMatch(/Against fp32 on the same backend:\nmodel\s+level\s+backend\s+max \|Δ\|\s+cosine\s+top-1/);
    expect(text).toMatch(/Language models .*\nmodel\s+level\s+backend\s+engine\s+load\s+TTFT\s+prefill\/s\s+decode\/s/);
    expect(text).toMatch(/Engines side by side/);
  });

  it('numbers the reasons of runs that did not complete and lists them under the table, once each', () => {
    const text = report([
      one,
      errored(one, 'WebGPU is not available here.'),
      errored(runs[2]!, 'WebGPU is not available here.'),
      errored(one, 'Out of memory.'),
    ]);
    expect(widest(text.split('\n  [')[0]!)).toBeLessThanOrEqual(120);
    expect(text).toMatch(/^mlp-1m\s+fp32\s+wasm\s+errored \[1\]/m);
    expect(text).toMatch(/^mlp-1m\s+fp32\s+webgpu\s+errored \[1\]/m);
    expect(text).toMatch(/errored \[2\]/);
    expect(text).toMatch(/\n {2}\[1\] .*WebGPU is not available here\.\n {2}\[2\] .*Out of memory\./);
  });
});

describe('--wide', () => {
  it('shows every column, reasons inline', () => {
    const text = report([one, errored(one, 'WebGPU is not available here.')], true);
    const head = text.split('\n').find((l) => l.startsWith('model'))!;
    for (const col of ['state', 'first run', '±rme', 'warm-up', 'GPU peak', 'page+workers', 'browser PSS', 'GFLOP/s', 'reason']) expect(head).toContain(col);
    expect(text).not.toMatch(/\[1\]|--wide adds/);
    expect(text).toMatch(/WebGPU is not available here\./);
    const lm = report(runs, true);
    expect(lm).toMatch(/TPOT p50\s+TPOT p90\s+decode step/);
    expect(lm).toMatch(/max \|Δ\| vs fp32\s+cosine\s+top-1/);
  });
});

describe('plurals and prose', () => {
  it('counts runs in the right number', () => {
    expect(summary([one])).toBe('1 run: 1 completed');
    expect(summary([one, errored(one, 'x')])).toBe('2 runs: 1 completed, 1 errored');
    expect(report([one])).toMatch(/warm-up: at least 2 runs, .*measured: 2 iterations/);
  });
  it('wraps prose past 120 columns at spaces, continuation indented', () => {
    const line = `  ${'word '.repeat(40).trim()}`;
    const wrapped = wrapLine(line).split('\n');
    expect(wrapped.length).toBe(2);
    expect(widest(wrapped.join('\n'))).toBeLessThanOrEqual(120);
    expect(wrapped[1]).toMatch(/^ {4}word/);
    expect(wrapLine('short')).toBe('short');
  });
});
