import { describe, expect, it } from 'vitest';
import { GgmlType, GgufFormatError, GgufValueType } from '../../src/gguf/format.ts';
import { decodeValues, encodedBytes, encodeValues } from '../../src/gguf/quant.ts';
import { readGgufHeader } from '../../src/gguf/read.ts';
import { encodeGguf, kv, layoutGguf } from '../../src/gguf/write.ts';

const encode = (type: GgmlType, values: number[]): Uint8Array => {
  const out = new Uint8Array(encodedBytes(type, values.length));
  encodeValues(type, Float32Array.from(values), out);
  return out;
};

describe('GGUF block quantization (ggml reference rules)', () => {
  it('Q8_0: d = absmax/127, q = round(x/d), stored after an fp16 d', () => {
    // absmax 2.54 → d = 0.02; 1.0 / 0.02 = 50, −2.54 → −127, 0.01 → 0.5 → 1 (half away from zero), −0.01 → −1.
    const values = [1, -2.54, 0.01, -0.01, ...new Array(28).fill(0)];
    const b = encode(GgmlType.Q8_0, values);
    expect(b.length).toBe(34);
    const d = new DataView(b.buffer).getUint16(0, true);
    expect(d).toBe(0x251f); // fp16 of 0.02 (0.0200043)
    expect([...new Int8Array(b.buffer, 2, 4)]).toEqual([50, -127, 1, -1]);
    const back = decodeValues(GgmlType.Q8_0, b, 32);
    expect(back[1]).toBeCloseTo(-2.54, 2);
  });

  it('Q4_0: d = m/−8 for the value m of largest magnitude, q = min(15, trunc(x/d + 8.5)), low nibble j, high j+16', () => {
    // m = −4 → d = 0.5: −4 → 0, 3.5 → 15, 4 would be 16 → clamped to 15, 0.26 → 8.52+8.5 → trunc(9.02) = 9.
    const values = new Array(32).fill(0);
    values[0] = -4;
    values[1] = 3.5;
    values[16] = 0.26;
    values[17] = 1;
    const b = encode(GgmlType.Q4_0, values);
    expect(b.length).toBe(18);
    expect(new DataView(b.buffer).getUint16(0, true)).toBe(0x3800); // fp16 0.5
    expect(b[2]).toBe(0 | (9 << 4)); // value 0 → 0, value 16 → 9
    expect(b[3]).toBe(15 | (10 << 4)); // value 1 → 15, value 17 (1/0.5 + 8.5 = 10.5) → 10
    expect(b[4]).toBe(8 | (8 << 4)); // zeros → 8
    const back = decodeValues(GgmlType.Q4_0, b, 32);
    expect([back[0], back[1], back[16], back[17], back[2]]).toEqual([-4, 3.5, 0.5, 1, 0]);
  });

  it('Q4_0 of a positive maximum gives a negative d, so the maximum maps to q 0 exactly', () => {
    const values = Array.from({ length: 32 }, (_, i) => (i - 10) / 10);
    const back = decodeValues(GgmlType.Q4_0, encode(GgmlType.Q4_0, values), 32);
    expect(back[31]).toBeCloseTo(2.1, 3);
    for (let i = 0; i < 32; i++) expect(Math.abs(back[i]! - values[i]!)).toBeLessThanOrEqual(2.1 / 8 / 2 + 1e-3);
  });

  it('an all-zero block has d = 0 and decodes to zeros', () => {
    for (const t of [GgmlType.Q8_0, GgmlType.Q4_0])
      expect([...decodeValues(t, encode(t, new Array(32).fill(0)), 32)].map((x) => x + 0)).toEqual(new Array(32).fill(0));
  });

  it('F16 rounds to nearest even and F32 is exact', () => {
    const v = [1, 1 / 3, -65504, 1e-8];
    expect([...decodeValues(GgmlType.F32, encode(GgmlType.F32, v), 4)]).toEqual(v.map(Math.fround));
    const h = decodeValues(GgmlType.F16, encode(GgmlType.F16, v), 4);
    expect(h[1]).toBeCloseTo(1 / 3, 3);
    expect(h[2]).toBe(-65504);
  });
});

const tensorsOf = () => [
  { name: 'a.weight', dims: [64, 3], type: GgmlType.Q8_0, values: Float32Array.from({ length: 192 }, (_, i) => Math.sin(i)) },
  { name: 'b.weight', dims: [5], type: GgmlType.F32, values: Float32Array.from([1, 2, 3, 4, 5]) },
  {
    name: 'c.weight',
    dims: [32, 2],
    type: GgmlType.Q4_0,
    values: (start: number, count: number) => Float32Array.from({ length: count }, (_, i) => (start + i) / 64),
  },
];

