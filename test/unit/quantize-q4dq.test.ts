// The q4dq level and symmetric 4-bit, in Node on onnxruntime-web's plain CPU build (the wasm ORT-engine WASM runs
// use): the graph the quantizer writes (ops, types, shapes), that it runs with the session option the engines set,
// and how close it stays to fp32 and to q4, which holds the same 4-bit codes.
import * as ort from 'onnxruntime-web/wasm';
import { describe, expect, it } from 'vitest';
import { compareOutputs } from '../../src/core/fidelity.ts';
import { seededRandom } from '../../src/core/rng.ts';
import type { OutputRecord } from '../../src/core/schema.ts';
import { buildMlp, mlpParams, type MlpSpec } from '../../src/onnx/build-mlp.ts';
import { GraphBuilder, tensorInfo } from '../../src/onnx/graph-builder.ts';
import { inspectModel } from '../../src/onnx/inspect.ts';
import { decodeModel, encodeModel, getAttribute, tensorDims, toNumber, type ModelProto, type TensorProto } from '../../src/onnx/model.ts';
import { DataType } from '../../src/onnx/onnx-schema.ts';
import { blockQuantize4, packNibbles, quantizeModel, symmetricScale } from '../../src/onnx/quantize.ts';
import { readFloats } from '../../src/onnx/tensor.ts';

ort.env.wasm.numThreads = 1;

/** What the ORT engine sets on every session: weight-only DequantizeLinear folded once at load. */
const FOLD = { extra: { session: { disable_quant_qdq: '1' } } } as const;

async function run(bytes: Uint8Array, x: Float32Array, dims: number[]): Promise<OutputRecord[]> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', ...FOLD });
  const out = await session.run({ x: new ort.Tensor('float32', x, dims) });
  await session.release();
  return Object.entries(out).map(([name, t]) => ({ name, type: t.type, dims: [...t.dims], values: Array.from(t.data as Float32Array), truncated: false }));
}
const input = (n: number) => {
  const rnd = seededRandom(5);
  return Float32Array.from({ length: n }, () => rnd() * 2 - 1);
};
const nodesOf = (bytes: Uint8Array) => decodeModel(bytes).graph!.node;
const constant = (m: ModelProto, name: string): TensorProto => m.graph!.node.find((n) => n.opType === 'Constant' && n.output[0] === name)!.attribute[0]!.t!;
/** The MLP re-declared at another opset (MatMul, Add, Relu and a last-axis Softmax mean the same from 11 to 21). */
function atOpset(bytes: Uint8Array, version: number): Uint8Array {
  const m = decodeModel(bytes);
  m.irVersion = version >= 21 ? 10 : 8;
  m.opsetImport = [{ domain: '', version }];
  return encodeModel(m);
}

