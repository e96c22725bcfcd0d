// The generated language models (src/onnx/build-llama.ts, build-bert.ts, build-tokenizer.ts), run in Node with
// onnxruntime-web's Node build (the wasm kernels the browser uses), and the same files through transformers.js
// (onnxruntime-node) as a check that the Hugging Face layout and I/O are what it expects.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedHfFiles } from '../../scripts/build-models.ts';
import type { Catalog, CatalogModel } from '../../src/core/catalog.ts';
import { bundledDir, bundledFile } from '../../src/core/catalog.ts';
import { DEFAULT_GENERATION } from '../../src/core/spec.ts';
import { bertParams, buildBert, type BertConfig, type BertHead } from '../../src/onnx/build-bert.ts';
import { buildLlama, llamaParams, type LlamaConfig } from '../../src/onnx/build-llama.ts';
import { buildBpeTokenizer, buildWordPieceTokenizer } from '../../src/onnx/build-tokenizer.ts';
import { inspectModel } from '../../src/onnx/inspect.ts';
import { decodeModel } from '../../src/onnx/model.ts';
import { quantizeModel, QUANTIZE_LEVELS } from '../../src/onnx/quantize.ts';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const entry = (id: string): CatalogModel => catalog.models.find((m) => m.id === id)!;
type LlamaSource = { generator: 'llama'; config: LlamaConfig; seed?: number };
type BertSource = { generator: 'bert'; head: BertHead; config: BertConfig; seed?: number };
const llamaSource = entry('tiny-llama').from as LlamaSource;
const cfg = llamaSource.config;
const D = cfg.head_dim ?? cfg.hidden_size / cfg.num_attention_heads;

const llamaFiles = generatedHfFiles(llamaSource);
const llama = llamaFiles['onnx/model.onnx'] as Uint8Array;
const bpe = new Tokenizer(JSON.parse(llamaFiles['tokenizer.json'] as string), JSON.parse(llamaFiles['tokenizer_config.json'] as string));

const int64 = (values: readonly number[], dims: number[]) =>
  new ort.Tensor(
    'int64',
    BigInt64Array.from(values, (v) => BigInt(v)),
    dims,
  );
const emptyPast = (batch = 1): Record<string, ort.Tensor> =>
  Object.fromEntries(
    Array.from({ length: cfg.num_hidden_layers }, (_, l) =>
      ['key', 'value'].map((kv) => [`past_key_values.${l}.${kv}`, new ort.Tensor('float32', new Float32Array(0), [batch, cfg.num_key_value_heads, 0, D])]),
    ).flat(),
  );
const presentAsPast = (out: ort.InferenceSession.ReturnType): Record<string, ort.Tensor> =>
  Object.fromEntries(
    Object.entries(out)
      .filter(([n]) => n.startsWith('present.'))
      .map(([n, t]) => [n.replace('present', 'past_key_values'), t]),
  );
/** Logits of the last position of batch row `row`. */
const lastLogits = (out: ort.InferenceSession.ReturnType, row = 0): Float32Array => {
  const t = out.logits!;
  const [, s, v] = t.dims as [number, number, number];
  return (t.data as Float32Array).slice((row * s + s - 1) * v, (row * s + s) * v);
};
const argmax = (x: Float32Array): number => x.reduce((best, v, i) => (v > x[best]! ? i : best), 0);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], logSeverityLevel: 3 });
}

/** Greedy decoding with the KV cache, as the ORT engine does it. */
async function greedy(s: ort.InferenceSession, prompt: readonly number[], n: number): Promise<number[]> {
  let past = emptyPast();
  let step = [...prompt];
  let pastLength = 0;
  const out: number[] = [];
  while (out.length < n) {
    const total = pastLength + step.length;
    const r = await s.run({
      input_ids: int64(step, [1, step.length]),
      attention_mask: int64(new Array<number>(total).fill(1), [1, total]),
      position_ids: int64(
        step.map((_, i) => pastLength + i),
        [1, step.length],
      ),
      ...past,
    });
    const next = argmax(lastLogits(r));
    out.push(next);
    past = presentAsPast(r);
    pastLength = total;
    step = [next];
  }
  return out;
}

