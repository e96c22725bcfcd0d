/** The bench's tables of language-model runs: generation, decode at context lengths, and the engines side by side. */
import { basename } from 'node:path';
import type { RunResult } from '../core/schema.ts';
import { engineComparison, type EngineComparison } from '../core/compare.ts';
import { ENGINE_SHORT, engineSides, type EngineCell, type EngineSidesRow } from '../core/engine-sides.ts';
import { ENGINE_LABEL } from '../core/vocab.ts';
import { formatBytes, formatHeap, formatMs, formatNumber, formatPredicted, formatRate, formatStepMs, formatUtilisation } from '../text/format.ts';
import { formatReason } from '../text/errors.ts';
import { columnsTable, notes, render, wrapLine, type Column } from './cli-table.ts';
import { gflopsCell, modelName, stateColumn } from './run-columns.ts';

/** Language-model runs: time to first token, prefill and decode rates, time per output token, token fidelity. */
export function generationTable(results: readonly RunResult[], wide: boolean): string {
  const some = (f: (r: RunResult) => unknown) => results.some((r) => f(r));
  const reasons = notes();
  const columns: Column<RunResult>[] = [
    { head: 'model', cell: modelName, always: true },
    { head: 'level', cell: (r) => r.model.dtype, always: true },
    { head: 'backend', cell: (r) => r.device, always: true },
    { head: 'engine', cell: (r) => r.engine, always: true },
    { ...stateColumn(reasons.mark), when: wide || some((r) => r.state !== 'completed' || r.error) },
    { head: 'load', cell: (r) => formatMs(r.timings.loadMs) },
    { head: 'TTFT', cell: (r) => formatMs(r.generation?.ttftMs) },
    { head: 'prefill tok/s', short: 'prefill/s', cell: (r) => formatRate(r.generation?.prefillTokPerS) },
    { head: 'decode tok/s', short: 'decode/s', cell: (r) => formatRate(r.generation?.decodeTokPerS) },
    // Time per output token: the default view has decode tok/s, its rate.
    { head: 'TPOT p50', cell: (r) => formatMs(r.generation?.tpot?.p50Ms), wideOnly: true },
    { head: 'TPOT p90', cell: (r) => formatMs(r.generation?.tpot?.p90Ms), wideOnly: true },
    { head: 'decode step (p50 each)', cell: (r) => formatStepMs(r.generation?.stepMs), wideOnly: true },
    { head: 'predicted (peak ÷ it)', short: 'predicted', cell: formatPredicted, when: some((r) => r.memory.predicted) },
    { head: 'WASM heap', cell: (r) => formatHeap(r.memory) },
    { head: 'GPU peak', cell: (r) => formatBytes(r.memory.gpuBufferPeakBytes) },
    {
      head: '= fp32 (prefix/all)',
      short: '= fp32',
      cell: (r) => (r.fidelity?.tokenMatch != null ? `${formatNumber(r.fidelity.tokenMatch, 3)} / ${formatNumber(r.fidelity.tokenAgreement, 3)}` : '—'),
    },
    { head: 'GFLOP/s', cell: gflopsCell, when: some((r) => r.model.flops), wideOnly: !some((r) => r.utilisation || r.env?.roofline) },
    { head: 'bandwidth use', cell: formatUtilisation, when: some((r) => r.utilisation || r.env?.roofline) },
    { head: 'reason', cell: formatReason, wideOnly: true, width: 40 },
  ];
  const g = results.find((r) => r.generation)?.generation;
  const text = columnsTable(columns, results, wide, reasons.lines);
  return `Language models (greedy; ${g ? `${g.promptTokens}-token prompt, ${g.newTokens} new tokens` : 'no generation completed'}):\n${text}`;
}

/** The context-length run type: decode speed and memory as the context fills. */
export function contextTable(results: readonly RunResult[]): string {
  const rows = results.flatMap((r) =>
    (r.generation?.contexts ?? []).map((c) => [
      modelName(r),
      r.model.dtype,
      r.device,
      r.engine,
      String(c.contextTokens),
      formatMs(c.prefillMs),
      formatRate(c.decodeTokPerS),
      formatMs(c.tpot?.p50Ms),
      formatBytes(c.kvCacheBytes),
      formatBytes(c.wasmHeapBytes),
      formatBytes(c.gpuLiveBytes),
    ]),
  );
  const head = ['model', 'level', 'backend', 'engine', 'context', 'prefill', 'decode tok/s', 'TPOT p50', 'KV cache', 'WASM heap', 'GPU peak'];
  return `Decode at context length:\n${render(head, rows)}`;
}

/**
 * The engines side by side: a row per model, backend and size class (4-bit: ort q4 beside wllama q4_0), a column per
 * engine for each figure. A level with a note on this backend (ort's q4 on wasm) is starred; the note is under the tables.
 */
