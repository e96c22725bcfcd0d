import { describe, expect, it } from 'vitest';
import { unsupportedReason, resolveThreads, type Capabilities } from '../../src/core/capabilities.ts';
import type { Catalog } from '../../src/core/catalog.ts';
import { expandPlan } from '../../src/core/plan.ts';
import type { RunSpec } from '../../src/core/spec.ts';
import { dtypeFromFileName, parseList } from '../../src/core/vocab.ts';

const catalog: Catalog = {
  models: [
    { id: 'a', name: 'A', task: 't', from: { package: 'p', path: 'a.onnx' }, license: 'MIT', homepage: '', levels: ['fp32', 'q8'], params: 10, inputs: {} },
    { id: 'b', name: 'B', task: 't', from: { package: 'p', path: 'b.onnx' }, license: 'MIT', homepage: '', levels: ['fp32'], params: null, inputs: {} },
  ],
};
let n = 0;
const id = () => `run-${++n}`;
const workload = { iterations: 3, warmup: 1 };

describe('expandPlan', () => {
  it('crosses devices × models × shipped levels, wasm first and fp32 first', () => {
    const runs = expandPlan({ models: ['a', 'b'], devices: ['wasm', 'webgpu'], dtypes: 'shipped', workload }, catalog, id);
    expect(runs.map((r) => (r.kind === 'run' ? `${r.spec.model.id}/${r.spec.model.dtype}/${r.spec.device}` : 'decided'))).toEqual([
      'a/fp32/wasm',
      'a/q8/wasm',
      'b/fp32/wasm',
      'a/fp32/webgpu',
      'a/q8/webgpu',
      'b/fp32/webgpu',
    ]);
    // Levels run in canonical order whatever order they were asked in.
    const asked = expandPlan({ models: ['a'], devices: ['wasm'], dtypes: ['q8', 'fp32'], workload }, catalog, id);
    expect(asked.map((r) => r.kind === 'run' && r.spec.model.dtype)).toEqual(['fp32', 'q8']);
  });
  it('turns a level the model lacks into an unsupported result naming the levels it has', () => {
    const [r] = expandPlan({ models: ['b'], devices: ['wasm'], dtypes: ['q4'], workload }, catalog, id);
    expect(r?.kind).toBe('decided');
    if (r?.kind !== 'decided') return;
    expect(r.result.state).toBe('unsupported');
    expect(r.result.error?.message).toBe('Model "b" has no q4 variant. Available: fp32.');
  });
  it('turns an unknown model into an errored result that lists the valid names', () => {
    const [r] = expandPlan({ models: ['nope'], devices: ['wasm'], dtypes: ['fp32'], workload }, catalog, id);
    expect(r?.kind === 'decided' && r.result.state).toBe('errored');
    expect(r?.kind === 'decided' && r.result.error?.message).toMatch(/Unknown model "nope".*a, b/);
  });
  it('runs a ready reference once at its own level', () => {
    const runs = expandPlan(
      {
        models: [{ id: 'f.onnx', source: 'file', url: '/__files/0/f.onnx', dtype: 'q4', task: 'unknown' }],
        devices: ['wasm'],
        dtypes: ['fp32', 'fp16'],
        workload,
      },
      catalog,
      id,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]?.kind === 'run' && runs[0].spec.model.dtype).toBe('q4');
  });
});

const caps = (over: Partial<Capabilities> = {}): Capabilities => ({
  webgpu: { vendor: 'google', architecture: 'swiftshader', description: '', shaderF16: false, maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30 },
  webgpuReason: null,
  webnn: false,
  wasm: { simd: true, threads: true },
  crossOriginIsolated: true,
  hardwareConcurrency: 2,
  deviceMemory: 8,
  userAgent: 'test',
  ...over,
});
const spec = (device: RunSpec['device'], dtype: RunSpec['model']['dtype'] = 'fp32'): RunSpec => ({
  id: 'x',
  engine: 'ort',
  device,
  workload,
  model: { id: 'm', source: 'bundled', url: 'm.onnx', dtype, task: 't' },
});

