// The setup line the CLI prints above its tables: build, compile, threads, warm-up, iterations, as the runs used them.
import { describe, expect, it } from 'vitest';
import { envFrom } from '../../src/core/env.ts';
import { emptyResult, finish } from '../../src/core/result.ts';
import type { Capabilities } from '../../src/core/capabilities.ts';
import type { Device } from '../../src/core/vocab.ts';
import { setupLines } from '../../src/text/setup.ts';

const caps: Capabilities = {
  webgpu: null,
  webgpuReason: 'none',
  webnn: false,
  wasm: { simd: true, threads: true },
  crossOriginIsolated: true,
  hardwareConcurrency: 2,
  deviceMemory: 8,
  userAgent: 'test',
};

function run(device: Device, build: 'plain' | 'asyncify') {
  const r = emptyResult({
    id: device,
    engine: 'ort',
    device,
    workload: { iterations: 20, warmup: 2, warmupCapMs: 3000, timeBudgetMs: 10_000 },
    model: { id: 'm', source: 'bundled', url: 'm.onnx', dtype: 'fp32', task: 'x' },
  });
  r.env = { ...envFrom(caps, 1), ortBuild: build, wasmCompiledBy: 'page', wasmCompileMs: 182.4 };
  return finish(r, 'completed');
}

describe('setupLines', () => {
  it('names the build per backend, who compiled the wasm, the threads and the warm-up', () => {
    const lines = setupLines([run('wasm', 'plain'), run('webgpu', 'asyncify')]);
    expect(lines[0]).toMatch(/^onnxruntime-web .+: wasm on the plain CPU build, webgpu on the asyncify build; wasm compiled once by the page \(182 ms\)$/);
    expect(lines[1]).toBe('WASM threads: 1 of 2 cores');
    expect(lines[2]).toBe('warm-up: at least 2 runs, then until steady for at most 3000 ms; measured: 20 iterations within 10.0 s');
  });

  it('says which input dims ondevice picked where a model left them open, once per model and input', () => {
    const picked = run('wasm', 'plain');
    picked.workload.inputs = [
      { name: 'x', type: 'float32', dims: [1, 3, 224, 224], picked: '[batch,3,?,?] → [1,3,224,224]' },
      { name: 'scale', type: 'float32', dims: [1] },
    ];
    const lines = setupLines([picked, picked, run('wasm', 'plain')]);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('inputs picked by ondevice (open dims, no shape given; --input NAME=SHAPE sets them): m x [batch,3,?,?] → [1,3,224,224]');
    expect(setupLines([run('wasm', 'plain')])).toHaveLength(3);
  });

  it("gives wllama runs a line of their own with the llama.cpp settings, and keeps them out of onnxruntime-web's", () => {
    const r = emptyResult({
      id: 'w',
      engine: 'wllama',
      device: 'wasm',
      workload: { iterations: 20, warmup: 2, warmupCapMs: 3000, timeBudgetMs: 10_000 },
      model: { id: 'replica:smollm2-135m', source: 'replica', url: '', dtype: 'q4_0', task: 'text-generation' },
    });
    r.env = envFrom(caps, 2);
    r.env.versions.wllama = '3.13.0';
    r.env.wllama = { llamaCpp: 'b12211-7d7f028', multiThread: true, threads: 2, nCtx: 2048, nBatch: 2048, nUbatch: 512, flashAttn: 'auto', tokenProbs: true };
    const alone = setupLines([finish(r, 'completed')]);
    expect(alone[0]).toBe(
      'wllama 3.13.0: llama.cpp b12211-7d7f028, 2 pthreads, batch 2048 / micro-batch 512, context 2048, flash attention auto, top-1 token probability every step (for the ids)',
    );
    expect(alone.join('\n')).not.toMatch(/onnxruntime/);
    const mixed = setupLines([run('wasm', 'plain'), finish(r, 'completed')]);
    expect(mixed[0]).toMatch(/^onnxruntime-web .+: wasm on the plain CPU build; wasm compiled once by the page/);
    expect(mixed[1]).toMatch(/^wllama 3\.13\.0: llama\.cpp/);
  });

  it('says nothing for runs that never started', () => {
    const r = emptyResult({
      id: 'x',
      engine: 'ort',
      device: 'wasm',
      workload: { iterations: 1, warmup: 0 },
      model: { id: 'm', source: 'bundled', url: 'm.onnx', dtype: 'fp32', task: 'x' },
    });
    expect(setupLines([finish(r, 'unsupported', { name: 'UnsupportedError', message: 'no' })])).toEqual([]);
  });
});
