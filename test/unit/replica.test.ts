// The replica machinery that does not depend on one architecture: synthetic weights, the quantizer on them, the
// external-data writer, the fit check, and what `replica:NAME` resolves to. Models run in onnxruntime-web (Node).
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { findReplica, resolveModel, type Catalog } from '../../src/core/catalog.ts';
import { describeEstimate, fitAccuracy, fitEstimate, fitProblem, WASM_HEAP_LIMIT_BYTES } from '../../src/core/fit.ts';
import { expandPlan } from '../../src/core/plan.ts';
import { GraphBuilder, tensorInfo } from '../../src/onnx/graph-builder.ts';
import { inspectModel } from '../../src/onnx/inspect.ts';
import { decodeModel, type ModelProto } from '../../src/onnx/model.ts';
import { DataType } from '../../src/onnx/onnx-schema.ts';
import { QUANTIZE_LEVELS, quantizeGraph } from '../../src/onnx/quantize.ts';
import { fillSynthetic, synthesizeWeights } from '../../src/onnx/synthetic.ts';
import { readFloats } from '../../src/onnx/tensor.ts';
import { layoutModel } from '../../src/onnx/write-model.ts';
import { written } from '../fixtures/replica-session.ts';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const GIB = 1024 ** 3;

/** y = relu(x·W1 + b1)·W2, synthetic weights: the smallest graph with two quantizable MatMuls. */
function tinyMlp(k = 64, hidden = 96, n = 16): ModelProto {
  const g = new GraphBuilder();
  const h = g.op(
    'Relu',
    [g.op('Add', [g.op('MatMul', ['x', g.param('w1', [k, hidden])], '/fc1/MatMul'), g.param('b1', [hidden], { kind: 'const', mean: 0.1 })], '/fc1/Add')],
    '/relu',
  );
  g.op('MatMul', [h, g.param('w2', [hidden, n])], '/fc2/MatMul', {}, 'y');
  return g.model('mlp', [tensorInfo('x', DataType.FLOAT, [2, k])], [tensorInfo('y', DataType.FLOAT, [2, n])]);
}

describe('synthetic weights', () => {
  it('have a shape and a type but no bytes until written, and the inspector counts them', () => {
    const model = tinyMlp();
    for (const t of model.graph!.initializer) expect(t.rawData).toBeUndefined();
    expect(inspectModel(model).params).toBe(64 * 96 + 96 + 96 * 16);
  });
  it('fill any window of a tensor with the same bytes as a whole fill', () => {
    const t = tinyMlp().graph!.initializer[0]!;
    const whole = new Uint8Array(64 * 96 * 4);
    fillSynthetic(t, whole);
    const window = new Uint8Array(1000);
    fillSynthetic(t, window, 4000);
    expect(Buffer.from(window).equals(Buffer.from(whole.subarray(4000, 5000)))).toBe(true);
    const values = new Float32Array(whole.buffer);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
  });
  it('replace a real model’s float weights, keeping each one’s range (the faithfulness check)', () => {
    const model = decodeModel(readFileSync('models/bundled/mlp-1m.onnx'));
    const before = model.graph!.initializer.map((t) => ({ name: t.name, dims: t.dims.map(Number), values: readFloats(t) }));
    expect(synthesizeWeights(model)).toBeGreaterThan(0);
    for (const b of before) {
      const t = model.graph!.initializer.find((x) => x.name === b.name)!;
      expect(t.dims.map(Number)).toEqual(b.dims);
      if (!t.synthetic || !b.values) continue;
      const [lo, hi] = [b.values.reduce((m, v) => Math.min(m, v), Infinity), b.values.reduce((m, v) => Math.max(m, v), -Infinity)];
      expect(t.synthetic.min).toBe(lo);
      expect(t.synthetic.max).toBe(hi);
    }
  });
});

