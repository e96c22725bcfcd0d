// The fuzzer's mutator (bench/fuzz/mutate.ts): seeded, every kind, and truncations where protobuf fields end.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeCorpus, MUTATION_KINDS, sampleCorpus } from '../../bench/fuzz/mutate.ts';
import { regionsOf, wireFields } from '../../bench/fuzz/wire.ts';

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