describe('q4dq: 4-bit weights that onnxruntime turns into fp32 at load', () => {
  const spec: MlpSpec = { input: 256, hidden: [128], output: 32, seed: 11 };
  const mlp = buildMlp(spec);
  const x = input(4 * 256);

  it('opset < 13 keeps its opset: com.microsoft DequantizeLinear per row of one block, reshaped back to [K, N]; scales are not parameters', () => {
    const { bytes, report } = quantizeModel(atOpset(mlp, 12), 'q4dq');
    expect(report.notes).toEqual([expect.stringMatching(/^opset 12 cannot move to 21: .*com.microsoft DequantizeLinear/)]);
    expect(report.quantized.map((q) => q.as)).toEqual(Array(2).fill('int4 weight (block 32) + DequantizeLinear, fp32 once loaded'));
    const ops = nodesOf(bytes)
      .filter((n) => n.opType !== 'Constant')
      .map((n) => `${n.domain ? `${n.domain}.` : ''}${n.opType}`);
    const layer = ['com.microsoft.DequantizeLinear', 'Reshape', 'Transpose', 'Reshape', 'MatMul', 'Add'];
    expect(ops).toEqual([...layer, 'Relu', ...layer, 'Softmax']);
    const m = decodeModel(bytes);
    const dq = m.graph!.node.find((n) => n.opType === 'DequantizeLinear')!;
    expect(dq.input).toHaveLength(2); // symmetric: no zero points
    const [codes, scales] = [constant(m, dq.input[0]!), constant(m, dq.input[1]!)];
    // K = 256 in 8 blocks of 32, N = 128: one row per (block, column).
    expect([codes.dataType, tensorDims(codes)]).toEqual([DataType.INT4, [8 * 128, 32]]);
    expect(codes.rawData!.byteLength).toBe((256 * 128) / 2);
    expect([scales.dataType, tensorDims(scales)]).toEqual([DataType.FLOAT, [8 * 128]]);
    expect(inspectModel(m).params).toBe(mlpParams(spec));
  });

  it('opset 13–21: ai.onnx DequantizeLinear on int4 [K, N] with axis 0 and block_size 32 (an opset-17 model moves to 21)', async () => {
    const { bytes, report } = quantizeModel(mlp, 'q4dq');
    expect(report.notes).toEqual(['moved from opset 17 to 21 for int4 DequantizeLinear']);
    const m = decodeModel(bytes);
    expect([m.opsetImport.map((o) => [o.domain, toNumber(o.version)]), toNumber(m.irVersion)]).toEqual([[['', 21]], 10]);
    const dqs = m.graph!.node.filter((n) => n.opType === 'DequantizeLinear');
    expect(dqs.map((n) => n.domain)).toEqual(['', '']);
    expect(nodesOf(bytes).some((n) => ['Reshape', 'Transpose'].includes(n.opType))).toBe(false);
    const dq = dqs[0]!;
    expect([toNumber(getAttribute(dq, 'axis')!.i), toNumber(getAttribute(dq, 'block_size')!.i)]).toEqual([0, 32]);
    const [codes, scales] = [constant(m, dq.input[0]!), constant(m, dq.input[1]!)];
    expect([codes.dataType, tensorDims(codes), tensorDims(scales)]).toEqual([DataType.INT4, [256, 128], [8, 128]]);
    // The codes are the blocks' own, packed as ONNX packs int4 (element 2i in the low nibble).
    const w = decodeModel(mlp).graph!.initializer.find((t) => t.name === 'layer0.weight')!;
    const expected = blockQuantize4(readFloats(w)!, 256, 128, 32, false);
    expect(Buffer.from(codes.rawData!).equals(Buffer.from(packNibbles(expected.codes)))).toBe(true);
    expect([...readFloats(scales)!]).toEqual([...expected.scales]);
    // Both forms hold the same weights: the same outputs to float rounding.
    const [a, b] = [await run(bytes, x, [4, 256]), await run(quantizeModel(atOpset(mlp, 12), 'q4dq').bytes, x, [4, 256])];
    for (const c of compareOutputs(a, b)) expect(c.maxAbsDiff, c.name).toBeLessThan(1e-5);
  });

  // Tolerances. Against q4 (MatMulNBits with the same block size and symmetric codes): both dequantize to the same
  // fp32 weights, so only the order of the sums differs: logits within 1e-4 (they are O(1)). Against fp32: 4-bit
  // blocks carry ~1/16 of each block's range as error; the same bounds as the quantizer's other 4-bit levels.
  it('runs in onnxruntime-web with the weights folded at load; matches q4 to float rounding and fp32 within 4-bit error', async () => {
    const reference = await run(mlp, x, [4, 256]);
    const q4 = await run(quantizeModel(mlp, 'q4').bytes, x, [4, 256]);
    const q4dq = await run(quantizeModel(mlp, 'q4dq').bytes, x, [4, 256]);
    for (const c of compareOutputs(q4, q4dq)) expect(c.maxAbsDiff, `${c.name} vs q4`).toBeLessThan(1e-4);
    for (const c of compareOutputs(reference, q4dq)) {
      expect(c.cosine, c.name).toBeGreaterThan(0.98);
      if (c.name === 'probs') expect(c.maxAbsDiff).toBeLessThan(0.1);
    }
  });

  it('K not a whole number of blocks: the padding is sliced off (opset ≥ 10 takes Slice bounds as inputs)', async () => {
    const odd = atOpset(buildMlp({ input: 100, hidden: [64], output: 10, seed: 3 }), 12);
    const { bytes } = quantizeModel(odd, 'q4dq');
    expect(nodesOf(bytes).filter((n) => n.opType === 'Slice')).toHaveLength(1); // K = 100 needs one; K = 64 is two whole blocks
    const xs = input(2 * 100);
    const [q4, q4dq] = [await run(quantizeModel(odd, 'q4').bytes, xs, [2, 100]), await run(bytes, xs, [2, 100])];
    for (const c of compareOutputs(q4, q4dq)) expect(c.maxAbsDiff, c.name).toBeLessThan(1e-4);
  });

  it("moving to opset 21 turns ReduceMean's axes attribute into an input (opset 18), and the model still computes the same", async () => {
    const g = new GraphBuilder();
    const w = g.weight('w', [64, 32], input(64 * 32));
    const mean = g.op('ReduceMean', [g.op('MatMul', ['x', w], '/mm')], '/mean', { axes: { ints: [-1] }, keepdims: { int: 1 } }, 'y');
    const model = g.encode('reduce', [tensorInfo('x', DataType.FLOAT, [2, 64])], [tensorInfo(mean, DataType.FLOAT, [2, 1])]);
    const { bytes } = quantizeModel(model, 'q4dq');
    const reduce = nodesOf(bytes).find((n) => n.opType === 'ReduceMean')!;
    expect([reduce.attribute.map((a) => a.name), reduce.input.length]).toEqual([['keepdims'], 2]);
    const xs = input(2 * 64);
    const [q4, q4dq] = [await run(quantizeModel(model, 'q4').bytes, xs, [2, 64]), await run(bytes, xs, [2, 64])];
    for (const c of compareOutputs(q4, q4dq)) expect(c.maxAbsDiff, c.name).toBeLessThan(1e-4);
  });

  it('zero points stay an option: uint4 codes and uint4 zero points, still close to q4 with zero points', async () => {
    const { bytes, report } = quantizeModel(mlp, 'q4dq', { zeroPoints: true });
    expect(report.quantized[0]!.as).toBe('uint4 weight + zero points (block 32) + DequantizeLinear, fp32 once loaded');
    const m = decodeModel(bytes);
    const dq = m.graph!.node.find((n) => n.opType === 'DequantizeLinear')!;
    expect(dq.input.map((i) => constant(m, i).dataType)).toEqual([DataType.UINT4, DataType.FLOAT, DataType.UINT4]);
    const [q4, q4dq] = [await run(quantizeModel(mlp, 'q4', { zeroPoints: true }).bytes, x, [4, 256]), await run(bytes, x, [4, 256])];
    for (const c of compareOutputs(q4, q4dq)) expect(c.maxAbsDiff, c.name).toBeLessThan(1e-4);
  });
});

