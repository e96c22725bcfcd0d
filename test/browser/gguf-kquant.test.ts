// llama.cpp's k-quants, checked against llama.cpp itself in real Chromium.
//  1. llama.cpp reads the numbers our decoder reads: a probe model (hidden size 256, one layer whose attention and MLP
//     outputs are zero matrices) whose only quantized tensor is token_embd, at Q4_K, Q6_K or Q5_0, so that the hidden
//     state after the last norm is RMSNorm(token_embd row) exactly; llama.cpp's embedding of a token (wllama's
//     createEmbedding, last-token pooling, no normalization) must equal RMSNorm of the row src/gguf decodes. llama.cpp
//     looks a token up by its type's reference dequantization (get_rows → dequantize_row_q4_K …), so this compares the
//     two dequantizations value for value. The page loads wllama's own ESM build from a loopback server of the test's.
//  2. tiny-llama at q4_k_m runs on the wllama engine and keeps most of f32's greedy tokens.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LlamaConfig } from '../../src/core/arch/configs.ts';
import type { RunResult } from '../../src/core/schema.ts';
import { GgmlType } from '../../src/gguf/format.ts';
import { bpeTokenizerKvs, llamaKvs, type BpeTokenizerJson } from '../../src/gguf/llama.ts';
import { decodeValues } from '../../src/gguf/quant.ts';
import { readGgufHeader } from '../../src/gguf/read.ts';
import { encodeGguf, type GgufTensor } from '../../src/gguf/write.ts';
import { useApp } from './fixture.ts';

const app = useApp();

const tinyConfig = JSON.parse(readFileSync('models/bundled/tiny-llama/config.json', 'utf8')) as LlamaConfig;
const tokenizer = JSON.parse(readFileSync('models/bundled/tiny-llama/tokenizer.json', 'utf8')) as BpeTokenizerJson;
const H = 256;
const V = tinyConfig.vocab_size;
const probeConfig: LlamaConfig = {
  ...tinyConfig,
  hidden_size: H,
  intermediate_size: 256,
  num_hidden_layers: 1,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  head_dim: 64,
};

/** Seeded values: rows of varied scale and offset (some all positive, some all negative), so scales and mins vary. */
function rows(seed: number, count: number, width: number): Float32Array {
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 4294967296);
  const out = new Float32Array(count * width);
  for (let r = 0; r < count; r++) {
    const [scale, offset] = [0.01 + next() * 2, r % 3 === 0 ? 0 : (next() - 0.5) * 3];
    for (let i = 0; i < width; i++) out[r * width + i] = offset + (next() - 0.5) * scale * (i % 37 === 0 ? 4 : 1);
  }
  return out;
}

/** The probe GGUF with token_embd at `type` (see the file comment). */
function probe(type: GgmlType): Uint8Array {
  const f32 = (name: string, dims: number[], values: Float32Array): GgufTensor => ({ name, dims, type: GgmlType.F32, values });
  const ones = (n: number) => new Float32Array(n).fill(1);
  const small = (seed: number, n: number) => rows(seed, 1, n).map((v) => v * 0.01);
  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [H, V], type, values: rows(7, V, H) },
    f32('blk.0.attn_norm.weight', [H], ones(H)),
    f32('blk.0.attn_q.weight', [H, H], small(1, H * H)),
    f32('blk.0.attn_k.weight', [H, H], small(2, H * H)),
    f32('blk.0.attn_v.weight', [H, H], small(3, H * H)),
    f32('blk.0.attn_output.weight', [H, H], new Float32Array(H * H)),
    f32('blk.0.ffn_norm.weight', [H], ones(H)),
    f32('blk.0.ffn_gate.weight', [H, 256], small(4, H * 256)),
    f32('blk.0.ffn_up.weight', [H, 256], small(5, H * 256)),
    f32('blk.0.ffn_down.weight', [256, H], new Float32Array(256 * H)),
    f32('output_norm.weight', [H], ones(H)),
    f32('output.weight', [H, V], small(6, H * V)),
  ];
  return encodeGguf([...llamaKvs(probeConfig, 'kquant-probe', 'f32'), ...bpeTokenizerKvs(tokenizer, probeConfig)], tensors);
}

/** RMSNorm of one row as llama.cpp computes it (sum of squares, then x / sqrt(mean + eps)). */
function rmsNorm(row: Float32Array): Float64Array {
  const mean = row.reduce((a, v) => a + v * v, 0) / row.length;
  const scale = Math.fround(1 / Math.sqrt(mean + tinyConfig.rms_norm_eps));
  return Float64Array.from(row, (v) => Math.fround(v * scale));
}

const TYPES = [GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q5_0] as const;
const TOKENS = [3, 4, 5, 100, 257, 511];
const files = new Map(TYPES.map((t) => [GgmlType[t], probe(t)]));
let server: Server;
let base = '';

