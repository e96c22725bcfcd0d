/**
 * The bench's printed tables: per-run measurements (models, language models, context lengths, engines side by side,
 * rooflines, per-operator profiles), the leak check's memory growth, devices side by side, and the summary line.
 */
import { basename } from 'node:path';
import Table from 'cli-table3';
import type { Growth, GrowthMetric } from '../core/growth.ts';
import type { RunResult } from '../core/schema.ts';
import { deviceComparison, engineComparison } from '../core/compare.ts';
import {
  formatBytes,
  formatGflops,
  formatMs,
  formatNumber,
  formatOpTypes,
  formatPredicted,
  formatRate,
  formatRme,
  formatShare,
  formatStepMs,
  formatUtilisation,
  formatWarmup,
} from '../text/format.ts';
import { profileHints } from '../core/profile.ts';
import { formatReason } from '../text/errors.ts';
import { setupLines } from '../text/setup.ts';
import { sweepTables, threadsLines } from './threads-report.ts';

/** How a run's model is named in the tables: replicas say so (their outputs are meaningless; their timings are the real model's). */
export const modelName = (r: RunResult): string => (r.model.source === 'replica' ? `${basename(r.model.id)} (replica)` : basename(r.model.id));

function table(results: readonly RunResult[]): string {
  // Fidelity columns only when some run was compared with its fp32 reference (a quantization comparison).
  const fidelity = results.some((r) => r.fidelity);
  const engines = new Set(results.map((r) => r.engine)).size > 1;
  // The fit check's prediction beside the peaks it should bound (replicas, where it is made before loading), and
  // measured ÷ predicted: the WASM heap on wasm, GPU buffers on WebGPU (fitAccuracy).
  const predicted = results.some((r) => r.memory.predicted);
  const head = [
    'model',
    'level',
    'backend',
    ...(engines ? ['engine'] : []),
    'state',
    'load',
    'first run',
    'p50',
    'p90',
    '±rme',
    'n',
    'warm-up',
    'size',
    ...(predicted ? ['predicted (peak ÷ it)'] : []),
    'WASM heap',
    'GPU peak',
    'page+workers',
    'browser PSS',
  ];
  if (fidelity) head.push('max |Δ| vs fp32', 'cosine', 'top-1');
  const counted = results.some((r) => r.model.flops);
  if (counted) head.push('GFLOP/s');
  const roofline = results.some((r) => r.utilisation || r.env?.roofline);
  if (roofline) head.push('roofline use');
  head.push('reason');
  const t = new Table({
    head,
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [...head.slice(0, -1).map(() => null), 44] as unknown as number[],
  });
  for (const r of results) {
    const l = r.timings.latency;
    const row = [
      modelName(r),
      r.model.dtype,
      r.device,
      ...(engines ? [r.engine] : []),
      r.state,
      formatMs(r.timings.loadMs),
      formatMs(r.timings.firstRunMs),
      formatMs(l?.p50Ms),
      formatMs(l?.p90Ms),
      formatRme(l),
      l ? String(l.n) : '—',
      formatWarmup(r.timings.warmup),
      formatBytes(r.model.bytes),
      ...(predicted ? [formatPredicted(r)] : []),
      formatBytes(r.memory.wasmHeapPeakBytes),
      formatBytes(r.memory.gpuBufferPeakBytes),
      formatBytes(r.memory.uaMemoryBytes),
      formatBytes(r.memory.os?.peakPssBytes),
    ];
    if (fidelity) row.push(formatNumber(r.fidelity?.maxAbsDiff), formatNumber(r.fidelity?.cosine, 6), formatNumber(r.fidelity?.top1Agreement, 3));
    if (counted) row.push(formatGflops(r));
    if (roofline) row.push(formatUtilisation(r));
    row.push(formatReason(r));
    t.push(row);
  }
  return t.toString();
}

/** Language-model runs: time to first token, prefill and decode rates, time per output token, token fidelity. */
function generationTable(results: readonly RunResult[]): string {
  const roofline = results.some((r) => r.utilisation || r.env?.roofline);
  const counted = results.some((r) => r.model.flops);
  const predicted = results.some((r) => r.memory.predicted);
  const head = [
    'model',
    'level',
    'backend',
    'engine',
    'state',
    'load',
    'TTFT',
    'prefill tok/s',
    'decode tok/s',
    'TPOT p50',
    'TPOT p90',
    'decode step (p50 each)',
    ...(predicted ? ['predicted (peak ÷ it)'] : []),
    'WASM heap',
    'GPU peak',
    '= fp32 (prefix/all)',
    ...(counted ? ['GFLOP/s'] : []),
    ...(roofline ? ['bandwidth use'] : []),
    'reason',
  ];
  const t = new Table({ head, style: { head: [], border: [] }, wordWrap: true, colWidths: [...head.slice(0, -1).map(() => null), 40] as unknown as number[] });
  for (const r of results) {
    const g = r.generation;
    const f = r.fidelity;
    t.push([
      modelName(r),
      r.model.dtype,
      r.device,
      r.engine,
      r.state,
      formatMs(r.timings.loadMs),
      formatMs(g?.ttftMs),
      formatRate(g?.prefillTokPerS),
      formatRate(g?.decodeTokPerS),
      formatMs(g?.tpot?.p50Ms),
      formatMs(g?.tpot?.p90Ms),
      formatStepMs(g?.stepMs),
      ...(predicted ? [formatPredicted(r)] : []),
      formatBytes(r.memory.wasmHeapPeakBytes),
      formatBytes(r.memory.gpuBufferPeakBytes),
      f?.tokenMatch != null ? `${formatNumber(f.tokenMatch, 3)} / ${formatNumber(f.tokenAgreement, 3)}` : '—',
      ...(counted ? [formatGflops(r)] : []),
      ...(roofline ? [formatUtilisation(r)] : []),
      formatReason(r),
    ]);
  }
  const g = results.find((r) => r.generation)?.generation;
  return `Language models (greedy; ${g ? `${g.promptTokens}-token prompt, ${g.newTokens} new tokens` : 'no generation completed'}):\n${t.toString()}`;
}

