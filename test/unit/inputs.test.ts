import { describe, expect, it } from 'vitest';
import { InputSizeError, MAX_INPUT_ELEMENTS, resolveInputs, synthesize, toHalfBits, type InputMeta } from '../../src/core/inputs.ts';
import { toErrorInfo } from '../../src/core/result.ts';

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
  it('says what it picked for open dims, and nothing when the shape is fixed or given', () => {
    expect(resolveInputs([ocr])[0]!.picked).toBe('[p2o.DynamicDimension.0,3,48,p2o.DynamicDimension.1] → [1,3,48,224]');
    expect(resolveInputs(vad)[0]!.picked).toBe('[?,?] → [1,16]');
    expect(resolveInputs(vad, { input: { shape: [1, 512] } })[0]!.picked).toBeUndefined();
    expect(resolveInputs([{ name: 'x', type: 'float32', shape: [1, 3, 8, 8] }])[0]!.picked).toBeUndefined();
  });
  it('refuses a declared shape over 2^28 elements, naming the input, its shape and the cap: unsupported, class bad-input', () => {
    const huge: InputMeta = { name: 'image', type: 'float32', shape: ['batch', 3, 100_000, 100_000] };
    let err: unknown;
    try {
      resolveInputs([huge]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputSizeError);
    expect(toErrorInfo(err)).toEqual({
      name: 'UnsupportedError',
      class: 'bad-input',
      message:
        'Input "image" would have 30,000,000,000 elements (its declared shape [batch,3,100000,100000] with the open dims picked as [1,3,100000,100000]); ondevice synthesizes at most 268,435,456 (2^28) per input. Give a smaller shape with --input image=… (only its open dims can change).',
    });
    expect(() => resolveInputs([{ name: 'x', type: 'float32', shape: [70_000, 4096, 256] }])).toThrow(
      'Input "x" would have 73,400,320,000 elements (its declared shape [70000,4096,256]); ondevice synthesizes at most 268,435,456 (2^28) per input. The model fixes every dim of it, so it cannot run here.',
    );
    // Exactly at the cap is fed; an override past it is refused as the shape given.
    expect(resolveInputs([{ name: 'v', type: 'uint8', shape: [MAX_INPUT_ELEMENTS] }])[0]!.dims).toEqual([MAX_INPUT_ELEMENTS]);
    expect(() => resolveInputs([ocr], { x: { shape: [64, 3, 48, 100_000] } })).toThrow(
      /the shape given for it, \[64,3,48,100000\]\); ondevice synthesizes at most/,
    );
  });
  it('refuses a declared dim past 2^31 (but not 2^32 − 1, an unknown dim), naming it', () => {
    const wide: InputMeta = { name: 'x', type: 'float32', shape: [1, 2 ** 31] };
    expect(() => resolveInputs([wide])).toThrow(
      'Input "x" declares dim 1 as 2147483648 (shape [1,2147483648]): a dim must be a whole number below 2^31, or symbolic. Give a shape with --input x=…, or fix the model.',
    );
    expect(() => resolveInputs([{ name: 'x', type: 'float32', shape: [1e15] }])).toThrow(InputSizeError);
    expect(() => resolveInputs([{ name: 'x', type: 'float32', shape: [-7] }])).toThrow(/declares dim 0 as -7/);
    expect(resolveInputs([{ name: 'x', type: 'float32', shape: [-1, 2 ** 32 - 1] }])[0]!.dims).toEqual([1, 16]);
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
