// phi3 and gpt2 GGUF replicas: llama.cpp's tensor names, shapes and metadata for each (src/gguf/replica-archs.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.ts';
import { readGgufHeader } from '../../src/gguf/read.ts';
import { ggufReplica, ggufReplicaProblem, replicaSpecialIds } from '../../src/gguf/replica.ts';
import { testSizeConfig } from '../fixtures/replica-sizes.ts';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const entry = (id: string) => catalog.replicas!.find((r) => r.id === id)!;
const header = (config: Record<string, unknown>, level: 'q4_0' | 'f32' = 'q4_0') => {
  const file = ggufReplica(config, level, 'test');
  return { file, h: readGgufHeader(file.header, 'test.gguf', file.totalBytes) };
};
const shape = (h: ReturnType<typeof readGgufHeader>, name: string) => h.tensors.find((t) => t.name === name)?.dims;

describe('phi3 GGUF replica', () => {
  it("fuses q/k/v into attn_qkv and gate/up into ffn_up, with llama.cpp's phi3 metadata (Phi-3.5-mini)", () => {
    const { h } = header(entry('microsoft/Phi-3.5-mini-instruct').config);
    expect(h.metadata.get('general.architecture')).toBe('phi3');
    const meta = Object.fromEntries([...h.metadata].filter(([k]) => k.startsWith('phi3.')));
    expect(meta).toMatchObject({
      'phi3.context_length': 131072,
      'phi3.embedding_length': 3072,
      'phi3.block_count': 32,
      'phi3.feed_forward_length': 8192,
      'phi3.attention.head_count': 32,
      'phi3.attention.head_count_kv': 32,
      'phi3.rope.dimension_count': 96,
      'phi3.rope.freq_base': 10000,
      'phi3.rope.scaling.original_context_length': 4096,
      'phi3.attention.sliding_window': 262144,
    });
    expect(meta['phi3.attention.layer_norm_rms_epsilon']).toBeCloseTo(1e-5, 10);
    // longrope: √(1 + ln 32 / ln 4096)
    expect(meta['phi3.rope.scaling.attn_factor']).toBeCloseTo(Math.sqrt(1 + Math.log(32) / Math.log(4096)), 6);
    expect(h.metadata.has('phi3.attention.key_length')).toBe(false);
    const block = h.tensors.filter((t) => t.name.startsWith('blk.0.')).map((t) => `${t.name.slice(6)}:${t.typeName}`);
    expect(block).toEqual([
      'attn_norm.weight:F32',
      'attn_qkv.weight:Q4_0',
      'attn_output.weight:Q4_0',
      'ffn_norm.weight:F32',
      'ffn_up.weight:Q4_0',
      'ffn_down.weight:Q4_0',
    ]);
    expect(shape(h, 'blk.0.attn_qkv.weight')).toEqual([3072, 3 * 3072]);
    expect(shape(h, 'blk.0.ffn_up.weight')).toEqual([3072, 2 * 8192]);
    expect(shape(h, 'blk.0.ffn_down.weight')).toEqual([8192, 3072]);
    expect(shape(h, 'rope_factors_long.weight')).toEqual([48]);
    expect(shape(h, 'rope_factors_short.weight')).toEqual([48]);
    expect(h.tensors.map((t) => t.name).filter((n) => !n.startsWith('blk.'))).toEqual([
      'token_embd.weight',
      'rope_factors_long.weight',
      'rope_factors_short.weight',
      'output_norm.weight',
      'output.weight',
    ]);
    expect(h.tensors).toHaveLength(32 * 6 + 5);
  });

  it('counts the published parameters: 3.82 B, about 2.15 GB at q4_0 (over the 2 GiB a wllama file holds)', () => {
    const { file, h } = header(entry('microsoft/Phi-3.5-mini-instruct').config);
    const params = h.tensors.filter((t) => !t.name.startsWith('rope_factors')).reduce((s, t) => s + t.dims.reduce((a, b) => a * b, 1), 0);
    expect(params).toBe(entry('microsoft/Phi-3.5-mini-instruct').paramsPublished);
    expect(file.totalBytes).toBeGreaterThan(2 ** 31 - 1);
    expect(file.totalBytes).toBeLessThan(2.2e9);
  });

  it('at test size: no sliding window in the config writes 0, a config without longrope writes no rope factors', () => {
    const config = { ...testSizeConfig(entry('microsoft/Phi-3.5-mini-instruct')), sliding_window: null, rope_scaling: null };
    const { h } = header(config, 'f32');
    expect(h.metadata.get('phi3.attention.sliding_window')).toBe(0);
    expect(h.metadata.has('phi3.rope.scaling.attn_factor')).toBe(false);
    expect(h.tensors.some((t) => t.name.startsWith('rope_factors'))).toBe(false);
    expect(shape(h, 'blk.1.attn_qkv.weight')).toEqual([64, 64 + 2 * 64]);
  });

  it("refuses a phi3 config whose heads do not tile the hidden size (llama.cpp's phi3 attn_output is [H, H])", () => {
    const config = { ...testSizeConfig(entry('microsoft/Phi-3.5-mini-instruct')), head_dim: 32 };
    expect(ggufReplicaProblem(config)).toMatch(/phi3 needs num_attention_heads × head_dim \(4 × 32\) to equal hidden_size \(64\)/);
  });
});

