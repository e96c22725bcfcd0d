// A VAD task run's record: frame agreement with fp32 set on the page (src/core/task/accuracy.ts), the record
// valid against the schema (so it exports and imports), and the CLI's table and lines (src/cli/task-table.ts,
// src/text/task.ts).
import { describe, expect, it } from 'vitest';
import { emptyResult, finish } from '../../src/core/result.ts';
import { RunResultSchema, type RunResult } from '../../src/core/schema.ts';
import { withAccuracyVsFp32 } from '../../src/core/task/accuracy.ts';
import type { Dtype } from '../../src/core/vocab.ts';
import { taskTable } from '../../src/cli/task-table.ts';
import { taskAccuracyLine, vadSegmentsLine } from '../../src/text/task.ts';

function vadRun(dtype: Dtype, probs: number[], extra: { resampledFrom?: number; segmentF1?: number } = {}): RunResult {
  const r = emptyResult({
    id: `run-${dtype}`,
    model: { id: 'vad:silero-v5', source: 'bundled', url: '', dtype, task: 'vad' },
    engine: 'ort',
    device: 'wasm',
    workload: { iterations: 1, warmup: 1 },
  });
  r.timings.loadMs = 100;
  r.pipeline = {
    kind: 'vad',
    input: { name: 'talk.wav', bytes: 1000, sampleRate: 16000, durationMs: 2000, ...(extra.resampledFrom ? { resampledFrom: extra.resampledFrom } : {}) },
    stages: [{ name: 'vad', model: 'silero-vad-v5', level: dtype, ms: 24 }],
    totalMs: 24,
    vad: { frameMs: 32, probs, segments: [{ startMs: 770, endMs: 3422 }], realTimeFactor: 0.012 },
    ...(extra.segmentF1 !== undefined ? { accuracy: { segmentF1: extra.segmentF1 } } : {}),
  };
  return finish(r, 'completed');
}

describe('a VAD run’s record', () => {
  it('gets frame agreement with fp32’s calls, keeping its segment F1; fp32 agrees with itself', () => {
    const fp32 = vadRun('fp32', [0.1, 0.9, 0.9, 0.2], { segmentF1: 1 });
    const q8 = vadRun('q8', [0.1, 0.9, 0.4, 0.2], { segmentF1: 0.5 });
    withAccuracyVsFp32(fp32, fp32);
    withAccuracyVsFp32(q8, fp32);
    expect(fp32.pipeline!.accuracy).toEqual({ segmentF1: 1, frameAgreementVsFp32: 1 });
    expect(q8.pipeline!.accuracy).toEqual({ segmentF1: 0.5, frameAgreementVsFp32: 0.75 });
    expect(RunResultSchema.safeParse(JSON.parse(JSON.stringify(q8))).success).toBe(true);
  });

  it('an errored fp32 run gives no agreement', () => {
    const failed = finish(
      emptyResult({
        id: 'x',
        model: { id: 'vad:silero-v5', source: 'bundled', url: '', dtype: 'fp32', task: 'vad' },
        engine: 'ort',
        device: 'wasm',
        workload: { iterations: 1, warmup: 0 },
      }),
      'errored',
      {
        name: 'InvalidInputError',
        message: 'no',
      },
    );
    const q8 = vadRun('q8', [0.9]);
    withAccuracyVsFp32(q8, failed);
    expect(q8.pipeline!.accuracy).toBeUndefined();
  });

  it('reads in the table and the lines: "q8: frames 75.0 % as fp32, segment F1 0.50, RTF 0.012"', () => {
    const fp32 = vadRun('fp32', [0.1, 0.9, 0.9, 0.2], { segmentF1: 1, resampledFrom: 44100 });
    const q8 = vadRun('q8', [0.1, 0.9, 0.4, 0.2], { segmentF1: 0.5, resampledFrom: 44100 });
    withAccuracyVsFp32(fp32, fp32);
    withAccuracyVsFp32(q8, fp32);
    expect(taskAccuracyLine(q8)).toBe('q8: frames 75.0 % as fp32, segment F1 0.50, RTF 0.012');
    expect(taskAccuracyLine(fp32)).toBe('fp32: segment F1 1.00, RTF 0.012');
    expect(vadSegmentsLine(q8)).toBe('0.77–3.42 s');
    const table = taskTable([fp32, q8]);
    expect(table).toMatch(/segments.*segment F1.*frames as fp32.*RTF/);
    expect(table).toMatch(/ q8 .* 1 +0\.50 +75\.0 % +0\.012$/m);
    expect(table).toContain('q8 speech: 0.77–3.42 s');
    expect(table).toContain('input: "talk.wav" is at 44100 Hz: resampled to 16000 Hz, the rate Silero takes.');
  });
});
