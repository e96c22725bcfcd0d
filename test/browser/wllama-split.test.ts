// GGUF replicas on wllama in real Chromium beyond the llama family: a replica forced into split GGUF files (a small
// cap per file) loads as llama.cpp's gguf-split parts and makes the same greedy tokens as the same replica in one
// file; phi3 and gpt2 replicas at test size load and generate.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.ts';
import type { ModelRef } from '../../src/core/spec.ts';
import { testSizeReplica } from '../fixtures/replica-sizes.ts';
import { useApp } from './fixture.ts';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const entry = (id: string) => catalog.replicas!.find((r) => r.id === id)!;
const workload = { iterations: 1, warmup: 0, timeBudgetMs: 0, numThreads: 1, generation: { prompt: 'split files of small models', maxNewTokens: 8 } };
const app = useApp();

describe('GGUF replicas on wllama', () => {
  it('a replica split into parts makes the same greedy tokens as in one file; phi3 and gpt2 load and generate', async () => {
    const one = testSizeReplica(entry('HuggingFaceTB/SmolLM2-135M'), 'f32');
    // The test-size replica is about 300 kB at f32: parts of at most 128 kB make three or more.
    const split: ModelRef = { ...one, id: `${one.id}@split`, replica: { ...one.replica!, ggufFileBytes: 128 * 1024 } };
    const phi3 = testSizeReplica(entry('microsoft/Phi-3.5-mini-instruct'), 'q4_0');
    const gpt2 = testSizeReplica(entry('openai-community/gpt2'), 'q8_0');
    const results = await app.runSuite({ models: [one, split, phi3, gpt2], devices: ['wasm'], dtypes: ['f32'], engines: ['wllama'], workload });
    for (const r of results) {
      expect(r.state, `${r.model.id}: ${r.error?.message}`).toBe('completed');
      expect(r.engine).toBe('wllama');
      expect(r.generation!.tokens, r.model.id).toHaveLength(8);
      expect(r.generation!.decodeTokPerS, r.model.id).toBeGreaterThan(0);
    }
    const [whole, parts] = results;
    expect(whole!.replica!.files).toBe(1);
    expect(parts!.replica!.files).toBeGreaterThanOrEqual(3);
    expect(parts!.replica!.dataBytes).toBeGreaterThan(whole!.replica!.dataBytes);
    expect(parts!.model.bytes).toBe(parts!.replica!.dataBytes);
    // The same weights in other files: the same greedy path, token for token.
    expect(parts!.generation!.tokens).toEqual(whole!.generation!.tokens);
    expect(results[2]!.model.dtype).toBe('q4_0');
    expect(results[3]!.model.dtype).toBe('q8_0');
  }, 120_000);
});
