// A task run's record: its `pipeline` block validates and round-trips through JSONL (older records without it still
// import), and its accuracy reads "q8: CER 0.8 % vs fp32 0.7 %" in the CLI's table and as the report's column.
import { describe, expect, it } from 'vitest';
import { RunResultSchema, type RunResult } from '../../src/core/schema.ts';
import { CSV_COLUMNS, parseJsonl, toCsv, toJsonl } from '../../src/store/export.ts';
import { taskAccuracyLine, stageTimes } from '../../src/text/task.ts';
import { taskTable } from '../../src/cli/task-table.ts';
import { isPipelineTask, taskFlags } from '../../src/cli/bench-task.ts';
import type { BenchOptions } from '../../src/cli/bench-args.ts';
import { runColumns, runRows } from '../../src/report/model.ts';
import { deviceRuns, run } from '../fixtures/report-runs.ts';

const envFor = () => deviceRuns('env', 2, 1)[0]!.env!;

const stats = (p50: number) => ({ n: 1, meanMs: p50, sdMs: 0, rme: null, minMs: p50, p50Ms: p50, p90Ms: p50, p95Ms: p50, p99Ms: p50, maxMs: p50 });

function ocrRun(id: string, dtype: 'fp32' | 'q8', cer: number, vsFp32?: number): RunResult {
  const r = run({ id, model: 'ocr:ppocr-v4', dtype, p50: 300, env: envFor() });
  r.pipeline = {
    kind: 'ocr',
    input: { name: 'lines.png', bytes: 1234, width: 503, height: 384 },
    stages: [
      { name: 'det', model: 'ppocr-v4-det', level: dtype, ms: stats(120) },
      { name: 'cls', model: 'ppocr-v2-cls', level: dtype, ms: stats(8) },
      { name: 'rec', model: 'ppocr-v4-rec', level: dtype, ms: stats(170) },
    ],
    totalMs: 300,
    ocr: {
      lines: [
        {
          text: '浏览器',
          score: 0.98,
          box: [
            [1, 2],
            [30, 2],
            [30, 20],
            [1, 20],
          ],
        },
      ],
    },
    accuracy: { expected: '浏览器', cer, ...(vsFp32 !== undefined ? { cerVsFp32: vsFp32 } : {}) },
  };
  return r;
}

describe('task records', () => {
  it('validate and survive export and import; records without pipeline still import', () => {
    const records = [ocrRun('a', 'fp32', 0.007), ocrRun('b', 'q8', 0.008, 0.007), run({ id: 'c', model: 'mlp-1m', dtype: 'fp32', p50: 1, env: envFor() })];
    for (const r of records) expect(RunResultSchema.safeParse(r).success).toBe(true);
    const back = parseJsonl(toJsonl(records));
    expect(back.problems).toEqual([]);
    expect(back.results[1]!.pipeline).toEqual(records[1]!.pipeline);
    expect(back.results[2]!.pipeline).toBeUndefined();
    // CSV: end to end and the accuracy, empty for a run that is not a task run.
    const csv = toCsv(records).trim().split('\n');
    const tail = CSV_COLUMNS.slice(CSV_COLUMNS.indexOf('pipeline.totalMs')).join(',');
    expect(csv[0]).toContain(`,${tail}`);
    // The user agent before these columns holds commas (quoted): read the row from its end.
    expect(csv[2]).toMatch(/,300,0\.008,0\.007,,$/);
    expect(csv[3]).toMatch(/,,,,,$/);
  });

  it('read as "q8: CER 0.8 % vs fp32 0.7 %" in the CLI table and the report', () => {
    const fp32 = ocrRun('a', 'fp32', 0.007);
    const q8 = ocrRun('b', 'q8', 0.008, 0.007);
    expect(taskAccuracyLine(q8)).toBe('q8: CER 0.8 % vs fp32 0.7 %');
    expect(taskAccuracyLine(fp32)).toBe('fp32: CER 0.7 %');
    expect(stageTimes(q8)).toBe('det 120 ms · cls 8.00 ms · rec 170 ms');
    const table = taskTable([fp32, q8]);
    expect(table).toContain('accuracy: fp32: CER 0.7 %; q8: CER 0.8 % vs fp32 0.7 %');
    expect(table).toContain('q8 read: 浏览器');
    expect(table).toMatch(/ q8 +wasm +completed +120 ms +8\.00 ms +170 ms +300 ms/);
    const input = { devices: [{ identity: { label: 'here' }, results: [fp32, q8] }] } as unknown as Parameters<typeof runRows>[0];
    expect(runColumns(input)).toContain('task accuracy');
    expect(runRows(input)[1]!.cells['task accuracy']).toBe('CER 0.8 % vs fp32 0.7 %');
    const plain = {
      devices: [{ identity: { label: 'here' }, results: [run({ id: 'c', model: 'mlp-1m', dtype: 'fp32', p50: 1, env: envFor() })] }],
    } as unknown as Parameters<typeof runRows>[0];
    expect(runColumns(plain)).not.toContain('task accuracy');
  });
});

describe('--task flags', () => {
  const opts = (o: Partial<BenchOptions>) => ({ suite: 'default', model: [], iterations: 1, warmup: 0, input: [], repeat: 1, ...o }) as BenchOptions;
  it('name the flag and the file before a browser starts', () => {
    expect(isPipelineTask('ocr') && isPipelineTask('vad') && !isPipelineTask('text-generation')).toBe(true);
    expect(() => taskFlags(opts({ task: 'ocr', image: 'no/such.png' }), 'ocr')).toThrow('--image no/such.png: no such file.');
    expect(() => taskFlags(opts({ task: 'ocr', model: ['mlp-1m'] }), 'ocr')).toThrow(/drop --model \(mlp-1m\)/);
    expect(() => taskFlags(opts({ task: 'vad' }), 'vad')).toThrow(/--task vad needs --audio FILE.wav/);
    expect(taskFlags(opts({ task: 'ocr' }), 'ocr')).toEqual({ input: null, devices: ['wasm'], expectedSegments: undefined });
  });
});