describe('GGUF writer and reader', () => {
  const meta = [
    kv.str('general.architecture', 'llama'),
    kv.u32('llama.block_count', 2),
    kv.f32('llama.rope.freq_base', 10000),
    kv.strings('tokenizer.ggml.tokens', ['<s>', 'a', 'ĠHello']),
    kv.i32s('tokenizer.ggml.token_type', [3, 1, 1]),
    kv.bool('tokenizer.ggml.add_bos_token', true),
  ];

  it('round-trips metadata, tensor infos and data at aligned offsets', () => {
    const bytes = encodeGguf(meta, tensorsOf());
    const h = readGgufHeader(bytes, 'x.gguf');
    expect(h.version).toBe(3);
    expect(h.metadata.get('general.architecture')).toBe('llama');
    expect(h.metadata.get('llama.block_count')).toBe(2);
    expect(h.metadata.get('llama.rope.freq_base')).toBe(10000);
    expect(h.metadata.get('tokenizer.ggml.tokens')).toEqual(['<s>', 'a', 'ĠHello']);
    expect(h.metadata.get('tokenizer.ggml.token_type')).toEqual([3, 1, 1]);
    expect(h.metadata.get('tokenizer.ggml.add_bos_token')).toBe(true);
    expect(h.tensors.map((t) => [t.name, t.typeName, t.dims, t.offset % 32])).toEqual([
      ['a.weight', 'Q8_0', [64, 3], 0],
      ['b.weight', 'F32', [5], 0],
      ['c.weight', 'Q4_0', [32, 2], 0],
    ]);
    expect(h.dataOffset % 32).toBe(0);
    expect(bytes.length).toBe(h.dataOffset + h.dataBytes);
    const at = (name: string) => h.tensors.find((t) => t.name === name)!;
    const slice = (name: string) => bytes.subarray(h.dataOffset + at(name).offset, h.dataOffset + at(name).offset + at(name).bytes);
    expect([...decodeValues(GgmlType.F32, slice('b.weight'), 5)]).toEqual([1, 2, 3, 4, 5]);
    const a = decodeValues(GgmlType.Q8_0, slice('a.weight'), 192);
    for (let i = 0; i < 192; i++) expect(Math.abs(a[i]! - Math.sin(i))).toBeLessThan(1 / 127);
    const c = decodeValues(GgmlType.Q4_0, slice('c.weight'), 64);
    expect(c[63]).toBeCloseTo(63 / 64, 2);
  });

  it('streams the same bytes in small chunks as in one buffer', async () => {
    const whole = encodeGguf(meta, tensorsOf());
    const file = layoutGguf(meta, tensorsOf(), 100);
    const parts: Uint8Array[] = [];
    await file.write((c) => void parts.push(c.slice()));
    expect(parts.length).toBeGreaterThan(3);
    expect(Buffer.concat(parts).equals(Buffer.from(whole))).toBe(true);
    expect(file.totalBytes).toBe(whole.length);
  });

  it('refuses a block type whose rows are not whole blocks, and duplicate names', () => {
    expect(() => layoutGguf([], [{ name: 'x', dims: [30], type: GgmlType.Q8_0, values: new Float32Array(30) }])).toThrow(/multiple of 32/);
    expect(() => layoutGguf([], [tensorsOf()[1]!, tensorsOf()[1]!])).toThrow(/listed twice/);
  });
});

describe('GGUF reader: bad files get a message naming the file and what is wrong', () => {
  const good = encodeGguf([kv.str('general.architecture', 'llama')], tensorsOf());
  const problem = (bytes: Uint8Array): string => {
    try {
      readGgufHeader(bytes, 'model-q4_0.gguf');
    } catch (e) {
      expect(e).toBeInstanceOf(GgufFormatError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('wrong magic', () => {
    const b = good.slice();
    b.set([0x08, 0x01, 0x12, 0x00], 0); // an ONNX file's first bytes
    expect(problem(b)).toMatch(/GGUF file "model-q4_0\.gguf": it starts with "\\x08\\x01\\x12\\x00", not the magic "GGUF"/);
    expect(problem(new TextEncoder().encode('<!doctype html>'))).toMatch(/starts with "<!do", not the magic/);
  });

  it('truncated inside the header, inside the data, or empty', () => {
    expect(problem(good.subarray(0, 40))).toMatch(/"model-q4_0\.gguf": it ends at byte 40, inside .*truncated/);
    expect(problem(good.subarray(0, good.length - 1))).toMatch(
      /has \d+ bytes but its tensors need \d+ \(tensor "c\.weight" ends past the end\): the file is truncated/,
    );
    expect(problem(new Uint8Array(0))).toMatch(/0 bytes, too few/);
  });

  it('an unknown tensor type, an unknown value type and an unknown version', () => {
    const h = readGgufHeader(good, 'x');
    // The type field of the last tensor info sits 12 bytes before the padding: find it from the end of the infos.
    const b = good.slice();
    const view = new DataView(b.buffer);
    let typeAt = -1;
    for (let i = 0; i < h.dataOffset - 12; i++)
      if (view.getUint32(i, true) === GgmlType.Q4_0 && view.getBigUint64(i + 4, true) === BigInt(h.tensors[2]!.offset)) typeAt = i;
    view.setUint32(typeAt, 99, true);
    expect(problem(b)).toMatch(/tensor "c\.weight" has type 99, which ondevice does not know \(known: 0 F32, 1 F16, 2 Q4_0/);
    const v = good.slice();
    new DataView(v.buffer).setUint32(4, 7, true);
    expect(problem(v)).toMatch(/version 7; ondevice reads versions 2 and 3/);
    const t = good.slice();
    // metadata 0's type follows magic, version, two counts and the key (u64 length + 20 bytes).
    new DataView(t.buffer).setUint32(24 + 8 + 'general.architecture'.length, 42, true);
    expect(problem(t)).toMatch(/"general\.architecture" has value type 42, which GGUF does not define/);
    expect(GgufValueType.STRING).toBe(8);
  });
});
