// The engine table (src/engines/table.ts) and its capability checks (src/engines/engine.ts) on the real engines:
// what each refuses, before anything is fetched, and the reason its run ends `unsupported` with.
import { describe, expect, it } from 'vitest';
import { PROFILE_ENGINES } from '../../src/core/profile.ts';
import type { ModelRef, RunSpec } from '../../src/core/spec.ts';
import { ENGINES, type Engine } from '../../src/core/vocab.ts';
import { unsupportedBy } from '../../src/engines/engine.ts';
import { ENGINE_TABLE } from '../../src/engines/table.ts';

const all = Object.values(ENGINE_TABLE);
const folder: ModelRef['repo'] = { id: 'tiny-llama', host: '/models/', layout: 'local' };
const spec = (engine: Engine, model: Partial<ModelRef> = {}, workload: Partial<RunSpec['workload']> = {}, device: RunSpec['device'] = 'wasm'): RunSpec => ({
  id: 'x',
  engine,
  device,
  workload: { iterations: 1, warmup: 0, ...workload },
  model: { id: 'm', source: 'bundled', url: 'm.onnx', dtype: 'fp32', task: 'unknown', ...model },
});
const reason = (s: RunSpec) => unsupportedBy(s, ENGINE_TABLE[s.engine], all);

describe('the engine table', () => {
  it('has one engine per name in the vocabulary, each under its own name', () => {
    expect(Object.keys(ENGINE_TABLE)).toEqual([...ENGINES]);
    for (const name of ENGINES) expect(ENGINE_TABLE[name].name).toBe(name);
  });
  it('gives a profiler to the engines core/profile.ts says can be profiled, and to no other', () => {
    expect(all.filter((e) => e.profile).map((e) => e.name)).toEqual([...PROFILE_ENGINES]);
  });
});

describe('unsupportedBy', () => {
  it('lets each engine run what it takes', () => {
    expect(reason(spec('ort'))).toBeNull();
    expect(reason(spec('ort', { task: 'text-generation', repo: folder }))).toBeNull();
    expect(reason(spec('ort', { source: 'replica', task: 'text-generation', replica: { kind: 'decoder', config: {} } }))).toBeNull();
    expect(reason(spec('ort', {}, { ortBuild: 'jsep' }))).toBeNull();
    expect(reason(spec('transformers', { task: 'text-generation', repo: folder }, {}, 'webgpu'))).toBeNull();
  });
  it('keeps replicas on the engines that build them', () => {
    expect(reason(spec('transformers', { source: 'replica', replica: { kind: 'decoder', config: {} } }))).toBe(
      'Replicas run on engine "ort" or "wllama" only: transformers.js needs the real model\'s files (tokenizer, config, weights), and a replica has only its architecture.',
    );
  });
  it('refuses a single ONNX file where the Hugging Face layout is needed, with the one message', () => {
    expect(reason(spec('transformers', { id: 'mlp-1m' }))).toBe(
      'Engine "transformers" needs a model in the Hugging Face layout (config.json, tokenizer.json, onnx/model*.onnx); "mlp-1m" is a single ONNX file. Use engine "ort".',
    );
    expect(reason(spec('ort', { id: 'mlp-1m', task: 'text-generation' }))).toBe(
      'Text generation needs a model in the Hugging Face layout (config.json, tokenizer.json, onnx/model*.onnx); "mlp-1m" is a single ONNX file. Run it as a plain model (task "unknown") or give its model folder.',
    );
  });
  it('checks a chosen onnxruntime-web build: its device first, then whether the engine takes one', () => {
    expect(reason(spec('ort', {}, { ortBuild: 'plain' }, 'webgpu'))).toBe(
      'onnxruntime-web\'s plain build has no webgpu execution provider (it is CPU only). Use build asyncify or jsep for webgpu, or device "wasm".',
    );
    expect(reason(spec('transformers', { repo: folder }, { ortBuild: 'plain' }, 'webgpu'))).toMatch(/^onnxruntime-web's plain build has no webgpu/);
    expect(reason(spec('transformers', { repo: folder }, { ortBuild: 'asyncify' }))).toBe(
      'Choosing the onnxruntime-web build works on engine "ort" only; transformers.js loads its own (transformers).',
    );
  });
});
