// ONNX reading/writing, the inspector, and the quantizer, in Node: variants are run with onnxruntime-web's
// Node build (the same wasm kernels the browser uses) and compared with fp32 on identical inputs.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/rng.ts';
import { compareOutputs } from '../../src/core/fidelity.ts';
import { buildMlp, mlpParams } from '../../src/onnx/build-mlp.ts';
import { estimateFlops, exposeAllValues, inspectModel, weightShapes } from '../../src/onnx/inspect.ts';
import { decodeModel, encodeModel, PROTOBUF_LIMIT_BYTES } from '../../src/onnx/model.ts';
import { packNBits, quantizeModel, QUANTIZE_LEVELS, weightBytesOf } from '../../src/onnx/quantize.ts';
import type { OutputRecord } from '../../src/core/schema.ts';

const spec = { input: 256, hidden: [512, 512], output: 64, seed: 7 };
const mlp = buildMlp(spec);
const bundled = (id: string) => new Uint8Array(readFileSync(`models/bundled/${id}.onnx`));

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<OutputRecord[]> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run(feeds);
  await session.release();
  return Object.entries(out).map(([name, t]) => ({ name, type: t.type, dims: [...t.dims], values: Array.from(t.data as Float32Array), truncated: false }));
}
const randomInput = (dims: number[], seed = 3) => {
  const rnd = seededRandom(seed);
  return new ort.Tensor(
    'float32',
    Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rnd() * 2 - 1),
    dims,
  );
};

