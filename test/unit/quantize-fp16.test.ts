// The fp16 level on the bundled models whose numbers fp16 cannot all hold, in Node on onnxruntime-web's plain CPU
// build: PP-OCRv4 det's head BatchNormalization has running variances of 1e7–1e8 (past fp16's 65504), which made
// its fp16 probability map 0 everywhere. The quantizer folds BatchNormalization's statistics in fp32 first.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web/wasm';
import { describe, expect, it } from 'vitest';
import type { Rgba } from '../../src/core/task/image.ts';
import { dbBoxes } from '../../src/core/task/ocr-db.ts';
import { detTensor } from '../../src/core/task/ocr-pre.ts';
import { GraphBuilder, tensorInfo } from '../../src/onnx/graph-builder.ts';
import { decodeModel } from '../../src/onnx/model.ts';
import { DataType } from '../../src/onnx/onnx-schema.ts';
import { quantizeModel } from '../../src/onnx/quantize.ts';

ort.env.wasm.numThreads = 1;

async function run(bytes: Uint8Array, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x, dims) });
  await session.release();
  return Object.values(out)[0]!.data as Float32Array;
}

/** Two lines of dark glyph-like strokes on white (what the detector sees in a page of text), 320×96. */
function strokes(): Rgba {
  const [width, height] = [320, 96];
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  for (const top of [20, 56])
    for (let x = 16; x < 300; x += 9)
      for (let y = top; y < top + 14 + ((x * 7) % 5); y++)
        for (let dx = 0; dx < 3 + (x % 3); dx++) data.fill(0, (y * width + x + dx) * 4, (y * width + x + dx) * 4 + 3);
  return { width, height, data } as Rgba;
}

describe('fp16 on numbers fp16 cannot hold', () => {
  it('ppocr-v4-det at fp16 finds the same text as fp32 (its head BatchNormalization variances pass 65504)', async () => {
    const fp32 = new Uint8Array(readFileSync('models/bundled/ppocr-v4-det.onnx'));
    const { bytes, report } = quantizeModel(fp32, 'fp16');
    const img = strokes();
    const t = detTensor(img);
    const [h, w] = [t.dims[2]!, t.dims[3]!];
    const [a, b] = [await run(fp32, t.data, t.dims), await run(bytes, t.data, t.dims)];
    const text = a.filter((p) => p > 0.3).length;
    expect(text).toBeGreaterThan(w * h * 0.05); // the input does read as text at fp32
    let worst = 0;
    let disagree = 0;
    for (let i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      if (a[i]! > 0.3 !== b[i]! > 0.3) disagree++;
    }
    expect(worst).toBeLessThan(0.1);
    expect(disagree).toBeLessThan(text * 0.01);
    expect(dbBoxes(b, w, h, img.width, img.height).length).toBe(dbBoxes(a, w, h, img.width, img.height).length);
    expect(report.notes.join('\n')).not.toMatch(/hold ±inf/);
    expect(report.notes.join('\n')).toMatch(/folded the statistics of 3 BatchNormalization nodes .*\(1 had a running mean or variance past fp16's 65504/);
  });

  it('a BatchNormalization with a variance of 1e8 computes the same at fp16 as at fp32', async () => {
    const g = new GraphBuilder();
    const c = 4;
    const dims = [1, c, 2, 2];
    const params = { s: [1, 0.5, 2, 0.8], b: [0.1, -0.2, 0.3, 0], m: [3000, -2000, 100, 0], v: [1e8, 4e7, 1e6, 1] };
    for (const [k, v] of Object.entries(params)) g.weight(k, [c], v);
    g.op('BatchNormalization', ['x', 's', 'b', 'm', 'v'], 'bn', { epsilon: { float: 1e-5 } }, 'y');
    const fp32 = g.encode('bn', [tensorInfo('x', DataType.FLOAT, dims)], [tensorInfo('y', DataType.FLOAT, dims)]);
    const x = Float32Array.from({ length: c * 4 }, (_, i) => (i % 4) * 5000 - 7000 + i);
    const fp16 = quantizeModel(fp32, 'fp16').bytes;
    expect(decodeModel(fp16).graph!.node.map((n) => n.opType)).toEqual(['Cast', 'BatchNormalization', 'Cast']);
    const [a, b] = [await run(fp32, x, dims), await run(fp16, x, dims)];
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(Math.abs(a[i]!) * 2e-3 + 2e-3);
  });
  it('names a weight still past the range of fp16 after the fold, and runs', async () => {
    const g = new GraphBuilder();
    g.weight('big', [2], [1e5, 1]);
    g.op('Mul', ['x', 'big'], 'mul', {}, 'y');
    const fp32 = g.encode('mul', [tensorInfo('x', DataType.FLOAT, [2])], [tensorInfo('y', DataType.FLOAT, [2])]);
    const { bytes, report } = quantizeModel(fp32, 'fp16');
    expect(report.notes).toEqual([`1 weights have values past fp16's ±65504 and hold ±inf in fp16 (e.g. "big"): outputs that depend on them may be wrong`]);
    expect(Array.from(await run(bytes, Float32Array.from([1, 2]), [2]))).toEqual([Infinity, 2]);
  });
});