describe('unsupportedReason', () => {
  it('allows what the device has', () => {
    expect(unsupportedReason(spec('wasm'), caps())).toBeNull();
    expect(unsupportedReason(spec('webgpu', 'q4'), caps())).toBeNull();
  });
  it('refuses fp16 on an adapter without shader-f16, naming the adapter and the alternatives', () => {
    expect(unsupportedReason(spec('webgpu', 'fp16'), caps())).toBe(
      'The WebGPU adapter (google swiftshader) lacks the "shader-f16" feature that fp16 needs. Use fp32, q8 or q4 on webgpu, or fp16 on wasm.',
    );
    expect(unsupportedReason(spec('webgpu', 'q4f16'), caps())).toMatch(/shader-f16/);
  });
  it('refuses a missing backend with the reason', () => {
    expect(unsupportedReason(spec('webgpu'), caps({ webgpu: null, webgpuReason: 'navigator.gpu is undefined' }))).toBe(
      'WebGPU is not available here: navigator.gpu is undefined. Use device "wasm".',
    );
    expect(unsupportedReason(spec('webnn'), caps())).toMatch(/WebNN \(navigator.ml\) is not available/);
  });
  it("falls back to onnxruntime-web's default threads where the page chose none, 1 when not isolated", () => {
    expect(resolveThreads(null, caps())).toBe(1);
    expect(resolveThreads(null, caps({ hardwareConcurrency: 8 }))).toBe(4);
    expect(resolveThreads(1, caps())).toBe(1);
    expect(resolveThreads(null, caps({ wasm: { simd: true, threads: false } }))).toBe(1);
  });
});

describe('vocabularies', () => {
  it('parses lists and names the valid set on a bad value', () => {
    expect(parseList('device', ['wasm', 'webgpu'] as const, 'wasm, webgpu,wasm')).toEqual(['wasm', 'webgpu']);
    expect(() => parseList('device', ['wasm', 'webgpu'] as const, 'cuda')).toThrow('Unsupported device: "cuda". Should be one of: wasm, webgpu.');
  });
  it('reads transformers.js file suffixes', () => {
    expect(dtypeFromFileName('onnx/model_q4f16.onnx')).toBe('q4f16');
    expect(dtypeFromFileName('model_quantized.onnx')).toBe('q8');
    expect(dtypeFromFileName('model_q4.onnx')).toBe('q4');
    expect(dtypeFromFileName('/x/model.onnx')).toBe('fp32');
  });
});

import { memoryGrowth, slope } from '../../src/core/growth.ts';
import { emptyResult, finish } from '../../src/core/result.ts';

describe('leak check', () => {
  it('repeats each spec in a row', () => {
    const runs = expandPlan({ models: ['b'], devices: ['wasm', 'webgpu'], dtypes: ['fp32'], workload, repeat: 3 }, catalog, id);
    expect(runs.map((r) => r.kind === 'run' && r.spec.device)).toEqual(['wasm', 'wasm', 'wasm', 'webgpu', 'webgpu', 'webgpu']);
    expect(new Set(runs.map((r) => r.kind === 'run' && r.spec.id)).size).toBe(6);
  });
  it('fits the growth of each memory figure by least squares', () => {
    expect(slope([10, 12, 14, 16])).toBe(2);
    expect(slope([5, 5, 5])).toBe(0);
    // y = 1, 2, 4: mean x 1, mean y 7/3; Σ(x−1)(y−7/3) = 3, Σ(x−1)² = 2 → 1.5
    expect(slope([1, 2, 4])).toBe(1.5);
    const run = (heap: number, gpuAfter: number) => {
      const r = finish(emptyResult(spec('webgpu')), 'completed');
      r.memory.wasmHeapPeakBytes = heap;
      r.memory.phases = { afterLoad: null, afterRun: null, afterDispose: { wasmHeapBytes: heap, gpuLiveBytes: gpuAfter } };
      return r;
    };
    const [g] = memoryGrowth([run(100, 0), run(100, 0), run(160, 30)]);
    expect(g).toMatchObject({ model: 'm', dtype: 'fp32', device: 'webgpu', runs: 3 });
    expect(g!.metrics.wasmHeapPeakBytes).toEqual({ first: 100, last: 160, slopePerRun: 30, n: 3 });
    expect(g!.metrics.gpuLiveAfterDisposeBytes?.slopePerRun).toBe(15);
    expect(g!.metrics.osPeakRssBytes).toBeUndefined();
  });
});