describe('gpt2 GGUF replica', () => {
  it('writes learned positions, fused attn_qkv, LayerNorm and Linear biases, tied output, and gpt2.* metadata (GPT-2 124M)', () => {
    const { h } = header(entry('openai-community/gpt2').config);
    expect(h.metadata.get('general.architecture')).toBe('gpt2');
    expect(h.metadata.get('gpt2.context_length')).toBe(1024);
    expect(h.metadata.get('gpt2.embedding_length')).toBe(768);
    expect(h.metadata.get('gpt2.feed_forward_length')).toBe(3072);
    expect(h.metadata.get('gpt2.block_count')).toBe(12);
    expect(h.metadata.get('gpt2.attention.head_count')).toBe(12);
    expect(h.metadata.get('gpt2.attention.layer_norm_epsilon')).toBeCloseTo(1e-5, 10);
    expect(shape(h, 'position_embd.weight')).toEqual([768, 1024]);
    expect(h.tensors.find((t) => t.name === 'position_embd.weight')!.typeName).toBe('F32');
    expect(shape(h, 'blk.0.attn_qkv.weight')).toEqual([768, 2304]);
    expect(shape(h, 'blk.0.attn_qkv.bias')).toEqual([2304]);
    expect(h.tensors.filter((t) => t.name.startsWith('blk.0.'))).toHaveLength(12);
    expect(h.tensors.some((t) => t.name === 'output.weight')).toBe(false);
    expect(h.tensors.map((t) => t.name).slice(-2)).toEqual(['output_norm.weight', 'output_norm.bias']);
    // 124,439,808 parameters, GPT-2's published count.
    expect(h.tensors.reduce((s, t) => s + t.dims.reduce((a, b) => a * b, 1), 0)).toBe(124_439_808);
  });
});

describe('the synthetic vocabulary', () => {
  it('moves special ids past a shrunk vocabulary to the lowest free ids, and never names the model in general.name', () => {
    const config = testSizeConfig(entry('microsoft/Phi-3.5-mini-instruct')); // bos 1, eos 32000, vocab 256
    expect(replicaSpecialIds(config as never)).toEqual({ bos: 1, eos: [0] });
    const { h } = header(config, 'f32');
    expect(h.metadata.get('tokenizer.ggml.eos_token_id')).toBe(0);
    expect((h.metadata.get('tokenizer.ggml.tokens') as string[]).slice(0, 3)).toEqual(['<|special_0|>', '<|special_1|>', 'Ā']);
    expect(h.metadata.get('general.name')).toBe('ondevice synthetic replica');
    expect(h.metadata.get('ondevice.replica_of')).toBe('test');
  });
});