describe('4-bit is symmetric by default', () => {
  it('the largest magnitude maps to code −8 exactly, and the other side fits in +7', () => {
    expect(symmetricScale(-1, 0.5)).toBe(0.125);
    expect(symmetricScale(-0.5, 2)).toBe(-0.25);
    expect(symmetricScale(0, 0)).toBe(1);
    const { codes, scales, zeros } = blockQuantize4(Float32Array.from([-1, -0.5, 0, 0.5, 0.875, 0.99]), 6, 1, 32, false);
    expect(scales[0]).toBe(0.125);
    expect([...codes]).toEqual([-8, -4, 0, 4, 7, 7]); // 0.99 clips to 7 · 0.125: the price of one code fewer on that side
    expect(zeros).toBeNull();
  });
  it('q4 and q4f16 write MatMulNBits without zero points unless asked; with them, a fourth input', () => {
    const mlp = buildMlp({ input: 64, hidden: [], output: 8, seed: 1 });
    for (const level of ['q4', 'q4f16'] as const) {
      const nbits = (opts = {}) => nodesOf(quantizeModel(mlp, level, opts).bytes).find((n) => n.opType === 'MatMulNBits')!;
      expect(nbits().input, level).toHaveLength(3);
      expect(nbits({ zeroPoints: true }).input, level).toHaveLength(4);
    }
    expect(quantizeModel(mlp, 'q4').report.quantized[0]!.as).toBe('MatMulNBits (4 bit, block 32)');
  });
});
