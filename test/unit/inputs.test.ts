import { describe, expect, it } from 'vitest';
import { resolveInputs, synthesize, toHalfBits, type InputMeta } from '../../src/core/inputs.ts';

const ocr: InputMeta = { name: 'x', type: 'float32', shape: ['p2o.DynamicDimension.0', 3, 48, 'p2o.DynamicDimension.1'] };
// As onnxruntime-web reports Silero VAD v5: unknown dims come back as 2^32 − 1.
const vad: InputMeta[] = [
  { name: 'input', type: 'float32', shape: [4294967295, 4294967295] },
  { name: 'state', type: 'float32', shape: [2, 4294967295, 128] },
  { name: 'sr', type: 'int64', shape: [] },
];

describe('resolveInputs', () => {
  it('fills dynamic dims with defaults: batch 1, image H/W 224', () => {
    expect(resolveInputs([ocr])[0]!.dims).toEqual([1, 3, 48, 224]);
  });
  it('treats 2^32 − 1 as dynamic and applies overrides and fills', () => {
    const r = resolveInputs(vad, { input: { shape: [1, 512] }, state: { shape: [2, 1, 128], fill: 0 }, sr: { fill: 16000 } });
    expect(r.map((i) => i.dims)).toEqual([[1, 512], [2, 1, 128], []]);
    expect(r[2]!.fill).toBe(16000);
    expect(resolveInputs(vad)[0]!.dims).toEqual([1, 16]);
  });
  it('rejects an override with the wrong rank, naming the input and the expected shape', () => {
    expect(() => resolveInputs([ocr], { x: { shape: [1, 3, 48] } })).toThrow(
      'Shape override for "x" has rank 3 ([1,3,48]), but the model expects rank 4: [p2o.DynamicDimension.0,3,48,p2o.DynamicDimension.1].',
    );
  });
  it('rejects an override that changes a fixed dim', () => {
    expect(() => resolveInputs([ocr], { x: { shape: [1, 3, 32, 320] } })).toThrow(/sets dim 2 to 32, but the model fixes it at 48/);
  });
  it('rejects an override for an input the model does not have', () => {
    expect(() => resolveInputs([ocr], { image: { shape: [1] } })).toThrow('Input override "image" does not match any model input. Inputs are: x.');
  });
  it('rejects negative or fractional dims', () => {
    expect(() => resolveInputs([ocr], { x: { shape: [1, 3, 48, -5] } })).toThrow(/whole number >= 0/);
  });
});

describe('synthesize', () => {
  it('is deterministic per seed and in range', () => {
    const input = { name: 'x', type: 'float32', dims: [2, 3], fill: null };
    const a = synthesize(input, 7) as Float32Array;
    expect(Array.from(a)).toEqual(Array.from(synthesize(input, 7) as Float32Array));
    expect(Array.from(a)).not.toEqual(Array.from(synthesize(input, 8) as Float32Array));
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
  });
  it('honours fills and integer types', () => {
    expect(synthesize({ name: 'sr', type: 'int64', dims: [], fill: 16000 })).toEqual(new BigInt64Array([16000n]));
    const ids = synthesize({ name: 'ids', type: 'int32', dims: [64], fill: null }) as Int32Array;
    expect(ids.every((v) => Number.isInteger(v) && v >= 0 && v < 4)).toBe(true);
  });
  it('encodes float16 bits exactly', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(0.5)).toBe(0x3800);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(1e6)).toBe(0x7c00);
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(0)).toBe(0);
  });
});
