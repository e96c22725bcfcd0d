/**
 * The bench's printed tables: per-run measurements (models; language models in bench-tables-lm.ts), rooflines,
 * per-operator profiles, the leak check's memory growth, devices side by side, and the summary line.
 */
import { basename } from 'node:path';
import type { Growth, GrowthMetric } from '../core/growth.ts';
import type { RunResult } from '../core/schema.ts';
import { deviceComparison } from '../core/compare.ts';
import {
  formatBytes,
  formatHeap,
  formatMs,
  formatNumber,
  formatOpTypes,
  formatPredicted,
  formatRate,
  formatShare,
  formatUtilisation,
  formatWarmup,
} from '../text/format.ts';
import { profileHints } from '../core/profile.ts';
import { formatReason } from '../text/errors.ts';
import { setupLines } from '../text/setup.ts';
import { sweepTables, threadsLines } from './threads-report.ts';
import { columnsTable, newTable, notes, tableText, wrapLine, type Column } from './cli-table.ts';
import { gflopsCell, modelName, rmeCell, stateColumn } from './run-columns.ts';
import { contextTable, engineSidesTable, enginesTable, generationTable } from './bench-tables-lm.ts';

export { modelName } from './run-columns.ts';

/** Runs of models that are not language models: load, latency, memory, and fidelity against fp32 where compared. */
function table(results: readonly RunResult[], wide: boolean): string {
  const some = (f: (r: RunResult) => unknown) => results.some((r) => f(r));
  const reasons = notes();
  const columns: Column<RunResult>[] = [
    { head: 'model', cell: modelName, always: true },
    { head: 'level', cell: (r) => r.model.dtype, always: true },
    { head: 'backend', cell: (r) => r.device, always: true },
    { head: 'engine', cell: (r) => r.engine, when: new Set(results.map((r) => r.engine)).size > 1 },
    // Every run completed and none has a reason: the summary line says so, and the default view spares the column.
    { ...stateColumn(reasons.mark), when: wide || some((r) => r.state !== 'completed' || r.error) },
    { head: 'load', cell: (r) => formatMs(r.timings.loadMs) },
    { head: 'first run', short: 'first', cell: (r) => formatMs(r.timings.firstRunMs) },
    { head: 'p50', cell: (r) => formatMs(r.timings.latency?.p50Ms) },
    { head: 'p90', cell: (r) => formatMs(r.timings.latency?.p90Ms) },
    { head: '±rme', cell: (r, wide) => rmeCell(r.timings.latency, wide) },
    { head: 'n', cell: (r) => (r.timings.latency ? String(r.timings.latency.n) : '—') },
    { head: 'warm-up', cell: (r) => formatWarmup(r.timings.warmup), wideOnly: true },
    { head: 'size', cell: (r) => formatBytes(r.model.bytes) },
    // The fit check's prediction beside the peaks it should bound (replicas, where it is made before loading), and
    // measured ÷ predicted: the WASM heap on wasm, GPU buffers on WebGPU (fitAccuracy).
    { head: 'predicted (peak ÷ it)', short: 'predicted', cell: formatPredicted, when: some((r) => r.memory.predicted) },
    { head: 'WASM heap', cell: (r) => formatHeap(r.memory) },
    { head: 'GPU peak', cell: (r) => formatBytes(r.memory.gpuBufferPeakBytes) },
    { head: 'page+workers', cell: (r) => formatBytes(r.memory.uaMemoryBytes) },
    { head: 'browser PSS', cell: (r) => formatBytes(r.memory.os?.peakPssBytes) },
    // Fidelity only when some run was compared with its fp32 reference (a quantization comparison); the default view
    // gives it a table of its own (fidelityTable).
    ...(wide ? fidelityColumns(results) : []),
    // Achieved GFLOP/s: with --wide, or beside the roofline it is held against.
    { head: 'GFLOP/s', cell: gflopsCell, when: some((r) => r.model.flops), wideOnly: !some((r) => r.utilisation || r.env?.roofline) },
    { head: 'roofline use', cell: formatUtilisation, when: some((r) => r.utilisation || r.env?.roofline) },
    { head: 'reason', cell: formatReason, wideOnly: true, width: 44 },
  ];
  const text = columnsTable(columns, results, wide, reasons.lines);
  const compared = results.filter((r) => r.fidelity);
  return wide || compared.length === 0 ? text : `${text}\nAgainst fp32 on the same backend:\n${columnsTable(fidelityColumns(compared, true), compared, false)}`;
}

