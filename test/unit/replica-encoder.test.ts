// Encoder replicas (src/onnx/replica-encoder.ts): every catalog BERT / DistilBERT at full size against its
// published parameter count — graphs only, no weight bytes — and at test size (hidden 32, 2 layers) with each head,
// quantized, written and run in onnxruntime-web (Node, wasm) with the inputs the replica says to feed.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEncoderConfig, type EncoderHead } from '../../src/core/arch/encoder.ts';
import type { Catalog } from '../../src/core/catalog.ts';
import { InvalidInputError } from '../../src/core/vocab.ts';
import { inspectModel } from '../../src/onnx/inspect.ts';
import { quantizeGraph } from '../../src/onnx/quantize.ts';
import type { ReplicaGraph } from '../../src/onnx/replica-types.ts';
import { buildEncoderReplica, ENCODER_SEQUENCE } from '../../src/onnx/replica-encoder.ts';
import { replicaSession } from '../fixtures/replica-session.ts';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const encoders = (catalog.replicas ?? []).filter((r) => r.kind === 'encoder' && !r.unbuildable);

/**
 * The exact parameter count of each graph, recomputed from the architecture (catalog-facts' notes). The published
 * figures are rounded ("110M") or include what the export does not have: BERT-base's and MiniLM's counts include
 * the pooler (768² + 768, 384² + 384), which BertModel's feature-extraction export does not use.
 */
const EXACT: Record<string, number> = {
  'google-bert/bert-base-uncased': 108_891_648,
  'distilbert/distilbert-base-uncased': 66_362_880,
  'distilbert/distilbert-base-uncased-finetuned-sst-2-english': 66_955_010,
  'dslim/bert-base-NER': 107_726_601,
  'sentence-transformers/all-MiniLM-L6-v2': 22_565_376,
};
/** dslim/bert-base-NER's "110M" is BERT-base's figure; the NER model has the cased vocabulary (28,996) and no pooler: −2.07 %. */
const TOLERANCE: Record<string, number> = { 'dslim/bert-base-NER': 0.025 };

describe('full-size encoder replicas', () => {
  const rows: Record<string, string | number>[] = [];
  afterAll(() => console.table(rows));

  it.each(encoders.map((r) => r.id))('%s: the exact parameter count, within 2 %% of the published one, no weight bytes', (id) => {
    const entry = encoders.find((r) => r.id === id)!;
    const t0 = performance.now();
    const replica = buildEncoderReplica(parseEncoderConfig(entry.config, id));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(replica.model.graph!.initializer.filter((t) => t.synthetic).every((t) => !t.rawData?.byteLength)).toBe(true);
    const params = inspectModel(replica.model).params;
    expect(params).toBe(EXACT[id]);
    const published = entry.paramsPublished;
    if (published) expect(Math.abs(params / published - 1)).toBeLessThan(TOLERANCE[id] ?? 0.02);
    rows.push({
      id,
      head: replica.task,
      params,
      published: published ?? '—',
      'params diff': published ? `${((params / published - 1) * 100).toFixed(2)} %` : '—',
      'GMACs @128': +(replica.macs! / 1e9).toFixed(3),
      'activations MiB': +(replica.activationBytes / 2 ** 20).toFixed(1),
    });
  });

  it('have transformers.js’s I/O, and inputs for a run of 128 tokens', () => {
    const names = (r: ReplicaGraph) => [r.model.graph!.input.map((i) => i.name), r.model.graph!.output.map((o) => o.name)];
    const bert = buildEncoderReplica(parseEncoderConfig(encoders.find((r) => r.id === 'google-bert/bert-base-uncased')!.config, 'bert'));
    expect(names(bert)).toEqual([['input_ids', 'attention_mask', 'token_type_ids'], ['last_hidden_state']]);
    expect(bert.inputs).toEqual({
      input_ids: { shape: [1, 128], fill: 1 },
      attention_mask: { shape: [1, 128], fill: 1 },
      token_type_ids: { shape: [1, 128], fill: 0 },
    });
    const sst2 = buildEncoderReplica(parseEncoderConfig(encoders.find((r) => r.id.endsWith('sst-2-english'))!.config, 'sst2'));
    expect(names(sst2)).toEqual([['input_ids', 'attention_mask'], ['logits']]);
    expect(Object.keys(sst2.inputs)).toEqual(['input_ids', 'attention_mask']);
  });
});

