// The OCR pipeline end to end in the real app: text lines the page renders (Chinese and English, several fonts and
// sizes, two turned 180°) read back at fp32 with CER ≤ 2 %, and every level the OCR models ship with its CER against
// the ground truth and against fp32's text; bad input ends as a record with a reason, and a blank image reads as no text.
import { expect, it } from 'vitest';
import type { RunResult } from '../../src/core/schema.ts';
import { imageHeader } from '../../src/core/task/image.ts';
import { useApp } from './fixture.ts';
import { pngHeader } from '../fixtures/png-header.ts';

const app = useApp();

it('renders known lines and reads them back: CER ≤ 2 % at fp32, and a CER for every level', async () => {
  const rendered = await app.page.evaluate(() => window.ondevice.renderText());
  const results: RunResult[] = await app.page.evaluate(
    (r) =>
      window.ondevice.runTask({
        kind: 'ocr',
        input: { name: r.name, base64: r.base64 },
        expectedText: r.expected,
        levels: ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4dq', 'q4f16', 'bnb4'],
        device: 'wasm',
        workload: { iterations: 1, warmup: 0, numThreads: 1 },
      }),
    rendered,
  );
  const table = results.map((r) => ({
    level: r.model.dtype,
    state: r.state,
    cer: r.pipeline?.accuracy?.cer,
    vsFp32: r.pipeline?.accuracy?.cerVsFp32,
    text: r.pipeline?.ocr?.lines.map((l) => l.text).join(' | '),
    error: r.error?.message,
  }));
  expect(results.map((r) => r.model.dtype)).toEqual(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4dq', 'q4f16', 'bnb4']);
  const fp32 = results[0]!;
  expect(fp32.state, fp32.error?.message).toBe('completed');
  expect(fp32.model.id).toBe('ocr:ppocr-v4');
  expect(fp32.pipeline!.accuracy!.cer!, JSON.stringify(table[0])).toBeLessThanOrEqual(0.02);
  expect(fp32.pipeline!.stages.map((s) => s.name)).toEqual(['det', 'cls', 'rec']);
  // q8 (per-channel 8-bit), fp16 and q4f16 (det at fp16: its BatchNormalization folded, see quantize/fold-bn.ts)
  // keep fp32's reading on these lines; the table names what every other level does.
  for (const level of ['q8', 'fp16', 'q4f16']) {
    const r = results.find((x) => x.model.dtype === level)!;
    expect(r.pipeline!.accuracy!.cer!, `${level}: ${JSON.stringify(table)}`).toBeLessThanOrEqual(0.02);
  }
  for (const r of results) {
    expect(r.state, `${r.model.dtype}: ${r.error?.message}`).toBe('completed');
    expect(r.pipeline!.accuracy!.cer).toBeGreaterThanOrEqual(0);
    expect(r.pipeline!.accuracy!.cerVsFp32).toBeGreaterThanOrEqual(0);
  }
}, 240_000);

it('bad images end as errored records naming the input; an image with no text reads as no lines', async () => {
  const cases = [
    {
      name: 'notes.txt',
      base64: Buffer.from('these are words, not pixels').toString('base64'),
      reason: /"notes.txt" is not an image .*Expected a PNG, JPEG, GIF, BMP or WebP image/,
    },
    { name: 'zero.png', base64: pngHeader(0, 0).toString('base64'), reason: /"zero.png" is 0×0 pixels/ },
    { name: 'huge.png', base64: pngHeader(9000, 100).toString('base64'), reason: /"huge.png" is 9000×100 pixels \(png\), over the size cap of 8192 px a side/ },
    { name: 'cut.png', base64: pngHeader(40, 20).toString('base64'), reason: /"cut.png" has a png header but could not be decoded/ },
  ];
  for (const c of cases) {
    const [r] = await app.page.evaluate(
      (input) => window.ondevice.runTask({ kind: 'ocr', input, levels: ['fp32'], device: 'wasm', workload: { iterations: 1, warmup: 1, numThreads: 1 } }),
      { name: c.name, base64: c.base64 },
    );
    expect(r!.state, c.name).toBe('errored');
    expect(r!.error!.name).toBe('InvalidInputError');
    expect(r!.error!.message).toMatch(c.reason);
  }
  const blank = await app.page.evaluate(() => window.ondevice.renderText([]));
  const [r] = await app.page.evaluate(
    (b) =>
      window.ondevice.runTask({
        kind: 'ocr',
        input: { name: b.name, base64: b.base64 },
        expectedText: b.expected,
        levels: ['fp32'],
        device: 'wasm',
        workload: { iterations: 1, warmup: 1, numThreads: 1 },
      }),
    blank,
  );
  expect(r!.state, r!.error?.message).toBe('completed');
  expect(r!.pipeline!.ocr!.lines).toEqual([]);
  expect(r!.pipeline!.accuracy!.cer).toBe(0);
  // Every run above is in the log, the bad ones included.
  const logged = await app.page.evaluate(() => window.ondevice.results());
  expect(logged.filter((x) => x.model.id === 'ocr:ppocr-v4').length).toBeGreaterThanOrEqual(cases.length + 1);
}, 60_000);

it("reads the size of the browser's own JPEG and WebP files from their headers", async () => {
  const files = await app.page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 123;
    canvas.height = 45;
    canvas.getContext('2d')!.fillRect(0, 0, 10, 10);
    const encode = async (type: string, quality?: number) => {
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), type, quality));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      return { type: blob.type, base64: btoa(String.fromCharCode(...bytes)) };
    };
    return [await encode('image/jpeg'), await encode('image/webp'), await encode('image/webp', 1)];
  });
  for (const f of files) {
    const header = imageHeader(new Uint8Array(Buffer.from(f.base64, 'base64')));
    expect(header, f.type).toEqual({ format: f.type.split('/')[1], width: 123, height: 45 });
  }
});