/** Fidelity against the fp32 run; `alone`: as a table of its own, which names its rows. */
function fidelityColumns(results: readonly RunResult[], alone = false): Column<RunResult>[] {
  const when = results.some((r) => r.fidelity);
  return [
    ...(alone
      ? [
          { head: 'model', cell: modelName, always: true },
          { head: 'level', cell: (r: RunResult) => r.model.dtype, always: true },
          { head: 'backend', cell: (r: RunResult) => r.device, always: true },
        ]
      : []),
    { head: 'max |Δ| vs fp32', short: 'max |Δ|', cell: (r) => formatNumber(r.fidelity?.maxAbsDiff), when },
    { head: 'cosine', cell: (r) => formatNumber(r.fidelity?.cosine, 6), when },
    { head: 'top-1', cell: (r) => formatNumber(r.fidelity?.top1Agreement, 3), when },
  ];
}

/** The device rooflines the results were held against. */
function rooflineTable(results: readonly RunResult[]): string | null {
  const seen = new Map<string, NonNullable<NonNullable<RunResult['env']>['roofline']>>();
  for (const r of results) if (r.env?.roofline) seen.set(r.env.roofline.device, r.env.roofline);
  if (seen.size === 0) return null;
  const t = newTable(['backend', 'memory bandwidth', 'buffer read', 'f32 matmul', 'matmul n', 'threads', 'ridge (FLOP/byte)']);
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
  return `Device roofline (best of the repeats):\n${tableText(t)}`;
}

/** The per-operator profiles (--profile): top op types and the slowest node per run, and why where we know. */
function profileTable(results: readonly RunResult[]): string | null {
  const asked = results.filter((r) => r.profile || r.profileReason);
  if (asked.length === 0) return null;
  const t = newTable([
    'model',
    'level',
    'backend',
    'engine',
    'top op types (share of the profiled iteration)',
    'slowest node',
    'profiled iteration (measured p50)',
    'profiling took',
  ]);
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
  return `Per-operator profile (one more iteration after the measured ones, with onnxruntime's profiler):\n${tableText(t)}${lines.length ? `\n${lines.join('\n')}` : ''}`;
}

/**
 * Every table that applies to these results. The default view fits a 120-column terminal for a run or a few: columns
 * no run fills are left out, and reasons are notes under their table; `wide` shows every column (--wide).
 */
export function report(results: readonly RunResult[], wide = false, setupExtra: readonly string[] = []): string {
  const lm = results.filter((r) => r.task === 'text-generation');
  const other = results.filter((r) => r.task !== 'text-generation');
  const parts: string[] = [];
  // setupExtra: what the CLI knows and the records do not (its browser profile).
  const setup = [...setupLines(results), ...setupExtra];
  // Prose lines are wrapped to the tables' width (the wide view's tables are wider anyway).
  if (setup.length) parts.push(`Setup:\n${setup.map((l) => wrapLine(`  ${l}`)).join('\n')}`);
  const threads = threadsLines(results);
  if (threads)
    parts.push(
      threads
        .split('\n')
        .map((l) => wrapLine(l))
        .join('\n'),
    );
  if (other.length) parts.push(table(other, wide));
  const plain = lm.filter((r) => !r.generation?.contexts);
  if (plain.length) parts.push(generationTable(plain, wide));
  const swept = lm.filter((r) => r.generation?.contexts?.length);
  if (swept.length) parts.push(contextTable(swept));
  const sides = engineSidesTable(lm, wide);
  if (sides) parts.push(sides);
  const engines = enginesTable(lm, wide);
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
  const t = newTable(['model', 'level', 'backend', 'runs', ...cols.map(([, h]) => `${h}: first → last (per run)`)]);
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
  return `Memory over ${growth[0]?.runs ?? 0} repeated runs (a worker per run should leave nothing behind):\n${tableText(t)}`;
}

/** "1 run", "2 runs". */
export const runs = (n: number): string => `${n} run${n === 1 ? '' : 's'}`;

export const summary = (results: readonly RunResult[]): string =>
  results.length === 0
    ? '0 runs'
    : `${runs(results.length)}: ${[...new Set(results.map((r) => r.state))].map((s) => `${results.filter((r) => r.state === s).length} ${s}`).join(', ')}`;

/** The same specs on each device: p50 (or decode tok/s for language models), the state where a run did not complete. */
export function devicesTable(groups: ReadonlyMap<string, readonly RunResult[]>): string | null {
  const { devices, rows } = deviceComparison(groups);
  if (devices.length < 2 || rows.length === 0) return null;
  const engines = new Set(rows.map((r) => r.engine)).size > 1;
  const t = newTable(['model', 'level', 'backend', ...(engines ? ['engine'] : []), 'figure', ...devices]);
  for (const row of rows) {
    const cells = devices.map((d) => {
      const f = row.byDevice[d];
      if (!f) return '—';
      if (f.state !== 'completed') return f.state;
      return row.generative ? formatRate(f.decodeTokPerS) : formatMs(f.p50Ms);
    });
    t.push([basename(row.model), row.dtype, row.device, ...(engines ? [row.engine] : []), row.generative ? 'decode tok/s' : 'p50', ...cells]);
  }
  return `Devices side by side:\n${tableText(t)}`;
}
