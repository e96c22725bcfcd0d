// The fuzzer's mutator (bench/fuzz/mutate.ts): seeded, every kind, and truncations where protobuf fields end.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeCorpus, MUTATION_KINDS, sampleCorpus } from '../../bench/fuzz/mutate.ts';
import { regionsOf, wireFields } from '../../bench/fuzz/wire.ts';
import { decodeModel, encodeModel } from '../../src/onnx/model.ts';
import { quantizeModel } from '../../src/onnx/quantize.ts';
import { floatTensor } from '../../src/onnx/tensor.ts';

const base = { id: 'ppocr-v2-cls', bytes: new Uint8Array(readFileSync('models/bundled/ppocr-v2-cls.onnx')) };

describe('the fuzz mutator', () => {
  const corpus = makeCorpus([base], 2);
  it('makes the same files from the same seed, and others from another', () => {
    const again = makeCorpus([base], 2);
    expect(again.map((m) => m.detail)).toEqual(corpus.map((m) => m.detail));
    expect(again.every((m, i) => Buffer.from(m.bytes).equals(Buffer.from(corpus[i]!.bytes)))).toBe(true);
    expect(makeCorpus([base], 2, 7).map((m) => m.detail)).not.toEqual(corpus.map((m) => m.detail));
  });
  it('makes every kind, each file different from the model', () => {
    expect(corpus).toHaveLength(2 * MUTATION_KINDS.length);
    expect(new Set(corpus.map((m) => m.kind))).toEqual(new Set(MUTATION_KINDS));
    for (const m of corpus) expect(Buffer.from(m.bytes).equals(Buffer.from(base.bytes))).toBe(false);
  });
  it('finds the fields of the file and of its graph, and cuts at their boundaries', () => {
    const top = wireFields(base.bytes);
    expect(top.at(-1)!.end).toBe(base.bytes.length);
    expect(top.some((f) => f.no === 7 && f.wire === 2)).toBe(true);
    const { boundaries, header, graph, weights } = regionsOf(base.bytes);
    expect(header.length).toBeGreaterThan(0);
    expect(graph.length).toBeGreaterThan(0);
    expect(weights.length).toBeGreaterThan(0);
    for (const m of corpus.filter((x) => x.kind === 'truncate')) expect(boundaries.includes(m.bytes.length) || m.bytes.length < 16).toBe(true);
  });
  it('samples evenly over the corpus', () => {
    expect(sampleCorpus(corpus, 10)).toHaveLength(10);
    expect(new Set(sampleCorpus(corpus, 15).map((m) => m.kind)).size).toBe(15);
  });
});

describe('the quantizer on files the fuzzer found', () => {
  const mlp = new Uint8Array(readFileSync('models/bundled/mlp-1m.onnx'));
  it('a weight whose shape claims more values than it holds: refused naming the file, the level and the weight', () => {
    const m = decodeModel(mlp);
    const w = m.graph!.initializer.find((t) => t.name === 'layer0.weight')!;
    w.dims = [256, 2048];
    const err = (() => {
      try {
        quantizeModel(encodeModel(m), 'q8', {}, 'Model "bad.onnx"');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.name).toBe('OnnxFormatError');
    expect(err?.message).toBe(
      'Model "bad.onnx" could not be made q8: weight "layer0.weight" declares shape [256, 2048] (524288 values) but holds 262144: the file is damaged or not a valid ONNX model',
    );
  });
  it('a Conv whose weight is not [Cout, Cin, …] is left float with the reason (it crashed the writer before)', () => {
    const m = decodeModel(base.bytes);
    const conv = m.graph!.node.find((n) => n.opType === 'Conv')!;
    m.graph!.node.unshift({
      opType: 'Constant',
      input: [],
      output: [conv.input[1]!],
      name: 'scalar',
      domain: '',
      attribute: [{ name: 'value', type: 4, t: floatTensor('s', [], [1]) }],
    });
    m.graph!.node = m.graph!.node.filter((n) => !(n.opType === 'Constant' && n.name !== 'scalar' && n.output[0] === conv.input[1]));
    const { report } = quantizeModel(encodeModel(m), 'q8');
    expect(report.skipped).toContainEqual({ node: conv.name, op: 'Conv', reason: 'weight has rank 0; a Conv weight is [Cout, Cin, …] (rank 3 or more)' });
  });
  it('what the quantizer cannot read yet is UnsupportedError', () => {
    const m = decodeModel(mlp);
    const w = m.graph!.initializer[0]!;
    w.dataLocation = 1;
    w.externalData = [{ key: 'location', value: 'missing.bin' }];
    expect(() => quantizeModel(encodeModel(m), 'q4', {}, 'Model "x"')).toThrow(expect.objectContaining({ name: 'UnsupportedError' }));
  });
});
