// Every bundled model on WASM and WebGPU in real headless Chromium: both complete, and their outputs agree.
import { beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../src/core/fidelity.ts';
import type { RunResult } from '../../src/core/schema.ts';
import type { InputOverride } from '../../src/core/spec.ts';
import { onLoopback, useApp } from './fixture.ts';

// WebGPU here is SwiftShader on the CPU (seconds per run, shader compilation dominating the first):
// small inputs keep this file near a minute while still running every layer of every model.
const SMALL: Record<string, Record<string, InputOverride>> = {
  'ppocr-v4-rec': { x: { shape: [1, 3, 48, 64] } },
  'ppocr-v4-det': { x: { shape: [1, 3, 64, 64] } },
  'ppocr-v2-cls': { x: { shape: [1, 3, 48, 64] } },
  'silero-vad-v5': {},
};

const app = useApp();
const results = new Map<string, RunResult>();

beforeAll(async () => {
  for (const [model, inputs] of Object.entries(SMALL)) {
    const rs = await app.runSuite({
      models: [model],
      devices: ['wasm', 'webgpu'],
      dtypes: ['fp32'],
      workload: { iterations: 2, warmup: 1, inputs, captureOutputs: true },
    });
    for (const r of rs) results.set(`${model}/${r.device}`, r);
  }
}, 600_000);

describe.each(Object.keys(SMALL))('%s', (model) => {
  it('completes on wasm and webgpu with a full record', () => {
    for (const device of ['wasm', 'webgpu'] as const) {
      const r = results.get(`${model}/${device}`)!;
      expect(r.error, `${model} on ${device}`).toBeNull();
      expect(r.state).toBe('completed');
      expect(r.timings.latency?.n).toBe(2);
      expect(r.timings.samplesMs).toHaveLength(2);
      expect(r.timings.loadMs).toBeCloseTo(r.timings.fetchMs! + r.timings.sessionMs!, 6);
      expect(r.memory.modelBytes).toBeGreaterThan(100_000);
      expect(r.memory.wasmHeapPeakBytes).toBeGreaterThan(r.memory.modelBytes!);
      expect(r.env?.crossOriginIsolated).toBe(true);
      expect(r.env?.versions.onnxruntimeWeb).toBe('1.31.0-dev.20260914-8d85527a0');
      expect(r.workload.inputs.length).toBeGreaterThan(0);
    }
    const gpu = results.get(`${model}/webgpu`)!;
    expect(gpu.env?.webgpu?.architecture).toBeTruthy();
    // WASM runs load onnxruntime-web's CPU-only build; WebGPU needs the asyncify one.
    expect(results.get(`${model}/wasm`)!.env?.ortBuild).toBe('plain');
    expect(gpu.env?.ortBuild).toBe('asyncify');
    // The page compiled each build once and handed the module to every run's worker.
    for (const r of [results.get(`${model}/wasm`)!, gpu]) {
      expect(r.env?.wasmCompiledBy).toBe('page');
      expect(r.env?.wasmCompileMs).toBeGreaterThan(0);
    }
    expect(gpu.memory.gpuBufferPeakBytes).toBeGreaterThan(0);
    // `auto` threads: the calibrated count, recorded with its reason.
    const wasmEnv = results.get(`${model}/wasm`)!.env!;
    expect(wasmEnv.threads).toMatchObject({ requested: 'auto', chosen: wasmEnv.numThreads, reason: expect.stringMatching(/calibrated/) });
  });

  // KNOWN: Silero VAD v5's 16 kHz branch gives a different speech probability on onnxruntime-web 1.31-dev's
  // WebGPU EP (SwiftShader) than on WASM (0.855 vs 0.091 for the same frame); its 8 kHz branch agrees to 1e-7.
  // Marked as an expected failure so that a runtime fix shows up here as a test to update.
  const agree = model === 'silero-vad-v5' ? it.fails : it;
  agree('gives the same outputs on both backends', () => {
    const wasm = results.get(`${model}/wasm`)!.outputs!;
    const gpu = results.get(`${model}/webgpu`)!.outputs!;
    expect(wasm.length).toBeGreaterThan(0);
    // Outputs here are probabilities (softmax / sigmoid) in [0, 1]: float32 kernels that sum in a different
    // order differ by ~1e-6; 1e-3 allows for that and still catches a wrong kernel or a mixed-up input.
    // compareOutputs gives no cosine where the reference is ≈ 0 everywhere (a text detector on noise).
    for (const c of compareOutputs(wasm, gpu)) {
      expect(c.maxAbsDiff, `${model} ${c.name}`).toBeLessThan(1e-3);
      if (c.cosine !== null) expect(c.cosine, `${model} ${c.name}`).toBeGreaterThan(0.9999);
    }
  });
});

it('runs Silero VAD v5 identically on both backends on its 8 kHz branch', async () => {
  const [wasm, gpu] = await app.runSuite({
    models: ['silero-vad-v5'],
    devices: ['wasm', 'webgpu'],
    dtypes: ['fp32'],
    workload: { iterations: 1, warmup: 1, inputs: { input: { shape: [1, 256] }, sr: { fill: 8000 } }, captureOutputs: true },
  });
  for (const c of compareOutputs(wasm!.outputs!, gpu!.outputs!)) expect(c.maxAbsDiff, c.name).toBeLessThan(1e-3);
});

it('runs the inputs the catalog gives, and records them', () => {
  const vad = results.get('silero-vad-v5/wasm')!;
  expect(vad.workload.inputs).toEqual([
    { name: 'input', type: 'float32', dims: [1, 512] },
    { name: 'state', type: 'float32', dims: [2, 1, 128] },
    { name: 'sr', type: 'int64', dims: [] },
  ]);
  expect(results.get('ppocr-v4-rec/wasm')!.workload.inputs[0]!.dims).toEqual([1, 3, 48, 64]);
});

it('sends no request beyond loopback', () => {
  expect(app.requests.length).toBeGreaterThan(0);
  // The page's own blob: URLs (onnxruntime's thread workers start from one) stay in the page.
  for (const url of app.requests) expect(onLoopback(url), url).toBe(true);
});
