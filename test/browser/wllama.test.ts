// The wllama engine (llama.cpp in WebAssembly) in real Chromium: tiny-llama's GGUF files, written by src/gguf from
// the same weights and tokenizer as its ONNX files, make the same greedy tokens as our ORT loop at fp32; a level an
// engine cannot run ends unsupported with the reason; a damaged GGUF file errors with a message naming it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/core/schema.ts';
import type { ModelRef } from '../../src/core/spec.ts';
import { useApp } from './fixture.ts';

const app = useApp();
const workload = { iterations: 1, warmup: 0, timeBudgetMs: 0, numThreads: 1, generation: { prompt: 'The small model on the phone', maxNewTokens: 16 } };
const find = (results: RunResult[], engine: string, dtype: string) => results.find((r) => r.engine === engine && r.model.dtype === dtype)!;

describe('tiny-llama on wllama', () => {
  it('gives ORT fp32 greedy tokens at f32; each engine refuses the other format with the reason', async () => {
    const results = await app.runSuite({
      models: ['tiny-llama'],
      devices: ['wasm'],
      dtypes: ['fp32', 'f32', 'q8_0', 'q4_0'],
      engines: ['ort', 'wllama'],
      workload,
    });
    expect(results.map((r) => `${r.engine}:${r.model.dtype}:${r.state}`)).toEqual([
      'ort:fp32:completed',
      'ort:f32:unsupported',
      'ort:q8_0:unsupported',
      'ort:q4_0:unsupported',
      'wllama:fp32:unsupported',
      'wllama:f32:completed',
      'wllama:q8_0:completed',
      'wllama:q4_0:completed',
    ]);
    expect(find(results, 'ort', 'q4_0').error?.message).toMatch(/does not run q4_0 models; it runs fp32, .*bnb4\./);
    expect(find(results, 'wllama', 'fp32').error?.message).toMatch(/does not run fp32 models; it runs f32, f16, q8_0, q4_0, q4_k_m\./);
    const reference = find(results, 'ort', 'fp32').generation!.tokens;
    expect(reference).toHaveLength(16);
    // The whole greedy path, token for token: the tensor layout, rotary (permuted q/k rows), GQA and the tokenizer agree.
    expect(find(results, 'wllama', 'f32').generation!.tokens).toEqual(reference);
    for (const dtype of ['f32', 'q8_0', 'q4_0']) {
      const r = find(results, 'wllama', dtype);
      const g = r.generation!;
      expect(g.tokens, dtype).toHaveLength(16);
      expect(g.promptTokens).toBe(find(results, 'ort', 'fp32').generation!.promptTokens);
      expect(g.ttftMs).toBeGreaterThan(0);
      expect(g.decodeTokPerS).toBeGreaterThan(0);
      expect(g.tpot?.n).toBe(15);
      expect(g.text).toBeTruthy();
      expect(r.env?.threads?.chosen).toBe(1);
      // The setup llama.cpp reported after loading: its build, one thread (no pthreads), its default batch sizes.
      expect(r.env?.wllama).toMatchObject({ multiThread: false, threads: 1, flashAttn: 'auto', tokenProbs: true });
      expect(r.env?.wllama?.llamaCpp).toMatch(/^b\d+-[0-9a-f]+$/);
      expect(r.env?.wllama?.nUbatch).toBeGreaterThan(1);
      expect(r.env?.versions.wllama).toMatch(/^\d+\.\d+\.\d+/);
      expect(r.model.bytes).toBe(readFileSync(`models/bundled/tiny-llama/gguf/model-${dtype}.gguf`).byteLength);
      expect(r.memory.unknown.wasmHeapPeakBytes).toMatch(/worker of its own/);
      // llama.cpp's own buffers instead (its load log): the weights within a few KiB of the file, a KV cache, a compute buffer.
      const buffers = r.memory.engineBuffers ?? [];
      expect(buffers.map((b) => `${b.backend}:${b.kind}`).sort()).toEqual(['CPU:compute', 'CPU:kv', 'CPU:model', 'CPU:output']);
      expect(Math.abs(buffers.find((b) => b.kind === 'model')!.bytes - r.model.bytes!)).toBeLessThan(64 * 1024);
      expect(buffers.find((b) => b.kind === 'kv')!.bytes).toBeGreaterThan(0);
    }
    // 8-bit keeps the path; 4-bit may step off it, never at once.
    expect(find(results, 'wllama', 'q8_0').generation!.tokens.slice(0, 8)).toEqual(reference.slice(0, 8));
    expect(find(results, 'wllama', 'q4_0').generation!.tokens[0]).toBe(reference[0]);
  }, 120_000);

  it('names the file and what is wrong for a truncated GGUF and one with a wrong magic', async () => {
    const good = readFileSync('models/bundled/tiny-llama/gguf/model-q4_0.gguf');
    const wrongMagic = Buffer.from(good);
    wrongMagic.write('ONNX', 0, 'latin1');
    const ref = (name: string, bytes: Buffer): ModelRef => ({
      id: name,
      source: 'bundled',
      url: `data:application/octet-stream;base64,${bytes.toString('base64')}`,
      dtype: 'q4_0',
      task: 'text-generation',
      repo: { id: 'bundled/tiny-llama', host: './', layout: 'local' },
    });
    const results = await app.runSuite({
      models: [ref('truncated', good.subarray(0, good.length - 100)), ref('wrong-magic', wrongMagic)],
      devices: ['wasm'],
      dtypes: ['q4_0'],
      engines: ['wllama'],
      workload,
    });
    expect(results.map((r) => r.state)).toEqual(['errored', 'errored']);
    expect(results[0]!.error?.message).toMatch(
      /Model "truncated" \(q4_0\): GGUF file ".*": it has \d+ bytes but its tensors need \d+ .*the file is truncated\./,
    );
    expect(results[1]!.error?.message).toMatch(
      /Model "wrong-magic" \(q4_0\): GGUF file ".*": it starts with "ONNX", not the magic "GGUF": it is not a GGUF file\./,
    );
  }, 60_000);
});
