// Split GGUF files (src/gguf/split.ts), as llama.cpp's gguf-split writes them: a small replica forced into parts by a
// small cap, each part's header read back, the tensors adding up; the part check names a missing or misplaced part.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.ts';
import { GgufFormatError } from '../../src/gguf/format.ts';
import { checkGgufParts, readGgufHeader, type GgufPartHeader } from '../../src/gguf/read.ts';
import { ggufReplica, ggufReplicaParts } from '../../src/gguf/replica.ts';
import { splitFileName } from '../../src/gguf/split.ts';
import { gatherGguf, type GgufFile } from '../../src/gguf/write.ts';
import { testSizeConfig } from '../fixtures/replica-sizes.ts';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const config = testSizeConfig(catalog.replicas!.find((r) => r.id === 'HuggingFaceTB/SmolLM2-135M')!);

const bytesOf = (file: GgufFile): Uint8Array => gatherGguf(file);

describe('split GGUF', () => {
  const whole = ggufReplica(config, 'f32', 'smol');
  // A third of the whole file (plus room for the vocabulary in the first part's header): three or four parts.
  const cap = Math.ceil(whole.totalBytes / 3) + 4096;
  const split = ggufReplicaParts(config, 'f32', 'smol', cap);
  const read = split.parts.map((p, i) => ({ file: splitFileName('smol', i, split.parts.length), header: readGgufHeader(bytesOf(p), 'part', p.totalBytes) }));

  it('keeps a replica that fits the cap as one file with no split keys', () => {
    const one = ggufReplicaParts(config, 'f32', 'smol');
    expect(one.parts).toHaveLength(1);
    expect(one.parts[0]!.header).toEqual(whole.header);
    expect(readGgufHeader(one.parts[0]!.header, 'one', one.totalBytes).metadata.has('split.count')).toBe(false);
  });

  it('writes parts of at most the cap, each a valid GGUF with its own tensors, that add up to the whole', () => {
    expect(split.parts.length).toBeGreaterThanOrEqual(3);
    for (const p of split.parts) expect(p.totalBytes).toBeLessThanOrEqual(cap);
    expect(read.map((r) => r.header.metadata.get('split.no'))).toEqual(split.parts.map((_, i) => i));
    for (const { header } of read) {
      expect(header.metadata.get('split.count')).toBe(split.parts.length);
      expect(header.metadata.get('split.tensors.count')).toBe(whole.placed.length);
    }
    // The same tensors in the same order, none twice, none lost; the bytes of the tensors the same as the whole file's.
    expect(read.flatMap((r) => r.header.tensors.map((t) => t.name))).toEqual(whole.placed.map((t) => t.name));
    expect(read.reduce((s, r) => s + r.header.dataBytes, 0)).toBeLessThanOrEqual(whole.totalBytes);
    expect(split.placed.map((t) => t.bytes)).toEqual(whole.placed.map((t) => t.bytes));
    expect(split.totalBytes).toBe(split.parts.reduce((s, p) => s + p.totalBytes, 0));
    expect(() => checkGgufParts(read)).not.toThrow();
  });

  it('puts all the metadata in the first part and only the split keys in the others', () => {
    const [first, ...rest] = read;
    expect(first!.header.metadata.get('general.architecture')).toBe('llama');
    expect((first!.header.metadata.get('tokenizer.ggml.tokens') as string[]).length).toBe(256);
    for (const r of rest) expect([...r.header.metadata.keys()]).toEqual(['split.no', 'split.count', 'split.tensors.count']);
  });

  it('stores tensor data unchanged: a tensor in a later part has the same bytes as in the whole file', () => {
    const all = bytesOf(whole);
    const wholeHeader = readGgufHeader(all, 'whole');
    const last = read.at(-1)!;
    const t = last.header.tensors.at(-1)!;
    const partBytes = bytesOf(split.parts.at(-1)!);
    const w = wholeHeader.tensors.find((x) => x.name === t.name)!;
    const a = partBytes.subarray(last.header.dataOffset + t.offset, last.header.dataOffset + t.offset + t.bytes);
    const b = all.subarray(wholeHeader.dataOffset + w.offset, wholeHeader.dataOffset + w.offset + w.bytes);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('names llama.cpp split files <name>-00001-of-0000N.gguf', () => {
    expect(splitFileName('model', 0, 3)).toBe('model-00001-of-00003.gguf');
    expect(splitFileName('model', 11, 12)).toBe('model-00012-of-00012.gguf');
  });

  it('refuses a tensor larger than the cap, naming it', () => {
    expect(() => ggufReplicaParts(config, 'f32', 'smol', 20_000)).toThrow(
      /tensor "token_embd.weight" is 65536 bytes: it cannot go in a GGUF part of at most 20000 bytes/,
    );
  });

  it('names the file and the part for a missing, out-of-order or foreign part', () => {
    const fail = (parts: GgufPartHeader[]) => {
      try {
        checkGgufParts(parts);
      } catch (err) {
        expect(err).toBeInstanceOf(GgufFormatError);
        return (err as Error).message;
      }
      return 'no error';
    };
    const n = read.length;
    expect(fail([read[0]!, ...read.slice(2)])).toBe(
      `GGUF file "smol-00003-of-0000${n}.gguf": it is part 3 of ${n}, given as part 2: part 2 of ${n} is missing.`,
    );
    expect(fail(read.slice(0, -1))).toBe(`GGUF file "smol-0000${n - 1}-of-0000${n}.gguf": it is part ${n - 1} of ${n}: part ${n} of ${n} is missing.`);
    expect(fail([read[0]!, read[2]!, read[1]!, ...read.slice(3)])).toMatch(/"smol-00003-of-0000\d\.gguf": it is part 3 of \d, given as part 2/);
    expect(fail([read[0]!, read[1]!, read[1]!, ...read.slice(3)])).toMatch(
      /"smol-00002-of-0000\d\.gguf": it is part 2 of \d, given as part 3: the parts are out of order or repeated/,
    );
    expect(fail([read[1]!, ...read.slice(1)])).toMatch(/"smol-00002-of-0000\d\.gguf": it is part 2 of \d, given as part 1: part 1 of \d is missing/);
    const wholeRead = { file: 'whole.gguf', header: readGgufHeader(whole.header, 'whole', whole.totalBytes) };
    expect(fail([wholeRead, read[1]!])).toMatch(/"smol-00002-of-0000\d\.gguf": it was given as part 2, but "whole.gguf" is a whole model/);
    expect(fail([read[0]!, wholeRead])).toMatch(/"whole.gguf": it has no split.no: it is not a part of a split GGUF model/);
  });
});