beforeAll(async () => {
  const wllama = 'node_modules/@wllama/wllama/esm';
  const routes: Record<string, [string, () => Uint8Array | string]> = {
    '/': [
      'text/html',
      () => `<!doctype html><title>k-quant probe</title><script type="module">import { Wllama } from '/wllama/index.js'; window.Wllama = Wllama;</script>`,
    ],
    '/wllama/index.js': ['text/javascript', () => readFileSync(`${wllama}/index.js`)],
    '/wllama/wllama.wasm': ['application/wasm', () => readFileSync(`${wllama}/wasm/wllama.wasm`)],
    ...Object.fromEntries([...files].map(([name, bytes]) => [`/${name}.gguf`, ['application/octet-stream', () => bytes] as [string, () => Uint8Array]])),
  };
  server = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    // Cross-origin isolated, as wllama's threaded wasm needs SharedArrayBuffer.
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    if (!route) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': route[0] }).end(route[1]());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => (server ? server.close(() => ok()) : ok())));

it('llama.cpp dequantizes Q4_K, Q6_K and Q5_0 token embeddings to the values src/gguf decodes', async () => {
  const page = await app.browser.newPage();
  try {
    await page.goto(`${base}/`);
    await page.waitForFunction(() => 'Wllama' in window);
    const got = await page.evaluate(
      async ({ base, names, tokens }) => {
        const { Wllama } = window as unknown as typeof import('@wllama/wllama');
        const out: Record<string, number[][]> = {};
        for (const name of names) {
          const wllama = new Wllama({ default: `${base}/wllama/wllama.wasm` }, { suppressNativeLog: true, allowOffline: true });
          const blob = await (await fetch(`${base}/${name}.gguf`)).blob();
          await wllama.loadModel([blob], { n_threads: 1, n_ctx: 64, embeddings: true, pooling_type: 'last' });
          const r = await wllama.createEmbedding({ input: tokens.map((t) => [t]), embd_normalize: -1 });
          out[name] = r.data.map((d) => d.embedding as number[]);
          await wllama.exit();
        }
        return out;
      },
      { base, names: [...files.keys()], tokens: TOKENS },
    );
    const worstOf: string[] = [];
    for (const [name, bytes] of files) {
      const header = readGgufHeader(bytes, name);
      const embd = header.tensors.find((t) => t.name === 'token_embd.weight')!;
      expect(embd.typeName).toBe(name);
      const start = header.dataOffset + embd.offset;
      const decoded = decodeValues(GgmlType[name as keyof typeof GgmlType], bytes.subarray(start, start + embd.bytes), V * H);
      const original = rows(7, V, H);
      let most = 0;
      TOKENS.forEach((t, i) => {
        const mine = rmsNorm(decoded.subarray(t * H, (t + 1) * H));
        const theirs = got[name]![i]!;
        expect(theirs, `${name} token ${t}`).toHaveLength(H);
        const worst = Math.max(...theirs.map((v, j) => Math.abs(v - mine[j]!)));
        expect(worst, `${name} token ${t}: llama.cpp's value vs ours`).toBeLessThan(1e-5);
        most = Math.max(most, worst);
        // The check tells quantized values apart from the originals: they differ far beyond that tolerance.
        const fromOriginal = rmsNorm(original.subarray(t * H, (t + 1) * H));
        expect(Math.max(...theirs.map((v, j) => Math.abs(v - fromOriginal[j]!))), `${name} token ${t} vs unquantized`).toBeGreaterThan(1e-3);
      });
      worstOf.push(`${name} ${most.toExponential(1)}`);
    }
    console.log(`largest difference, llama.cpp vs src/gguf, over ${TOKENS.length} rows of ${H}: ${worstOf.join(', ')}`);
  } finally {
    await page.close();
  }
}, 60_000);

it('runs tiny-llama at q4_k_m on wllama, keeping most of f32 greedy tokens', async () => {
  const workload = { iterations: 1, warmup: 0, timeBudgetMs: 0, numThreads: 1, generation: { prompt: 'The small model on the phone', maxNewTokens: 32 } };
  const results = await app.runSuite({ models: ['tiny-llama'], devices: ['wasm'], dtypes: ['f32', 'q4_0', 'q4_k_m'], engines: ['wllama'], workload });
  const find = (dtype: string): RunResult => results.find((r) => r.model.dtype === dtype)!;
  expect(results.map((r) => `${r.model.dtype}:${r.state}`)).toEqual(['f32:completed', 'q4_0:completed', 'q4_k_m:completed']);
  const reference = find('f32').generation!.tokens;
  const agreement = (dtype: string) => find(dtype).generation!.tokens.filter((t, i) => t === reference[i]).length / reference.length;
  console.log(`tiny-llama greedy agreement with f32 over ${reference.length} tokens: q4_0 ${agreement('q4_0')}, q4_k_m ${agreement('q4_k_m')}`);
  expect(find('q4_k_m').generation!.tokens).toHaveLength(32);
  expect(find('q4_k_m').model.bytes).toBe(readFileSync('models/bundled/tiny-llama/gguf/model-q4_k_m.gguf').byteLength);
  expect(agreement('q4_k_m')).toBeGreaterThan(0.5);
}, 90_000);