/** Written as graph + external data, loaded, run once with the replica's own `inputs`; the one output. */
async function runOnce(replica: ReplicaGraph): Promise<ort.Tensor> {
  const session = await replicaSession(replica.model);
  try {
    const feeds = Object.fromEntries(
      Object.entries(replica.inputs).map(([name, { shape, fill }]) => {
        const n = shape!.reduce((a, b) => a * b, 1);
        return [name, new ort.Tensor('int64', new BigInt64Array(n).fill(BigInt(fill ?? 0)), shape!)];
      }),
    );
    const out = await session.run(feeds);
    return Object.values(out)[0]!;
  } finally {
    await session.release();
  }
}

const tinyBert = {
  model_type: 'bert',
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 64,
  vocab_size: 100,
  max_position_embeddings: 512,
  type_vocab_size: 2,
};
const tinyDistil = { model_type: 'distilbert', dim: 32, n_layers: 2, n_heads: 4, hidden_dim: 64, vocab_size: 100, max_position_embeddings: 512 };
const LABELS = { id2label: { 0: 'O', 1: 'B-X', 2: 'I-X' } };

describe('test-size encoder replicas run in onnxruntime-web', () => {
  const cases: [string, object, EncoderHead, number[]][] = [
    ['bert', tinyBert, 'feature-extraction', [1, ENCODER_SEQUENCE, 32]],
    ['bert', { ...tinyBert, ...LABELS }, 'text-classification', [1, 3]],
    ['bert', { ...tinyBert, ...LABELS }, 'token-classification', [1, ENCODER_SEQUENCE, 3]],
    ['distilbert', tinyDistil, 'feature-extraction', [1, ENCODER_SEQUENCE, 32]],
    ['distilbert', { ...tinyDistil, num_labels: 2 }, 'text-classification', [1, 2]],
  ];
  it.each(cases.flatMap(([type, config, head, dims]) => (['fp32', 'q8', 'q4'] as const).map((level) => [type, head, level, config, dims] as const)))(
    '%s %s at %s',
    async (_type, head, level, config, dims) => {
      const replica = buildEncoderReplica(parseEncoderConfig({ ...config, head }, 'tiny'));
      const report = quantizeGraph(replica.model, level);
      // q, k, v, out and the two MLP projections of both layers at least.
      if (level !== 'fp32') expect(report.quantized.length).toBeGreaterThanOrEqual(12);
      const out = await runOnce(replica);
      expect(out.dims).toEqual(dims);
      expect([...(out.data as Float32Array)].every(Number.isFinite)).toBe(true);
    },
  );

  it('a position table shorter than 128 shortens the run instead of indexing past it', async () => {
    const replica = buildEncoderReplica(parseEncoderConfig({ ...tinyBert, max_position_embeddings: 64 }, 'short'));
    expect(replica.inputs.input_ids!.shape).toEqual([1, 64]);
    expect((await runOnce(replica)).dims).toEqual([1, 64, 32]);
  });
});

describe('encoder configs', () => {
  it('MiniLM’s head_dim and a head from `architectures`, labels from id2label', () => {
    const c = parseEncoderConfig({ ...tinyBert, architectures: ['BertForTokenClassification'], ...LABELS }, 'x');
    expect(c).toMatchObject({ head: 'token-classification', labels: 3 });
    expect(parseEncoderConfig({ ...tinyBert, head_dim: 16 }, 'x')).toMatchObject({ heads: 4, headDim: 16 });
    expect(parseEncoderConfig({ ...tinyDistil, architectures: ['DistilBertForSequenceClassification'] }, 'x')).toMatchObject({
      head: 'text-classification',
      labels: 2,
    });
  });
  it('an unknown model_type is named, with the known ones', () => {
    expect(() => parseEncoderConfig({ ...tinyBert, model_type: 'roberta' }, 'replica:roberta-base')).toThrow(InvalidInputError);
    expect(() => parseEncoderConfig({ ...tinyBert, model_type: 'roberta' }, 'replica:roberta-base')).toThrow(
      /replica:roberta-base: no replica builder for encoder model_type "roberta"; known encoder types: bert, distilbert/,
    );
  });
  it('a missing field is named, with the model', () => {
    const { intermediate_size: _i, ...bert } = tinyBert;
    expect(() => parseEncoderConfig(bert, 'my-bert')).toThrow(/my-bert: config field "intermediate_size" is missing; a bert config needs it/);
    const { n_heads: _h, ...distil } = tinyDistil;
    expect(() => parseEncoderConfig(distil, 'my-distil')).toThrow(/my-distil: config field "n_heads" is missing/);
    expect(() => parseEncoderConfig({ ...tinyBert, num_attention_heads: 5 }, 'odd')).toThrow(/multiple of num_attention_heads/);
  });
});
