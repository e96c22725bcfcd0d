import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replicaLevels, type Catalog } from '../../src/core/catalog.ts';
import { permuteRotary, transposeKN } from '../../src/gguf/llama.ts';
import { readGgufHeader } from '../../src/gguf/read.ts';
import { ggufReplica, ggufReplicaProblem, replicaPromptText } from '../../src/gguf/replica.ts';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const replica = (id: string) => catalog.replicas!.find((r) => r.id === id)!;

describe('llama → GGUF conventions', () => {
  it('transposes a MatMul weight [K, N] into a Linear weight [N, K]', () => {
    expect([...transposeKN(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3)]).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it("permutes q/k rows within each head from rotate-half pairs (i, i + D/2) to llama.cpp's adjacent pairs (2i, 2i + 1)", () => {
    // 2 heads of D = 4, one input column: rows h·4 + [0, 1, 2, 3] become h·4 + [0, 2, 1, 3].
    const rows = Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13]);
    expect([...permuteRotary(rows, 2, 4, 1)]).toEqual([0, 2, 1, 3, 10, 12, 11, 13]);
  });

  it("tiny-llama's GGUF files carry llama.cpp's metadata, tokenizer and tensor names", () => {
    const h = readGgufHeader(new Uint8Array(readFileSync('models/bundled/tiny-llama/gguf/model-q4_0.gguf')), 'model-q4_0.gguf');
    expect(h.metadata.get('general.architecture')).toBe('llama');
    expect(h.metadata.get('general.file_type')).toBe(2);
    expect(h.metadata.get('llama.attention.head_count_kv')).toBe(2);
    expect(h.metadata.get('llama.rope.dimension_count')).toBe(16);
    expect(h.metadata.get('tokenizer.ggml.model')).toBe('gpt2');
    expect((h.metadata.get('tokenizer.ggml.tokens') as string[]).slice(0, 3)).toEqual(['<pad>', '<s>', '</s>']);
    expect(h.tensors.map((t) => `${t.name}:${t.typeName}`).slice(0, 4)).toEqual([
      'token_embd.weight:Q4_0',
      'blk.0.attn_norm.weight:F32',
      'blk.0.attn_q.weight:Q4_0',
      'blk.0.attn_k.weight:Q4_0',
    ]);
    expect(h.tensors.find((t) => t.name === 'blk.0.attn_k.weight')!.dims).toEqual([64, 32]);
    expect(h.tensors.at(-1)!.name).toBe('output.weight');
  });
});

describe('GGUF replicas', () => {
  it('lays out SmolLM2-135M at q8_0 with its shapes, tied embeddings and a synthetic vocabulary, without making the weights', () => {
    const file = ggufReplica(replica('HuggingFaceTB/SmolLM2-135M').config, 'q8_0', 'replica:SmolLM2-135M');
    const h = readGgufHeader(file.header, 'smollm2.gguf', file.totalBytes);
    expect(h.metadata.get('llama.block_count')).toBe(30);
    expect((h.metadata.get('tokenizer.ggml.tokens') as string[]).length).toBe(49152);
    expect(h.tensors).toHaveLength(1 + 30 * 9 + 1); // no output.weight: tied to token_embd
    // Q8_0 is 34 bytes per 32 values: the file is about 135 M × 34/32 bytes.
    expect(file.totalBytes / 134.5e6).toBeGreaterThan(1.0);
    expect(file.totalBytes / 134.5e6).toBeLessThan(1.1);
  });

  it('adds q/k/v biases for qwen2, and refuses architectures the replica writer does not know', () => {
    const file = ggufReplica(replica('Qwen/Qwen2.5-0.5B').config, 'q4_0', 'qwen');
    const h = readGgufHeader(file.header, 'qwen.gguf', file.totalBytes);
    expect(h.metadata.get('general.architecture')).toBe('qwen2');
    expect(h.tensors.some((t) => t.name === 'blk.0.attn_q.bias')).toBe(true);
    expect(ggufReplicaProblem({ model_type: 'falcon' })).toMatch(
      /written for the llama, mistral, qwen2, phi3, gemma2, gpt2 architectures; this model is falcon/,
    );
    expect(replicaLevels(replica('HuggingFaceTB/SmolLM2-135M'))).toContain('q4_0');
    expect(replicaLevels(replica('openai-community/gpt2'))).toContain('q4_0');
  });

  it("writes gemma2 with llama.cpp's gemma2 names: the post-attention and post-FFN norms, its window and caps, no output tensor", () => {
    const file = ggufReplica(replica('google/gemma-2-2b').config, 'q4_0', 'gemma');
    const h = readGgufHeader(file.header, 'gemma.gguf', file.totalBytes);
    expect(h.metadata.get('general.architecture')).toBe('gemma2');
    expect(h.metadata.get('gemma2.attention.key_length')).toBe(256);
    expect(h.metadata.get('gemma2.attention.sliding_window')).toBe(4096);
    expect(h.metadata.get('gemma2.attn_logit_softcapping')).toBe(50);
    expect(h.metadata.get('gemma2.final_logit_softcapping')).toBe(30);
    const block = h.tensors.filter((t) => t.name.startsWith('blk.0.')).map((t) => t.name.slice(6));
    expect(block.sort()).toEqual(
      ['attn_k', 'attn_norm', 'attn_output', 'attn_q', 'attn_v', 'ffn_down', 'ffn_gate', 'ffn_norm', 'ffn_up', 'post_attention_norm', 'post_ffw_norm'].map(
        (n) => `${n}.weight`,
      ),
    );
    expect(h.tensors).toHaveLength(1 + 26 * 11 + 1);
    // 2.6 B parameters at 18/32 bytes each (Q4_0), norms at fp32: about 1.47 GB, under wllama's 2 GiB per file.
    expect(file.totalBytes).toBeGreaterThan(1.4e9);
    expect(file.totalBytes).toBeLessThan(2 ** 31 - 1);
    expect(replicaLevels(replica('google/gemma-2-2b'))).toContain('q4_0');
  });

  it('writes a prompt of N ids as N letters', () => {
    expect(replicaPromptText([0, 1, 25, 26, 49151])).toMatch(/^[a-z]{5}$/);
  });
});