describe('the quantizer on synthetic weights', () => {
  it.each(['fp32', ...QUANTIZE_LEVELS] as const)('%s: rewrites without values, writes, and runs in onnxruntime', async (level) => {
    const model = tinyMlp();
    const report = quantizeGraph(model, level);
    if (level !== 'fp32' && level !== 'fp16') expect(report.quantized.map((q) => q.weight)).toEqual(['w1', 'w2']);
    const { files, data, at } = await written(model);
    expect(at).toBe(files.dataBytes);
    // Every weight went to the data file: the graph holds structure only.
    expect(files.graph.byteLength).toBeLessThan(4096);
    const session = await ort.InferenceSession.create(files.graph, { externalData: [{ path: files.dataFile, data }] });
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array(128).fill(0.5), [2, 64]) });
    expect(out.y!.dims).toEqual([2, 16]);
    expect([...(out.y!.data as Float32Array)].every(Number.isFinite)).toBe(true);
    await session.release();
  });
  it('4-bit weights take about an eighth of the fp32 bytes', () => {
    const fp32 = inspectModel(tinyMlp()).weightBytes;
    const model = tinyMlp();
    quantizeGraph(model, 'q4');
    const q4 = layoutModel(model).dataBytes;
    expect(q4 / fp32).toBeGreaterThan(0.12);
    expect(q4 / fp32).toBeLessThan(0.2);
  });
});

describe('the writer', () => {
  it('streams in chunks and keeps every tensor at its recorded offset', async () => {
    const g = new GraphBuilder();
    // 3 × 4 MiB of weights: more than one 8 MiB chunk.
    const w = [0, 1, 2].map((i) => g.param(`w${i}`, [1024, 1024]));
    const y = w.reduce((acc, name, i) => g.op('MatMul', [acc, name], `/mm${i}`), 'x');
    const model = g.model('chain', [tensorInfo('x', DataType.FLOAT, [1, 1024])], [tensorInfo(y, DataType.FLOAT, [1, 1024])]);
    const { files, data, chunks } = await written(model);
    expect(chunks).toBeGreaterThan(1);
    const graph = decodeModel(files.graph);
    for (const t of graph.graph!.initializer) {
      const ext = Object.fromEntries(t.externalData!.map((e) => [e.key, e.value]));
      expect(ext.location).toBe(files.dataFile);
      expect(Number(ext.offset) % 64).toBe(0);
      const expected = new Uint8Array(Number(ext.length));
      fillSynthetic({ ...t, synthetic: { kind: 'normal', std: 0.02 } }, expected);
      // Buffer.equals: a deep toEqual over millions of bytes takes most of a minute.
      expect(Buffer.from(data.subarray(Number(ext.offset), Number(ext.offset) + Number(ext.length))).equals(Buffer.from(expected))).toBe(true);
    }
  });
});

describe('the fit check', () => {
  const estimate = fitEstimate({
    weightBytes: 4.2 * GIB,
    largestTensorBytes: 0.5 * GIB,
    kvCacheBytes: 0.4 * GIB,
    contextTokens: 4096,
    activationBytes: 0.02 * GIB,
  });
  it('says how much a run needs and which limit it passes, in numbers', () => {
    expect(fitProblem(estimate, 'wasm', { wasmHeapBytes: WASM_HEAP_LIMIT_BYTES })).toMatch(
      /needs 4\.64 GiB \(weights 4\.20 GiB \+ KV cache 0\.40 GiB at 4096 tokens \+ activations 20\.5 MiB \+ runtime 16\.0 MiB\); the WASM heap allows 4\.00 GiB/,
    );
    expect(fitProblem({ ...estimate, totalBytes: 3 * GIB }, 'wasm', { wasmHeapBytes: WASM_HEAP_LIMIT_BYTES })).toBeNull();
  });
  it('holds each WebGPU tensor against the buffer-binding limit, and the whole against deviceMemory', () => {
    expect(fitProblem(estimate, 'webgpu', { wasmHeapBytes: WASM_HEAP_LIMIT_BYTES, maxStorageBufferBindingSize: 128 * 1024 ** 2 })).toMatch(
      /largest weight is 0\.50 GiB, over this GPU's maxStorageBufferBindingSize of 128\.0 MiB/,
    );
    expect(fitProblem(estimate, 'webgpu', { wasmHeapBytes: WASM_HEAP_LIMIT_BYTES, maxStorageBufferBindingSize: GIB, deviceMemoryGiB: 4 })).toMatch(
      /reports 4 GiB of memory/,
    );
    expect(fitProblem(estimate, 'webgpu', { wasmHeapBytes: WASM_HEAP_LIMIT_BYTES, maxStorageBufferBindingSize: GIB, deviceMemoryGiB: 8 })).toBeNull();
    expect(describeEstimate(estimate)).toContain('KV cache');
  });
  it('holds the prediction against the peak of the memory it bounds: the WASM heap on wasm, GPU buffers on WebGPU', () => {
    const memory = { predicted: { totalBytes: 200 }, wasmHeapPeakBytes: 300, gpuBufferPeakBytes: 150 };
    expect(fitAccuracy({ state: 'completed', device: 'wasm', memory })).toEqual({
      predictedBytes: 200,
      measured: 'wasmHeapPeakBytes',
      measuredBytes: 300,
      ratio: 1.5,
    });
    expect(fitAccuracy({ state: 'completed', device: 'webgpu', memory })).toMatchObject({ measured: 'gpuBufferPeakBytes', ratio: 0.75 });
    // Nothing to compare: no prediction, no peak, or a run that did not complete.
    expect(fitAccuracy({ state: 'completed', device: 'wasm', memory: { ...memory, predicted: null } })).toBeNull();
    expect(fitAccuracy({ state: 'completed', device: 'wasm', memory: { ...memory, wasmHeapPeakBytes: null } })).toBeNull();
    expect(fitAccuracy({ state: 'unsupported', device: 'wasm', memory })).toBeNull();
  });
});