describe('tiny Llama', () => {
  let fp32: ort.InferenceSession;
  const prompt = bpe.encode(DEFAULT_GENERATION.prompt).ids;
  beforeAll(async () => {
    fp32 = await session(llama);
  });
  afterAll(async () => {
    await fp32.release();
  });

  it('has the Optimum / transformers.js decoder I/O', () => {
    expect(fp32.inputNames).toEqual([
      'input_ids',
      'attention_mask',
      'position_ids',
      ...Array.from({ length: cfg.num_hidden_layers }, (_, l) => [`past_key_values.${l}.key`, `past_key_values.${l}.value`]).flat(),
    ]);
    expect(fp32.outputNames).toEqual(['logits', ...Array.from({ length: cfg.num_hidden_layers }, (_, l) => [`present.${l}.key`, `present.${l}.value`]).flat()]);
    const past = fp32.inputMetadata.find((m) => m.name === 'past_key_values.0.key')!;
    expect(past.isTensor && [past.type, past.shape]).toEqual(['float32', ['batch_size', cfg.num_key_value_heads, 'past_sequence_length', D]]);
  });

  it('KV cache: prefill N−1 then one decode step gives the logits of one full pass over N tokens', async () => {
    const ids = prompt.slice(0, 12);
    const n = ids.length;
    const full = await fp32.run({
      input_ids: int64(ids, [1, n]),
      attention_mask: int64(new Array<number>(n).fill(1), [1, n]),
      position_ids: int64(
        ids.map((_, i) => i),
        [1, n],
      ),
      ...emptyPast(),
    });
    expect(full.logits!.dims).toEqual([1, n, cfg.vocab_size]);
    expect(full['present.0.key']!.dims).toEqual([1, cfg.num_key_value_heads, n, D]);
    const prefill = await fp32.run({
      input_ids: int64(ids.slice(0, -1), [1, n - 1]),
      attention_mask: int64(new Array<number>(n - 1).fill(1), [1, n - 1]),
      position_ids: int64(
        ids.slice(0, -1).map((_, i) => i),
        [1, n - 1],
      ),
      ...emptyPast(),
    });
    const step = await fp32.run({
      input_ids: int64([ids[n - 1]!], [1, 1]),
      attention_mask: int64(new Array<number>(n).fill(1), [1, n]),
      position_ids: int64([n - 1], [1, 1]),
      ...presentAsPast(prefill),
    });
    expect(maxDiff(lastLogits(step), lastLogits(full))).toBeLessThan(1e-4);
    // The cache it returns is the full pass's cache.
    expect(maxDiff(step['present.1.value']!.data as Float32Array, full['present.1.value']!.data as Float32Array)).toBeLessThan(1e-5);
    // A prefill in two chunks (a past of 5, then 7 new tokens: the causal mask offset by the past) agrees too.
    const first = await fp32.run({
      input_ids: int64(ids.slice(0, 5), [1, 5]),
      attention_mask: int64([1, 1, 1, 1, 1], [1, 5]),
      position_ids: int64([0, 1, 2, 3, 4], [1, 5]),
      ...emptyPast(),
    });
    const rest = await fp32.run({
      input_ids: int64(ids.slice(5), [1, n - 5]),
      attention_mask: int64(new Array<number>(n).fill(1), [1, n]),
      position_ids: int64(
        ids.slice(5).map((_, i) => 5 + i),
        [1, n - 5],
      ),
      ...presentAsPast(first),
    });
    const restLogits = rest.logits!.data as Float32Array;
    const fullLogits = full.logits!.data as Float32Array;
    expect(maxDiff(restLogits, fullLogits.slice(5 * cfg.vocab_size))).toBeLessThan(1e-4);
  });

  it('attention_mask: a left-padded row in a batch gives the logits of the row alone', async () => {
    const a = prompt.slice(0, 9);
    const b = prompt.slice(3, 9); // 6 tokens, padded on the left to 9
    const pad = a.length - b.length;
    const ids = [...a, ...new Array<number>(pad).fill(cfg.pad_token_id!), ...b];
    const mask = [...a.map(() => 1), ...new Array<number>(pad).fill(0), ...b.map(() => 1)];
    // transformers.js's position ids: cumsum(mask) − 1, 1 where masked.
    const positions = [...a.map((_, i) => i), ...new Array<number>(pad).fill(1), ...b.map((_, i) => i)];
    const batch = await fp32.run({
      input_ids: int64(ids, [2, 9]),
      attention_mask: int64(mask, [2, 9]),
      position_ids: int64(positions, [2, 9]),
      ...emptyPast(2),
    });
    const alone = await fp32.run({
      input_ids: int64(b, [1, b.length]),
      attention_mask: int64(
        b.map(() => 1),
        [1, b.length],
      ),
      position_ids: int64(
        b.map((_, i) => i),
        [1, b.length],
      ),
      ...emptyPast(),
    });
    expect(maxDiff(lastLogits(batch, 1), lastLogits(alone))).toBeLessThan(1e-4);
    expect(Array.from(batch.logits!.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('greedy: 20 tokens that walk the vocabulary; q8 keeps them, every level runs', async () => {
    const reference = await greedy(fp32, prompt, 20);
    expect(new Set(reference).size).toBeGreaterThan(15);
    expect(reference.some((t) => [cfg.bos_token_id, cfg.eos_token_id, cfg.pad_token_id].includes(t))).toBe(false);
    expect(bpe.decode(reference, { skip_special_tokens: true }).length).toBeGreaterThan(20);
    const matches: Record<string, number> = {};
    for (const level of QUANTIZE_LEVELS) {
      const s = await session(quantizeModel(llama, level).bytes);
      const tokens = await greedy(s, prompt, 20);
      await s.release();
      matches[level] = tokens.filter((t, i) => t === reference[i]).length / reference.length;
    }
    console.log(`tiny-llama greedy tokens matching fp32 (20 after the default prompt): ${JSON.stringify(matches)}`);
    expect(matches.fp16).toBeGreaterThanOrEqual(0.9);
    expect(matches.q8).toBeGreaterThanOrEqual(0.8);
  });

  it('params: the formula, the graph and the catalog agree', () => {
    expect(inspectModel(decodeModel(llama)).params).toBe(llamaParams(cfg));
    expect(entry('tiny-llama').params).toBe(llamaParams(cfg));
    // 512·64 embeddings + 2 layers × (64·64·2 + 64·32·2 + 3·64·192 + 2·64) + 64 + 64·512 lm_head
    expect(llamaParams(cfg)).toBe(32_768 + 2 * (8_192 + 4_096 + 36_864 + 128) + 64 + 32_768);
  });
});

describe('tiny BERT heads', () => {
  const ids = (words: string) => new Tokenizer(JSON.parse(bertTok.tokenizer), JSON.parse(bertTok.config)).encode(words).ids;
  const bertTok = (() => {
    const files = generatedHfFiles(entry('tiny-bert').from as BertSource);
    return { tokenizer: files['tokenizer.json'] as string, config: files['tokenizer_config.json'] as string };
  })();

  it.each([
    ['tiny-bert', 'last_hidden_state', (b: number, s: number, c: BertConfig) => [b, s, c.hidden_size]],
    ['tiny-bert-sst', 'logits', (b: number, _s: number, c: BertConfig) => [b, Object.keys(c.id2label!).length]],
    ['tiny-bert-ner', 'logits', (b: number, s: number, c: BertConfig) => [b, s, Object.keys(c.id2label!).length]],
  ] as const)('%s: %s has the documented shape; padding does not change the real tokens', async (id, output, shape) => {
    const source = entry(id).from as BertSource;
    const bytes = generatedHfFiles(source)['onnx/model.onnx'] as Uint8Array;
    const s = await session(bytes);
    expect(s.inputNames).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    expect(s.outputNames).toEqual([output]);
    const a = ids('The river runs past the old mill.');
    const b = ids('Bread and coffee.');
    const n = a.length;
    const padded = [...a, ...b, ...new Array<number>(n - b.length).fill(0)];
    const mask = [...a.map(() => 1), ...b.map(() => 1), ...new Array<number>(n - b.length).fill(0)];
    const out = (
      await s.run({ input_ids: int64(padded, [2, n]), attention_mask: int64(mask, [2, n]), token_type_ids: int64(new Array<number>(2 * n).fill(0), [2, n]) })
    )[output]!;
    expect(out.dims).toEqual(shape(2, n, source.config));
    const alone = (
      await s.run({
        input_ids: int64(b, [1, b.length]),
        attention_mask: int64(
          b.map(() => 1),
          [1, b.length],
        ),
        token_type_ids: int64(
          b.map(() => 0),
          [1, b.length],
        ),
      })
    )[output]!;
    const data = out.data as Float32Array;
    const row = data.length / 2;
    // Row 1's real tokens (a per-token output) or its pooled logits match the unpadded run.
    const mine = id === 'tiny-bert-sst' ? data.slice(row) : data.slice(row, row + (alone.data as Float32Array).length);
    expect(maxDiff(mine, alone.data as Float32Array)).toBeLessThan(1e-4);
    expect(inspectModel(decodeModel(bytes)).params).toBe(bertParams(source.config, source.head));
    expect(entry(id).params).toBe(bertParams(source.config, source.head));
    await s.release();
  });
});

describe('tokenizers', () => {
  it('byte-level BPE: ids in the vocabulary, <s> first, exact round trip', () => {
    const cases = ['Small models run on the device in your hand.', 'Zebras quietly juggle 42 umbrellas — naïve café, 🙂!'];
    for (const text of cases) {
      const { ids, tokens } = bpe.encode(text);
      expect(ids[0]).toBe(cfg.bos_token_id);
      expect(tokens[0]).toBe('<s>');
      expect(ids.every((i) => i >= 0 && i < cfg.vocab_size)).toBe(true);
      expect(bpe.decode(ids, { skip_special_tokens: true })).toBe(text);
    }
    // Trained merges make common words one token.
    expect(bpe.encode(' the model', { add_special_tokens: false }).tokens).toEqual(['Ġthe', 'Ġmodel']);
    expect(Object.keys(JSON.parse(llamaFiles['tokenizer.json'] as string).model.vocab)).toHaveLength(cfg.vocab_size);
  });
  it('WordPiece: lowercased, [CLS] … [SEP], pairs get token types, no [UNK] for English', () => {
    const files = buildWordPieceTokenizer(1000, 512);
    const t = new Tokenizer(files.tokenizer, files.config);
    // (Decoding cleans up the space before , . ! ? as Hugging Face's clean_up_tokenization does, not before ; or :.)
    const text = 'The Librarian reads STORIES to children, quietly. Zebras juggle 42 apples!';
    const e = t.encode(text, { return_token_type_ids: true });
    expect(e.tokens[0]).toBe('[CLS]');
    expect(e.tokens.at(-1)).toBe('[SEP]');
    expect(e.tokens).not.toContain('[UNK]');
    expect(e.ids.every((i) => i >= 0 && i < 1000)).toBe(true);
    expect(t.decode(e.ids, { skip_special_tokens: true })).toBe(text.toLowerCase());
    const pair = t.encode('the river', { text_pair: 'the mill', return_token_type_ids: true });
    expect(pair.tokens).toEqual(['[CLS]', 'the', 'river', '[SEP]', 'the', 'mill', '[SEP]']);
    expect(pair.token_type_ids).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(Object.keys((files.tokenizer.model as { vocab: object }).vocab)).toHaveLength(1000);
  });
});

describe('determinism', () => {
  it('building twice gives identical bytes (models, tokenizers, configs)', () => {
    const again = generatedHfFiles(llamaSource);
    for (const [file, content] of Object.entries(llamaFiles)) {
      expect(Buffer.from(again[file]!).equals(Buffer.from(content)), file).toBe(true);
    }
    const bert = entry('tiny-bert-ner').from as BertSource;
    expect(Buffer.from(buildBert(bert.config, bert.head, 4)).equals(Buffer.from(buildBert(bert.config, bert.head, 4)))).toBe(true);
    expect(Buffer.from(buildLlama(cfg, 7)).equals(Buffer.from(buildLlama(cfg, 7)))).toBe(true);
    expect(Buffer.from(buildLlama(cfg, 7)).equals(Buffer.from(buildLlama(cfg, 8)))).toBe(false);
    expect(JSON.stringify(buildBpeTokenizer(300, 64))).toBe(JSON.stringify(buildBpeTokenizer(300, 64)));
  });
  it('hf-layout catalog models live in a model folder, levels under onnx/ with transformers.js suffixes', () => {
    const e = entry('tiny-llama');
    expect(e.layout).toBe('hf');
    expect(bundledDir(e)).toBe('bundled/tiny-llama');
    expect(bundledFile(e, 'fp32')).toBe('bundled/tiny-llama/onnx/model.onnx');
    expect(bundledFile(e, 'q8')).toBe('bundled/tiny-llama/onnx/model_quantized.onnx');
    expect(bundledFile(e, 'q4f16')).toBe('bundled/tiny-llama/onnx/model_q4f16.onnx');
    expect(bundledFile(entry('mlp-1m'), 'q4')).toBe('bundled/mlp-1m_q4.onnx');
    expect(bundledDir(entry('mlp-1m'))).toBeNull();
  });
});

describe('transformers.js loads the Hugging Face layout', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ondevice-lm-'));
    for (const id of ['tiny-llama', 'tiny-bert-sst']) {
      const files = generatedHfFiles(entry(id).from as LlamaSource | BertSource);
      const q8 = quantizeModel(files['onnx/model.onnx'] as Uint8Array, 'q8').bytes;
      for (const [file, content] of Object.entries({ ...files, 'onnx/model_quantized.onnx': q8 })) {
        mkdirSync(dirname(join(dir, id, file)), { recursive: true });
        writeFileSync(join(dir, id, file), content);
      }
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('text-generation: the pipeline makes our greedy text at fp32; q8 through model.generate keeps most tokens', async () => {
    const { env, pipeline, AutoModelForCausalLM, AutoTokenizer } = await import('@huggingface/transformers');
    env.localModelPath = `${dir}/`;
    env.allowRemoteModels = false;
    const prompt = DEFAULT_GENERATION.prompt;
    const promptIds = bpe.encode(prompt).ids;
    const generator = await pipeline('text-generation', 'tiny-llama', { dtype: 'fp32' });
    const [out] = (await generator(prompt, { max_new_tokens: 12, do_sample: false, return_full_text: false })) as { generated_text: string }[];
    await generator.dispose();
    const fp32 = await session(llama);
    const ours = await greedy(fp32, promptIds, 12);
    await fp32.release();
    expect(out!.generated_text).toBe(bpe.decode(ours, { skip_special_tokens: true }));
    // Its tokenizer adds <s> as ours does. q8 is compared by tokens, not exactly: native and wasm 8-bit kernels
    // may round a close call differently.
    const tokenizer = await AutoTokenizer.from_pretrained('tiny-llama');
    const inputs = tokenizer(prompt);
    expect((inputs.input_ids.tolist() as bigint[][])[0]!.map(Number)).toEqual(promptIds);
    const model = await AutoModelForCausalLM.from_pretrained('tiny-llama', { dtype: 'q8' });
    const generated = (await model.generate({ ...inputs, max_new_tokens: 12, do_sample: false })) as unknown as { tolist(): bigint[][] };
    await model.dispose();
    const q8 = generated.tolist()[0]!.slice(promptIds.length).map(Number);
    expect(q8).toHaveLength(12);
    expect(q8.filter((t, i) => t === ours[i]).length).toBeGreaterThanOrEqual(9);
    const classifier = await pipeline('text-classification', 'tiny-bert-sst', { dtype: 'fp32' });
    const [label] = (await classifier('The bread was fresh.')) as { label: string; score: number }[];
    expect(['NEGATIVE', 'POSITIVE']).toContain(label!.label);
    await classifier.dispose();
  });
});