export function engineSidesTable(results: readonly RunResult[], wide: boolean): string | null {
  const { engines, rows } = engineSides(results);
  if (rows.length === 0) return null;
  const per = (head: string, unit: string, figure: (c: EngineCell) => string, wideOnly = false): Column<EngineSidesRow>[] =>
    engines.map((e) => ({
      head: `${head} ${ENGINE_SHORT[e]}${unit}`,
      // Two header lines in the default view (figure over engine), so a column is as wide as its numbers.
      short: `${head}\n${ENGINE_SHORT[e]}`,
      cell: (row) => (row.cells[e] ? figure(row.cells[e]) : '—'),
      wideOnly,
    }));
  const starred = (c: EngineCell) => `${c.dtype}${c.note ? '*' : ''}`;
  const columns: Column<EngineSidesRow>[] = [
    { head: 'model', cell: (row) => basename(row.model), always: true },
    { head: 'backend', cell: (row) => row.device, always: true },
    { head: 'weights', cell: (row) => row.size, always: true },
    {
      head: `levels ${engines.map((e) => ENGINE_SHORT[e]).join(' / ')}`,
      short: 'levels',
      cell: (row) => engines.map((e) => (row.cells[e] ? starred(row.cells[e]) : '—')).join(' / '),
      always: true,
    },
    ...per('decode', ' tok/s', (c) => formatRate(c.decodeTokPerS)),
    ...per('TTFT', '', (c) => formatMs(c.ttftMs)),
    // Three engines' prefill would pass 120 columns: --wide shows it then.
    ...per('prefill', ' tok/s', (c) => formatRate(c.prefillTokPerS), engines.length > 2),
    ...per('TPOT p50', '', (c) => formatMs(c.tpotP50Ms), true),
    {
      head: 'fastest decode',
      short: 'fastest',
      cell: (row) =>
        row.fastest ? `${ENGINE_SHORT[row.fastest.engine]}${row.fastest.overSlowest === null ? '' : ` ${row.fastest.overSlowest.toFixed(1)}×`}` : '—',
    },
  ];
  const noted = rows.some((row) => Object.values(row.cells).some((c) => c.note));
  const legend = [
    `  ${engines.map((e) => `${ENGINE_SHORT[e]}: ${ENGINE_LABEL[e]}`).join(', ')}; each engine's fastest level of the weights' size class`,
    "  decode and prefill in tok/s; fastest: the engine that decodes fastest, × the slowest engine's rate",
    ...(noted ? ['  * this level on this backend has a note below (onnxruntime-web has no 4-bit kernel on wasm)'] : []),
  ];
  const text = columnsTable(columns, rows, wide, () => legend);
  // The notes under the table (the legend, what --wide adds) wrap at 120 columns; the table's lines are its own.
  const lines = text.split('\n').map((l) => (!wide && l.startsWith('  ') && /[a-z]/.test(l) ? wrapLine(l) : l));
  return `Engines side by side:\n${lines.join('\n')}`;
}

/** Our ORT loop and transformers.js on the same model, level and backend: tokens and the time outside session.run. */
export function enginesTable(results: readonly RunResult[], wide: boolean): string | null {
  const rows = engineComparison(results);
  if (rows.length === 0) return null;
  const columns: Column<EngineComparison>[] = [
    { head: 'model', cell: (c) => basename(c.model), always: true },
    { head: 'level', cell: (c) => c.dtype, always: true },
    { head: 'backend', cell: (c) => c.device, always: true },
    { head: 'TTFT ort', cell: (c) => formatMs(c.ort.ttftMs) },
    { head: 'TTFT tjs', cell: (c) => formatMs(c.transformers.ttftMs) },
    { head: 'decode ort', cell: (c) => formatRate(c.ort.decodeTokPerS) },
    { head: 'decode tjs', cell: (c) => formatRate(c.transformers.decodeTokPerS) },
    { head: 'ort ÷ tjs', cell: (c) => (c.decodeRatio === null ? '—' : `${c.decodeRatio.toFixed(2)}×`) },
    { head: 'TPOT p50 ort / tjs', cell: (c) => `${formatMs(c.ort.tpotP50Ms)} / ${formatMs(c.transformers.tpotP50Ms)}` },
    { head: 'outside run ort / tjs', cell: (c) => `${formatMs(c.ort.outsideRunMs)} / ${formatMs(c.transformers.outsideRunMs)}`, wideOnly: true },
    { head: 'same tokens', cell: (c) => formatNumber(c.tokenAgreement, 3) },
  ];
  const legend = `ort: our ORT loop, tjs: transformers.js; decode in tok/s${wide ? "; outside run: a decode step's time outside session.run" : ''}`;
  return `ORT loop and transformers.js at the same level (${legend}):\n${columnsTable(columns, rows, wide)}`;
}