/** The context-length run type: decode speed and memory as the context fills. */
function contextTable(results: readonly RunResult[]): string {
  const t = new Table({
    head: ['model', 'level', 'backend', 'engine', 'context', 'prefill', 'decode tok/s', 'TPOT p50', 'KV cache', 'WASM heap', 'GPU peak'],
    style: { head: [], border: [] },
  });
  for (const r of results)
    for (const c of r.generation?.contexts ?? []) {
      t.push([
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
      ]);
    }
  return `Decode at context length:\n${t.toString()}`;
}

/** Both engines on the same model, level and backend. */
function enginesTable(results: readonly RunResult[]): string | null {
  const rows = engineComparison(results);
  if (rows.length === 0) return null;
  const t = new Table({
    head: [
      'model',
      'level',
      'backend',
      'TTFT ort',
      'TTFT transformers.js',
      'decode tok/s ort',
      'decode tok/s transformers.js',
      'ort ÷ transformers.js',
      'TPOT p50 ort / transformers.js',
      'step outside run ort / transformers.js',
      'same tokens',
    ],
    style: { head: [], border: [] },
  });
  for (const c of rows) {
    t.push([
      basename(c.model),
      c.dtype,
      c.device,
      formatMs(c.ort.ttftMs),
      formatMs(c.transformers.ttftMs),
      formatRate(c.ort.decodeTokPerS),
      formatRate(c.transformers.decodeTokPerS),
      c.decodeRatio === null ? '—' : `${c.decodeRatio.toFixed(2)}×`,
      `${formatMs(c.ort.tpotP50Ms)} / ${formatMs(c.transformers.tpotP50Ms)}`,
      `${formatMs(c.ort.outsideRunMs)} / ${formatMs(c.transformers.outsideRunMs)}`,
      formatNumber(c.tokenAgreement, 3),
    ]);
  }
  return `Engines side by side (our ORT loop vs transformers.js):\n${t.toString()}`;
}

/** The device rooflines the results were held against. */
function rooflineTable(results: readonly RunResult[]): string | null {
  const seen = new Map<string, NonNullable<NonNullable<RunResult['env']>['roofline']>>();
  for (const r of results) if (r.env?.roofline) seen.set(r.env.roofline.device, r.env.roofline);
  if (seen.size === 0) return null;
  const t = new Table({
    head: ['backend', 'memory bandwidth', 'buffer read', 'f32 matmul', 'matmul n', 'threads', 'ridge (FLOP/byte)'],
    style: { head: [], border: [] },
  });
  for (const r of seen.values()) {
    t.push([
      r.device,
      `${r.bandwidthGBps.toFixed(2)} GB/s`,
      formatBytes(r.bandwidthBufferBytes),
      `${r.gflops.toFixed(1)} GFLOP/s`,
      String(r.matmulSize),
      r.threads === null ? '—' : String(r.threads),
      (r.gflops / r.bandwidthGBps).toFixed(1),
    ]);
  }
  return `Device roofline (best of the repeats):\n${t.toString()}`;
}

