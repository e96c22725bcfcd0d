// The engines side by side (src/core/engine-sides.ts, the CLI's table in src/cli/bench-tables-lm.ts) on real records:
// test/fixtures/engine-sides-runs.jsonl is the bench's output for SmolLM2-135M and Qwen2.5-0.5B replicas on wasm with
// --engine auto at q8, q4, q8_0 and q4_0 (ort and wllama); cli-runs.jsonl has tiny-llama on ort and transformers.js.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { engineSidesTable } from '../../src/cli/bench-tables-lm.ts';
import { GGUF_TWIN, onnxTwin, SIZE_CLASS, engineSides } from '../../src/core/engine-sides.ts';
import type { RunResult } from '../../src/core/schema.ts';
import { renderReportHtml, renderReportMarkdown } from '../../src/report/report.ts';
import { engineSidesText } from '../../src/text/engine-sides.ts';
import { oneDevice } from '../fixtures/report-input.ts';
import { DTYPES } from '../../src/core/vocab.ts';

const load = (name: string): RunResult[] =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RunResult);
const runs = load('engine-sides-runs.jsonl');
const tiny = load('cli-runs.jsonl').filter((r) => r.generation);
const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));

describe('engineSides', () => {
  it('puts ort and wllama side by side per model, backend and size class', () => {
    const { engines, rows } = engineSides(runs);
    expect(engines).toEqual(['ort', 'wllama']);
    expect(rows.map((r) => `${r.model} ${r.device} ${r.size} ${r.cells.ort?.dtype}/${r.cells.wllama?.dtype}`)).toEqual([
      'replica:HuggingFaceTB/SmolLM2-135M wasm 4-bit q4/q4_0',
      'replica:HuggingFaceTB/SmolLM2-135M wasm 8-bit q8/q8_0',
      'replica:Qwen/Qwen2.5-0.5B wasm 4-bit q4/q4_0',
      'replica:Qwen/Qwen2.5-0.5B wasm 8-bit q8/q8_0',
    ]);
    for (const row of rows) {
      const rates = Object.values(row.cells).map((c) => c.decodeTokPerS!);
      expect(row.fastest!.decodeTokPerS).toBe(Math.max(...rates));
      expect(row.fastest!.overSlowest).toBeCloseTo(Math.max(...rates) / Math.min(...rates), 9);
      expect(row.cells[row.fastest!.engine]!.dtype).toBe(row.fastest!.dtype);
    }
    // onnxruntime-web's q4 on wasm carries the 4-bit note; wllama's q4_0 and the 8-bit levels none.
    expect(rows[0]!.cells.ort!.note).toMatch(/^q4 on wasm: onnxruntime-web has no 4-bit kernel/);
    expect(rows[0]!.cells.wllama!.note).toBeNull();
    expect(rows[1]!.cells.ort!.note).toBeNull();
  });

  it('leaves out rows one engine ran, failed runs and context sweeps; keeps an engine its fastest level of a class', () => {
    const ortOnly = runs.filter((r) => r.engine === 'ort');
    expect(engineSides(ortOnly).rows).toEqual([]);
    const failed = runs.map((r) => (r.engine === 'wllama' ? ({ ...r, state: 'errored', error: { name: 'Error', message: 'x' } } as RunResult) : r));
    expect(engineSides(failed).rows).toEqual([]);
    const swept = runs.map((r) => (r.engine === 'wllama' ? { ...r, generation: { ...r.generation!, contexts: [] } } : r));
    expect(engineSides(swept).rows).toEqual([]);
    // A second 4-bit ort level (q4dq), faster than q4: the ort cell becomes it.
    const q4 = runs.find((r) => r.engine === 'ort' && r.model.dtype === 'q4')!;
    const q4dq = { ...q4, id: 'q4dq', model: { ...q4.model, dtype: 'q4dq' as const }, generation: { ...q4.generation!, decodeTokPerS: 99 } };
    const row = engineSides([...runs, q4dq]).rows[0]!;
    expect(row.cells.ort).toMatchObject({ dtype: 'q4dq', decodeTokPerS: 99, runId: 'q4dq' });
    expect(row.fastest).toMatchObject({ engine: 'ort', dtype: 'q4dq' });
  });

  it('every level has a size class; each GGUF twin is of its ONNX level class and maps back', () => {
    for (const d of DTYPES) expect(SIZE_CLASS[d]).toMatch(/^\d+-bit$/);
    for (const [onnx, gguf] of Object.entries(GGUF_TWIN)) {
      expect(SIZE_CLASS[gguf]).toBe(SIZE_CLASS[onnx as keyof typeof SIZE_CLASS]);
      expect(onnxTwin(gguf)).toBe(onnx);
    }
    expect(onnxTwin('q4f16')).toBe('q4f16');
  });
});

