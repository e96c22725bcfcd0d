// The GGUF replicas' fit check (src/gguf/fit.ts): the file's bytes and llama.cpp's f16 KV cache for its context,
// held against the WASM heap as the ONNX replicas are, before anything is written.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.ts';
import { fitProblem, WASM_HEAP_LIMIT_BYTES } from '../../src/core/fit.ts';
import { ggufReplicaFit } from '../../src/gguf/fit.ts';
import { ggufReplica } from '../../src/gguf/replica.ts';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const config = (id: string) => catalog.replicas!.find((r) => r.id === id)!.config;
const heap = { wasmHeapBytes: WASM_HEAP_LIMIT_BYTES };

describe('ggufReplicaFit', () => {
  it('counts the file and a KV cache of 2 × layers × context × KV heads × head size × 2 bytes', () => {
    const c = config('Qwen/Qwen2.5-0.5B');
    const file = ggufReplica(c, 'q8_0', 'qwen');
    const e = ggufReplicaFit(c, file, 4096);
    expect(e.weightBytes).toBe(file.totalBytes);
    // Qwen2.5-0.5B: 24 layers, 2 KV heads of 64.
    expect(e.kvCacheBytes).toBe(2 * 24 * 4096 * 2 * 64 * 2);
    expect(e.largestTensorBytes).toBe(Math.max(...file.placed.map((t) => t.bytes)));
    expect(e.totalBytes).toBe(file.totalBytes + e.kvCacheBytes);
    expect(fitProblem(e, 'wasm', heap)).toBeNull();
  });

  it('refuses Llama-3.1-8B at q8_0 and q4_0 with the numbers (q4_0: 4.21 GiB of file and 0.50 GiB of KV cache)', () => {
    const c = config('meta-llama/Llama-3.1-8B');
    const q8 = ggufReplicaFit(c, ggufReplica(c, 'q8_0', 'llama'), 4096);
    expect(fitProblem(q8, 'wasm', heap)).toMatch(
      /^Will not fit: needs 8\.45 GiB \(weights 7\.95 GiB \+ KV cache 0\.50 GiB at 4096 tokens \+ activations 0\.0 MiB\); the WASM heap allows 4\.00 GiB/,
    );
    const q4 = ggufReplicaFit(c, ggufReplica(c, 'q4_0', 'llama'), 4096);
    expect(fitProblem(q4, 'wasm', heap)).toMatch(/^Will not fit: needs 4\.71 GiB \(weights 4\.21 GiB \+ KV cache 0\.50 GiB/);
    // Not the context: at 128 tokens its 4.21 GiB of weights alone are over the heap.
    expect(fitProblem(ggufReplicaFit(c, ggufReplica(c, 'q4_0', 'llama'), 128), 'wasm', heap)).toMatch(/^Will not fit/);
  });
});
