import { describe, expect, it } from 'vitest';
import { envFrom } from '../../src/core/env.ts';
import { emptyResult } from '../../src/core/result.ts';
import { RunResultSchema } from '../../src/core/schema.ts';
import {
  calibratedChoice,
  calibrationReason,
  chooseThreads,
  fixedAutoChoice,
  maxThreads,
  ortDefaultThreads,
  parseThreads,
  runThreads,
  sweepRows,
  threadCandidates,
  threadPlans,
  threadsProblem,
  validThreadsText,
  type ThreadCalibration,
  type ThreadChoice,
} from '../../src/core/threads.ts';

const dev = (cores: number | null, threads = true) => ({ hardwareConcurrency: cores, threads });

describe('thread counts', () => {
  it("follows onnxruntime-web's default: min(4, ceil(cores / 2)), 1 without isolation", () => {
    expect([1, 2, 3, 8, 16].map((c) => ortDefaultThreads(dev(c)))).toEqual([1, 1, 2, 4, 4]);
    expect(ortDefaultThreads(dev(16, false))).toBe(1);
    expect(ortDefaultThreads(dev(null))).toBe(1);
  });
  it('tries 1 to min(cores, 8), always with the default among them', () => {
    expect(threadCandidates(dev(2))).toEqual([1, 2]);
    expect(threadCandidates(dev(12))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(threadCandidates(dev(12, false))).toEqual([1]);
    expect(threadCandidates(dev(1))).toEqual([1]);
  });
  it('names the valid range', () => {
    expect(maxThreads(dev(2))).toBe(2);
    expect(validThreadsText(dev(2))).toBe('1–2, auto or sweep');
    expect(validThreadsText(dev(8, false))).toBe('1, auto or sweep');
    expect(threadsProblem(2, dev(2))).toBeNull();
    expect(threadsProblem(99, dev(2))).toBe('Threads 99 cannot run here: this device has 2 cores. Should be 1–2, auto or sweep.');
    expect(threadsProblem(0, dev(2))).toBe('Threads 0 cannot run here: this device has 2 cores. Should be 1–2, auto or sweep.');
    expect(threadsProblem(2, dev(8, false))).toBe(
      'Threads 2 cannot run here: the page is not cross-origin isolated, so WASM runs on 1 thread. Should be 1, auto or sweep.',
    );
  });
});

describe('chooseThreads', () => {
  it('takes the fastest p50', () => {
    expect(
      chooseThreads([
        { threads: 1, p50Ms: 12.1, n: 30 },
        { threads: 2, p50Ms: 14.8, n: 30 },
      ]),
    ).toEqual({ chosen: 1, fastest: 1 });
    expect(
      chooseThreads([
        { threads: 1, p50Ms: 310, n: 9 },
        { threads: 2, p50Ms: 236, n: 9 },
      ]),
    ).toEqual({ chosen: 2, fastest: 2 });
  });
  it('prefers fewer threads within 3 % of the fastest, and not beyond', () => {
    const within = [
      { threads: 1, p50Ms: 10.3, n: 20 },
      { threads: 2, p50Ms: 10.0, n: 20 },
      { threads: 4, p50Ms: 9.0, n: 20 },
    ];
    // 10.3 is 14 % over 9.0: 4 threads win.
    expect(chooseThreads(within)).toEqual({ chosen: 4, fastest: 4 });
    // 10.3 ≤ 10.0 × 1.03 = 10.3: a tie, 1 thread wins.
    expect(chooseThreads(within.slice(0, 2))).toEqual({ chosen: 1, fastest: 2 });
    expect(
      chooseThreads([
        { threads: 1, p50Ms: 10.31, n: 20 },
        { threads: 2, p50Ms: 10.0, n: 20 },
      ]),
    ).toEqual({ chosen: 2, fastest: 2 });
    expect(
      chooseThreads(
        [
          { threads: 2, p50Ms: 5, n: 1 },
          { threads: 1, p50Ms: 5, n: 1 },
        ],
        0,
      ),
    ).toEqual({ chosen: 1, fastest: 1 });
  });
  it('refuses to choose from nothing', () => {
    expect(() => chooseThreads([])).toThrow(/no timings/);
  });
});

const cal: ThreadCalibration = {
  fingerprint: 'fp',
  reference: 'ppocr-v2-cls fp32',
  chosen: 1,
  ortDefault: 1,
  tolerance: 0.03,
  rounds: 4,
  elapsedMs: 4210.5,
  measuredAt: '2026-12-02T17:40:12.345Z',
  timings: [
    { threads: 1, p50Ms: 12.14, n: 40 },
    { threads: 2, p50Ms: 14.8, n: 40 },
  ],
};

describe('reasons', () => {
  it('says what was measured, and when a cached figure is used', () => {
    expect(calibrationReason(cal, false)).toBe('calibrated on ppocr-v2-cls fp32: 1 thread 12.1 ms, 2 threads 14.8 ms');
    expect(calibrationReason(cal, true)).toBe('calibrated on ppocr-v2-cls fp32: 1 thread 12.1 ms, 2 threads 14.8 ms; cached from 2026-12-02 17:40 UTC');
    const tie = {
      ...cal,
      timings: [
        { threads: 1, p50Ms: 310, n: 9 },
        { threads: 2, p50Ms: 305, n: 9 },
      ],
    };
    expect(calibrationReason(tie, false)).toBe(
      'calibrated on ppocr-v2-cls fp32: 1 thread 310 ms, 2 threads 305 ms; 1 thread is within 3 % of the fastest, and fewer',
    );
    expect(calibratedChoice(cal, true)).toEqual({
      requested: 'auto',
      chosen: 1,
      ortDefault: 1,
      reason: calibrationReason(cal, true),
      calibration: { reference: 'ppocr-v2-cls fp32', timings: cal.timings, measuredAt: cal.measuredAt, elapsedMs: 4210.5, cached: true },
    });
  });
  it('needs no calibration where one count is possible', () => {
    expect(fixedAutoChoice(dev(8, false), true)).toMatchObject({ chosen: 1, reason: expect.stringMatching(/not cross-origin isolated/) });
    expect(fixedAutoChoice(dev(1), true)).toMatchObject({ chosen: 1, reason: 'the device has one core' });
    expect(fixedAutoChoice(dev(2), true)).toBeNull();
    expect(fixedAutoChoice(dev(6), false)).toMatchObject({ chosen: 3, reason: "not calibrated: onnxruntime-web's default, min(4, ceil(6 cores / 2))" });
  });
});

describe('parseThreads (CLI flag, share link)', () => {
  it('takes a count, auto or sweep, and names the valid values otherwise', () => {
    expect(parseThreads('2', '--threads')).toBe(2);
    expect(parseThreads(' auto ', '--threads')).toBe('auto');
    expect(parseThreads('sweep', '--threads')).toBe('sweep');
    expect(() => parseThreads('0', '--threads')).toThrow('Bad --threads "0". Should be a whole number from 1 to 256, auto or sweep.');
    expect(() => parseThreads('99', '--threads', 2)).toThrow(
      'Bad --threads "99". Should be a whole number from 1 to 2 (this device has 2 cores), auto or sweep.',
    );
    expect(() => parseThreads('2', '--threads', 1)).toThrow('Bad --threads "2". Should be 1 (this device has 1 core), auto or sweep.');
    expect(() => parseThreads('', '--threads')).toThrow(/Bad --threads ""/);
  });
});

describe('threads in plans and runs', () => {
  type Plan = {
    models: string[];
    devices: string[];
    workload: { iterations: number; warmup: number; numThreads: number | 'sweep' | null; threadChoice?: ThreadChoice | null };
  };
  const plan: Plan = { models: ['mlp-1m'], devices: ['wasm', 'webgpu'], workload: { iterations: 3, warmup: 1, numThreads: null } };
  const auto: ThreadChoice = calibratedChoice(cal, false);
  it('gives auto plans the calibrated choice and leaves counts to the worker', () => {
    expect(threadPlans(plan, dev(2), auto)).toEqual([{ ...plan, workload: { ...plan.workload, threadChoice: auto } }]);
    const two = { ...plan, workload: { ...plan.workload, numThreads: 2 } };
    expect(threadPlans(two, dev(2), auto)).toEqual([two]);
  });
  it('splits a sweep into one wasm plan per count and a refused plan for the other backends', () => {
    const out = threadPlans<Plan>({ ...plan, workload: { ...plan.workload, numThreads: 'sweep' } }, dev(2), null);
    expect(out.map((p) => [p.devices, p.workload.numThreads, p.workload.threadChoice?.chosen])).toEqual([
      [['wasm'], 1, 1],
      [['wasm'], 2, 2],
      [['webgpu'], 'sweep', null],
    ]);
    expect(out[1]!.workload.threadChoice).toEqual({ requested: 'sweep', chosen: 2, ortDefault: 1, reason: 'sweep: 2 threads of 1, 2', calibration: null });
    expect(out[2]!.workload.threadChoice!.reason).toMatch(/^threads=sweep is for WASM/);
    const two = threadPlans<Plan>({ ...plan, models: ['a', 'b'], workload: { ...plan.workload, numThreads: 'sweep' } }, dev(2), null);
    expect(two).toHaveLength(1);
    expect(two[0]!.workload.threadChoice!.reason).toBe(
      'threads=sweep runs one model at every thread count; this run names 2 models. Pick one, or use threads auto or a number.',
    );
  });
  it('the worker runs the page choice, checks counts, and refuses an unexpanded sweep', () => {
    expect(runThreads(null, auto, dev(2))).toEqual({ choice: auto, problem: null });
    expect(runThreads(2, null, dev(2))).toEqual({ choice: { requested: 2, chosen: 2, ortDefault: 1, reason: 'asked for', calibration: null }, problem: null });
    const bad = runThreads(99, null, dev(2));
    expect(bad.problem).toBe('Threads 99 cannot run here: this device has 2 cores. Should be 1–2, auto or sweep.');
    expect(bad.choice).toMatchObject({ requested: 99, chosen: null });
    expect(runThreads(null, null, dev(4))).toMatchObject({ choice: { requested: 'auto', chosen: 2 }, problem: null });
    expect(runThreads('sweep', null, dev(2)).problem).toMatch(/one run per thread count/);
  });
  it('marks the best of a sweep by the same rule, and onnxruntime-web default', () => {
    expect(
      sweepRows(
        [
          { threads: 2, p50Ms: 14.8, n: 20 },
          { threads: 1, p50Ms: 12.1, n: 20 },
          { threads: 3, p50Ms: null, n: 0 },
        ],
        2,
      ),
    ).toEqual([
      { threads: 1, p50Ms: 12.1, best: true, ortDefault: false },
      { threads: 2, p50Ms: 14.8, best: false, ortDefault: true },
      { threads: 3, p50Ms: null, best: false, ortDefault: false },
    ]);
  });
});

describe('env.threads in records', () => {
  const caps = {
    webgpu: null,
    webgpuReason: 'none',
    webnn: false,
    wasm: { simd: true, threads: true },
    crossOriginIsolated: true,
    hardwareConcurrency: 2,
    deviceMemory: 8,
    userAgent: 'UA',
  };
  const spec = {
    id: 'r1',
    model: { id: 'mlp-1m', source: 'bundled' as const, url: 'mlp-1m.onnx', dtype: 'fp32' as const, task: 'feature-extraction' },
    engine: 'ort' as const,
    device: 'wasm' as const,
    workload: { iterations: 1, warmup: 0 },
  };
  it('validates a record with the choice, and imports an older record without it as null', () => {
    const record = { ...emptyResult(spec), env: envFrom(caps, 1, calibratedChoice(cal, true)) };
    expect(RunResultSchema.parse(JSON.parse(JSON.stringify(record))).env!.threads).toEqual(calibratedChoice(cal, true));
    const old = JSON.parse(JSON.stringify(record));
    delete old.env.threads;
    expect(RunResultSchema.parse(old).env!.threads).toBeNull();
  });
});