describe('the engines table', () => {
  it('fits 120 columns with figure over engine in the header, and stars the noted level', () => {
    const text = engineSidesTable(runs, false)!;
    expect(widest(text)).toBeLessThanOrEqual(120);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^model\s+backend\s+weights\s+levels\s+decode\s+decode\s+TTFT\s+TTFT\s+prefill\s+prefill\s+fastest$/);
    expect(lines[2]).toMatch(/^\s+ort\s+wllama\s+ort\s+wllama\s+ort\s+wllama$/);
    expect(text).toMatch(/^SmolLM2-135M\s+wasm\s+4-bit\s+q4\* \/ q4_0\s+4\.34\s+7\.69\s+432 ms\s+2059 ms\s+44\.0\s+9\.23\s+wllama 1\.8×$/m);
    expect(text).toMatch(/^Qwen2\.5-0\.5B\s+wasm\s+8-bit\s+q8 \/ q8_0\s+13\.9\s+6\.33\s+.*ort 2\.2×$/m);
    expect(text).toContain('* this level on this backend has a note below');
    expect(engineSidesTable(runs.slice(0, 1), false)).toBeNull();
  });

  it('with three engines the default view stays within 120 columns (prefill moves to --wide)', () => {
    const w = runs.find((r) => r.engine === 'wllama' && r.model.dtype === 'q8_0')!;
    const wllama = { ...w, id: 'tiny-wllama', model: { ...tiny[0]!.model, dtype: 'q8_0' as const } };
    const text = engineSidesTable([...tiny, wllama], false)!;
    expect(widest(text)).toBeLessThanOrEqual(120);
    expect(text).toMatch(/^tiny-llama\s+wasm\s+8-bit\s+q8 \/ q8 \/ q8_0\s/m);
    expect(text).toContain('--wide adds: prefill ort tok/s, prefill tjs tok/s, prefill wllama tok/s');
    expect(engineSidesTable([...tiny, wllama], true)).toMatch(/prefill wllama tok\/s/);
  });
});

describe('the engines in the app and the report', () => {
  it('gives a column per engine and figure, the fastest engine named, the 4-bit note once', () => {
    const text = engineSidesText(runs)!;
    expect(text.head).toEqual([
      'model',
      'backend',
      'weights',
      'ort level',
      'ort decode tok/s',
      'ort TTFT',
      'ort prefill tok/s',
      'wllama level',
      'wllama decode tok/s',
      'wllama TTFT',
      'wllama prefill tok/s',
      'fastest decode',
    ]);
    expect(text.rows[0]!.cells).toEqual([
      'SmolLM2-135M',
      'wasm',
      '4-bit',
      'q4 *',
      '4.34',
      '432 ms',
      '44.0',
      'q4_0',
      '7.69',
      '2059 ms',
      '9.23',
      'wllama (llama.cpp) q4_0, 1.8× the slowest',
    ]);
    expect(text.rows[0]!.runIds).toHaveLength(2);
    expect(text.notes.filter((n) => n.startsWith('* q4 on wasm'))).toHaveLength(1);
    expect(engineSidesText(runs.filter((r) => r.engine === 'ort'))).toBeNull();
  });

  it('the report has the section in Markdown and HTML, and none without two engines', () => {
    const input = { ...oneDevice(null), devices: [{ ...oneDevice(null).devices[0]!, results: runs }] };
    const md = renderReportMarkdown(input);
    expect(md).toMatch(
      /## Engines side by side\n\n\| model \| backend \| weights \| ort level .*\n(\| --- ){12}\|\n\| SmolLM2-135M \| wasm \| 4-bit \| q4 \\\* \|/,
    );
    const html = renderReportHtml(input);
    expect(html).toMatch(/<section id="engines"><h2>Engines side by side<\/h2>/);
    expect(html).toContain('<th scope="row">Qwen2.5-0.5B</th><td>wasm</td><td>8-bit</td><td>q8</td><td>13.9</td>');
    expect(renderReportMarkdown(oneDevice(null))).not.toContain('Engines side by side');
  });
});