describe('replica:NAME', () => {
  it('finds catalog entries by id, alias or the id’s last part, in any case', () => {
    expect(findReplica('replica:phi-3.5-mini', catalog)?.id).toBe('microsoft/Phi-3.5-mini-instruct');
    expect(findReplica('replica:microsoft/Phi-3.5-mini-instruct', catalog)?.id).toBe('microsoft/Phi-3.5-mini-instruct');
    expect(findReplica('replica:SmolLM2-135M', catalog)?.id).toBe('HuggingFaceTB/SmolLM2-135M');
    const ref = resolveModel('replica:qwen2.5-0.5b', 'q4', catalog);
    expect(ref).toMatchObject({ id: 'replica:Qwen/Qwen2.5-0.5B', source: 'replica', dtype: 'q4', task: 'text-generation', replica: { kind: 'decoder' } });
  });
  it('lists every model the claims name, each with a config, a published size where one exists, and a release date for LMs', () => {
    const ids = (catalog.replicas ?? []).map((r) => r.id);
    for (const named of [
      'microsoft/Phi-3.5-mini-instruct',
      'google/gemma-2-2b',
      'meta-llama/Llama-3.1-8B',
      'mistralai/Mistral-7B-v0.3',
      'HuggingFaceTB/SmolLM2-135M',
      'Qwen/Qwen2.5-0.5B',
      'torchvision/mobilenet_v2',
      'torchvision/squeezenet1_0',
      'torchvision/googlenet',
      'torchvision/resnet50',
      'torchvision/vgg16',
      'torchvision/vit_l_16',
    ]) {
      expect(ids).toContain(named);
    }
    for (const r of catalog.replicas ?? []) {
      expect(Object.keys(r.config).length).toBeGreaterThan(3);
      expect(r.sources.length).toBeGreaterThan(0);
      if (r.kind === 'decoder') expect(r.releaseDate).toMatch(/^\d{4}-\d\d-\d\d$/);
    }
  });
  it('runs on ort only, and an architecture without a builder is unsupported with the reason', () => {
    const planned = expandPlan(
      { models: ['replica:smollm2-135m', 'replica:dclm-7b'], devices: ['wasm'], dtypes: ['q4'], workload: { iterations: 1, warmup: 0 } },
      catalog,
      () => 'id',
    );
    expect(planned.map((p) => (p.kind === 'run' ? p.spec.engine : p.result.state))).toEqual(['ort', 'unsupported']);
    const dclm = planned[1]!;
    expect(dclm.kind === 'decided' && dclm.result.error?.message).toMatch(/no replica builder for model_type 'openlm'/);
    const unknown = expandPlan(
      { models: ['replica:nope-7b'], devices: ['wasm'], dtypes: ['q4'], workload: { iterations: 1, warmup: 0 } },
      catalog,
      () => 'id',
    )[0]!;
    expect(unknown.kind === 'decided' && unknown.result.error?.message).toMatch(/Unknown replica "replica:nope-7b".*phi-3\.5-mini/);
  });
});