describe('ONNX round trip', () => {
  it.each(['ppocr-v4-rec', 'ppocr-v4-det', 'ppocr-v2-cls', 'silero-vad-v5'])('%s: parse → serialize → parse gives the same graph', (id) => {
    const bytes = bundled(id);
    const once = encodeModel(decodeModel(bytes));
    expect(once.byteLength).toBe(bytes.byteLength);
    // Byte-compared with Buffer: vitest's deep equality walks 10 MB arrays element by element.
    expect(Buffer.from(encodeModel(decodeModel(once))).equals(Buffer.from(once))).toBe(true);
    expect(inspectModel(decodeModel(once))).toEqual(inspectModel(decodeModel(bytes)));
  });
  it('names the input and says what was expected for bytes that are not ONNX', () => {
    expect(() => decodeModel(new Uint8Array(0), 'empty.onnx')).toThrow('empty.onnx is empty (0 bytes): expected an ONNX model.');
    expect(() => decodeModel(new TextEncoder().encode('{"models": []}'), 'catalog.json')).toThrow(
      /catalog.json is not a valid ONNX file .*truncated or not ONNX/,
    );
    const whole = bundled('ppocr-v2-cls');
    expect(() => decodeModel(whole.subarray(0, whole.length >> 1), 'half.onnx')).toThrow(/half.onnx is not a valid ONNX file/);
    const huge = { byteLength: PROTOBUF_LIMIT_BYTES + 1 } as Uint8Array;
    expect(() => decodeModel(huge, 'big.onnx')).toThrow(/big.onnx is 2147483648 bytes, over protobuf's 2 GiB limit/);
  });
});

describe('inspector', () => {
  it('counts the generated MLP exactly, and its FLOPs by hand', async () => {
    const m = decodeModel(mlp);
    const i = inspectModel(m);
    expect(i.params).toBe(mlpParams(spec));
    expect(i.params).toBe(131_584 + 262_656 + 32_832); // 256·512+512 + 512·512+512 + 512·64+64
    expect(i.bytesByDtype).toEqual({ float: 427_072 * 4 });
    expect(i.opHistogram).toEqual({ Add: 3, MatMul: 3, Relu: 2, Softmax: 1 });
    expect(i.inputs).toEqual([{ name: 'x', type: 'float', shape: ['batch', 256] }]);
    const outs = await run(encodeModel(exposeAllValues(m)), { x: randomInput([4, 256]) });
    const shapes = weightShapes(m);
    for (const o of outs) shapes.set(o.name, o.dims);
    shapes.set('x', [4, 256]);
    const f = estimateFlops(m, (n) => shapes.get(n));
    // 2 FLOPs per multiply-add: 2 · 4 rows · (256·512 + 512·512 + 512·64)
    expect(f.flops).toBe(2 * 4 * (256 * 512 + 512 * 512 + 512 * 64));
    expect(f.unknown).toEqual([]);
  });
  it('counts the bundled models: weights are their fp32 bytes, so params × 4 is the bulk of each file', () => {
    // Counts from this inspector (float tensors with more than one element; Constant-node weights included).
    // Cross-check: 4 bytes a parameter account for 92–100 % of each file, the rest being graph and scalars.
    const expected: Record<string, number> = { 'ppocr-v4-rec': 2_690_109, 'ppocr-v4-det': 1_171_640, 'ppocr-v2-cls': 133_628, 'silero-vad-v5': 545_280 };
    for (const [id, params] of Object.entries(expected)) {
      const bytes = bundled(id);
      const i = inspectModel(decodeModel(bytes));
      expect(i.params, id).toBe(params);
      expect((i.params * 4) / bytes.byteLength, id).toBeGreaterThan(0.92);
      expect((i.params * 4) / bytes.byteLength, id).toBeLessThanOrEqual(1);
    }
    // Silero keeps its network in If branches (16 kHz and 8 kHz): the inspector walks subgraphs.
    expect(inspectModel(decodeModel(bundled('silero-vad-v5'))).subgraphs).toBeGreaterThan(0);
  });
  it('counts a quantized model by its logical parameters, not its packed bytes', () => {
    const q4 = quantizeModel(mlp, 'q4').bytes;
    expect(inspectModel(decodeModel(q4)).params).toBe(mlpParams(spec));
  });
});

describe('quantizer on a MatMul-heavy MLP', () => {
  const feeds = { x: randomInput([8, 256]) };
  let reference: OutputRecord[];
  beforeAll(async () => {
    reference = await run(mlp, feeds);
  });

  // Size bands from the issue: fp16 ≈ 0.5×, 8-bit 0.25–0.35×, 4-bit 0.13–0.25× of the fp32 weights.
  // Fidelity bounds on the softmax output (probabilities in [0, 1]) and the logits' cosine: fp16 keeps ~3
  // decimal digits; 8-bit error is ~1/254 of each weight's range; 4-bit ~1/30, so its bounds are 10× wider
  // (three 4-bit layers compound to a logits cosine of ≈0.989 here: 0.98 leaves room, a broken pack gives < 0.5).
  const expectations = {
    fp16: { size: [0.49, 0.51], maxAbsDiff: 1e-3, cosine: 0.99999 },
    q8: { size: [0.25, 0.35], maxAbsDiff: 1e-2, cosine: 0.999 },
    int8: { size: [0.25, 0.35], maxAbsDiff: 1e-2, cosine: 0.999 },
    uint8: { size: [0.25, 0.35], maxAbsDiff: 1e-2, cosine: 0.999 },
    q4: { size: [0.13, 0.25], maxAbsDiff: 1e-1, cosine: 0.98 },
    q4dq: { size: [0.13, 0.25], maxAbsDiff: 1e-1, cosine: 0.98 },
    q4f16: { size: [0.13, 0.25], maxAbsDiff: 1e-1, cosine: 0.98 },
    bnb4: { size: [0.13, 0.25], maxAbsDiff: 1e-1, cosine: 0.98 },
  } as const;

  it.each(QUANTIZE_LEVELS)('%s: size in band, runs on wasm, stays close to fp32', async (level) => {
    const { bytes, report } = quantizeModel(mlp, level);
    const e = expectations[level];
    const ratio = weightBytesOf(bytes) / weightBytesOf(mlp);
    expect(ratio).toBeGreaterThanOrEqual(e.size[0]);
    expect(ratio).toBeLessThanOrEqual(e.size[1]);
    if (level !== 'fp16') expect(report.quantized.map((q) => q.op)).toEqual(['MatMul', 'MatMul', 'MatMul']);
    expect(report.untouchedOps).toEqual({});
    // The variant keeps the original's inputs and outputs.
    const io = (b: Uint8Array) => {
      const i = inspectModel(decodeModel(b));
      return [i.inputs, i.outputs];
    };
    expect(io(bytes)).toEqual(io(mlp));
    const outputs = await run(bytes, feeds);
    for (const c of compareOutputs(reference, outputs)) {
      if (c.name === 'probs') expect(c.maxAbsDiff, `${level} probs`).toBeLessThan(e.maxAbsDiff);
      expect(c.cosine, `${level} ${c.name}`).toBeGreaterThan(e.cosine);
    }
  });

  it('q4 without zero points uses the kernel default (8) and still runs close to fp32', async () => {
    const { bytes, report } = quantizeModel(mlp, 'q4', { zeroPoints: false, blockSize: 64 });
    expect(report.quantized[0]!.as).toBe('MatMulNBits (4 bit, block 64)');
    const [probs] = compareOutputs(reference, await run(bytes, feeds));
    expect(probs!.cosine).toBeGreaterThan(0.98);
  });
});

describe('quantizer on a real model', () => {
  it('PP-OCR classifier: Conv weights go 8-bit, 4-bit leaves Conv float and says so, outputs stay close', async () => {
    const fp32 = bundled('ppocr-v2-cls');
    const feeds = { x: randomInput([1, 3, 48, 192]) };
    const reference = await run(fp32, feeds);
    const q8 = quantizeModel(fp32, 'q8');
    expect(q8.report.quantized.filter((q) => q.op === 'Conv')).toHaveLength(53);
    expect(weightBytesOf(q8.bytes) / weightBytesOf(fp32)).toBeLessThan(0.35);
    const [c8] = compareOutputs(reference, await run(q8.bytes, feeds));
    // A two-class softmax: per-channel int8 weights move it by well under 0.05.
    expect(c8!.maxAbsDiff).toBeLessThan(0.05);
    const q4 = quantizeModel(fp32, 'q4');
    expect(q4.report.untouchedOps).toEqual({ Conv: 53 });
    expect(q4.report.skipped.filter((s) => s.op === 'Conv')[0]!.reason).toMatch(/no 4-bit Conv kernel/);
  });
  it('refuses what it cannot start from, naming the input', () => {
    const fp16 = quantizeModel(mlp, 'fp16').bytes;
    expect(() => quantizeModel(fp16, 'q4', {}, 'model_fp16.onnx')).toThrow('model_fp16.onnx already has fp16 weights: the quantizer starts from an fp32 model');
    expect(() => quantizeModel(mlp, 'q4', { blockSize: 24 })).toThrow(/block size 24 is not valid/);
    expect(() => quantizeModel(new TextEncoder().encode('nope'), 'q8', {}, 'notes.txt')).toThrow(/notes.txt is not/);
  });
  it('refuses a model whose weights live in external data files, saying so', () => {
    const m = decodeModel(mlp);
    const w = m.graph!.initializer[0]!;
    Object.assign(w, { rawData: new Uint8Array(0), dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }] });
    expect(inspectModel(m).externalData).toEqual(['layer0.weight']);
    expect(() => quantizeModel(encodeModel(m), 'q8', {}, 'big.onnx')).toThrow(
      'big.onnx keeps 1 weights in external data files (e.g. "layer0.weight"), which the quantizer does not read yet',
    );
  });
});

describe('MatMulNBits packing', () => {
  it('lays out B as [N, blocks, block/2] with the low nibble first, and scales per block', () => {
    // K = 32, N = 1: one block; values 0..31 → scale 31/15, zero point 0 → codes round(v / scale).
    const values = Float32Array.from({ length: 32 }, (_, k) => k);
    const { b, scales, zp, kBlocks } = packNBits(values, 32, 1, 32, true);
    expect(kBlocks).toBe(1);
    expect(scales[0]).toBeCloseTo(31 / 15, 6);
    expect(zp![0]).toBe(0);
    const code = (k: number) => Math.round(k / (31 / 15));
    expect(b[0]).toBe(code(0) | (code(1) << 4));
    expect(b[15]).toBe(code(30) | (code(31) << 4));
  });
});