/** The per-operator profiles (--profile): top op types and the slowest node per run, and why where we know. */
function profileTable(results: readonly RunResult[]): string | null {
  const asked = results.filter((r) => r.profile || r.profileReason);
  if (asked.length === 0) return null;
  const t = new Table({
    head: [
      'model',
      'level',
      'backend',
      'engine',
      'top op types (share of the profiled iteration)',
      'slowest node',
      'profiled iteration (measured p50)',
      'profiling took',
    ],
    style: { head: [], border: [] },
  });
  const hints = new Set<string>();
  const notes = new Set<string>();
  for (const r of asked) {
    const p = r.profile;
    if (!p) {
      t.push([modelName(r), r.model.dtype, r.device, r.engine, { colSpan: 4, content: r.profileReason ?? '' }]);
      continue;
    }
    const top = p.topOps[0];
    t.push([
      modelName(r),
      r.model.dtype,
      r.device,
      r.engine,
      formatOpTypes(p),
      top ? `${top.node} (${top.opType}) ${formatMs(top.ms)}, ${formatShare(top.share)}` : '—',
      `${formatMs(p.iterationMs)}${p.runs > 1 ? ` over ${p.runs} runs` : ''} (${r.task === 'text-generation' ? '—' : formatMs(r.timings.latency?.p50Ms)})`,
      formatMs(p.profilingMs),
    ]);
    for (const h of profileHints(p, r.device)) hints.add(h);
    if (p.note) notes.add(p.note);
    if (r.task === 'text-generation') notes.add(`language models: ${p.workload}`);
  }
  // The profiler's own bookkeeping slows some kernels (onnxruntime times every node, and its thread pool's scheduling):
  // the shares say where time goes; the measured p50 says how long a run takes.
  notes.add("profiled times include the profiler's own overhead; compare shares, and take run times from the measured table");
  const lines = [...hints].map((h) => `  why: ${h}`).concat([...notes].map((n) => `  note: ${n}`));
  return `Per-operator profile (one more iteration after the measured ones, with onnxruntime's profiler):\n${t.toString()}${lines.length ? `\n${lines.join('\n')}` : ''}`;
}

/** Every table that applies to these results. */
export function report(results: readonly RunResult[]): string {
  const lm = results.filter((r) => r.task === 'text-generation');
  const other = results.filter((r) => r.task !== 'text-generation');
  const parts: string[] = [];
  const setup = setupLines(results);
  if (setup.length) parts.push(`Setup:\n${setup.map((l) => `  ${l}`).join('\n')}`);
  const threads = threadsLines(results);
  if (threads) parts.push(threads);
  if (other.length) parts.push(table(other));
  const plain = lm.filter((r) => !r.generation?.contexts);
  if (plain.length) parts.push(generationTable(plain));
  const swept = lm.filter((r) => r.generation?.contexts?.length);
  if (swept.length) parts.push(contextTable(swept));
  const engines = enginesTable(lm);
  if (engines) parts.push(engines);
  const roof = rooflineTable(results);
  if (roof) parts.push(roof);
  const profiles = profileTable(results);
  if (profiles) parts.push(profiles);
  const sweep = sweepTables(results);
  if (sweep) parts.push(sweep);
  return parts.join('\n');
}

/** The leak check's table: each memory figure's first and last value, and its trend per repeated run. */
export function growthTable(growth: readonly Growth[]): string {
  const cols: [GrowthMetric, string][] = [
    ['wasmHeapPeakBytes', 'WASM heap'],
    ['gpuBufferPeakBytes', 'GPU peak'],
    ['gpuLiveAfterDisposeBytes', 'GPU live after dispose'],
    ['osPeakRssBytes', 'browser RSS'],
    ['osPeakPssBytes', 'browser PSS'],
  ];
  const t = new Table({ head: ['model', 'level', 'backend', 'runs', ...cols.map(([, h]) => `${h}: first → last (per run)`)], style: { head: [], border: [] } });
  for (const g of growth) {
    t.push([
      basename(g.model),
      g.dtype,
      g.device,
      String(g.runs),
      ...cols.map(([m]) => {
        const x = g.metrics[m];
        return x ? `${formatBytes(x.first)} → ${formatBytes(x.last)} (${x.slopePerRun >= 0 ? '+' : '−'}${formatBytes(Math.abs(x.slopePerRun))})` : '—';
      }),
    ]);
  }
  return `Memory over ${growth[0]?.runs ?? 0} repeated runs (a worker per run should leave nothing behind):\n${t.toString()}`;
}

export const summary = (results: readonly RunResult[]): string =>
  results.length === 0
    ? '0 runs'
    : `${results.length} runs: ${[...new Set(results.map((r) => r.state))].map((s) => `${results.filter((r) => r.state === s).length} ${s}`).join(', ')}`;

/** The same specs on each device: p50 (or decode tok/s for language models), the state where a run did not complete. */
export function devicesTable(groups: ReadonlyMap<string, readonly RunResult[]>): string | null {
  const { devices, rows } = deviceComparison(groups);
  if (devices.length < 2 || rows.length === 0) return null;
  const engines = new Set(rows.map((r) => r.engine)).size > 1;
  const t = new Table({ head: ['model', 'level', 'backend', ...(engines ? ['engine'] : []), 'figure', ...devices], style: { head: [], border: [] } });
  for (const row of rows) {
    const cells = devices.map((d) => {
      const f = row.byDevice[d];
      if (!f) return '—';
      if (f.state !== 'completed') return f.state;
      return row.generative ? formatRate(f.decodeTokPerS) : formatMs(f.p50Ms);
    });
    t.push([basename(row.model), row.dtype, row.device, ...(engines ? [row.engine] : []), row.generative ? 'decode tok/s' : 'p50', ...cells]);
  }
  return `Devices side by side:\n${t.toString()}`;
}
