/** The bench's tables of language-model runs: generation, decode at context lengths, and both engines side by side. */
import { basename } from 'node:path';
import type { RunResult } from '../core/schema.ts';
import { engineComparison, type EngineComparison } from '../core/compare.ts';
import { formatBytes, formatMs, formatNumber, formatPredicted, formatRate, formatStepMs, formatUtilisation } from '../text/format.ts';
import { formatReason } from '../text/errors.ts';
import { columnsTable, notes, render, type Column } from './cli-table.ts';
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
    { head: 'WASM heap', cell: (r) => formatBytes(r.memory.wasmHeapPeakBytes) },
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

/** Both engines on the same model, level and backend. */
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
  return `Engines side by side (${legend}):\n${columnsTable(columns, rows, wide)}`;
}
