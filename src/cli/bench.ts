/** `npm run bench`: run a suite in headless Chromium against the built app, print a table, write JSONL. */
import { appendFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import type { SuiteEvent } from '../client/suite.ts';
import type { SuitePlan } from '../core/plan.ts';
import { memoryGrowth, type Growth, type GrowthMetric } from '../core/growth.ts';
import type { RunResult } from '../core/schema.ts';
import { DEFAULT_WORKLOAD, type InputOverride, type ModelRef } from '../core/spec.ts';
import { DEVICES, DTYPES, InvalidInputError, dtypeFromFileName, parseList, parseOne, type Dtype } from '../core/vocab.ts';
import { formatBytes, formatMs, formatNumber, formatPercent } from '../ui/format.ts';
import { openApp } from './driver.ts';
import { OsMemorySampler, type OsPeak } from './proc-memory.ts';
import { startAppServer, type AppServer } from './serve.ts';

export interface BenchOptions {
  suite: string;
  model: string[];
  device: string;
  dtype?: string;
  iterations: number;
  warmup: number;
  timeBudget?: number;
  threads?: number;
  input: string[];
  out?: string;
  json?: boolean;
  strict?: boolean;
  /** Print nothing (tests read --out instead). Not a flag. */
  quiet?: boolean;
  repeat: number;
}

const SUITES = ['default', 'all'] as const;

const integer = (min: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}, got "${value}"`);
  return n;
};
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** "x=1,3,48,320" or "sr=16000" with --input: a shape (commas/x) or, with a leading "=", a fill value ("sr==16000"). */
export function parseInputFlag(flag: string): [string, InputOverride] {
  const m = /^([^=]+)=(=?)(.+)$/.exec(flag);
  if (!m) throw new InvalidInputError(`--input "${flag}" should look like NAME=1,3,224,224 (a shape) or NAME==16000 (a fill value).`);
  const [, name, isFill, value] = m as unknown as [string, string, string, string];
  if (isFill) {
    const fill = Number(value);
    if (!Number.isFinite(fill)) throw new InvalidInputError(`--input "${flag}": the fill value "${value}" is not a number.`);
    return [name, { fill }];
  }
  const dims = value.split(/[,x]/).map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new InvalidInputError(`--input "${flag}": shape "${value}" should be whole numbers separated by commas, e.g. 1,3,224,224.`);
  return [name, { shape: dims }];
}

/**
 * What the user named → a plan entry: catalog ids and URLs as strings, disk paths as served file refs. A file's
 * level is what its name says (model_q4.onnx → q4, as transformers.js names files), else fp32; the app makes
 * the other levels --dtype asks for from an fp32 file.
 */
export function modelEntry(name: string, catalogIds: readonly string[], server: AppServer): string | ModelRef {
  if (catalogIds.includes(name) || /^https?:\/\//i.test(name)) return name;
  const path = resolve(name);
  return { id: name, source: 'file', url: server.serveFile(path), dtype: dtypeFromFileName(path), task: 'unknown' };
}

/** --dtype: absent → fp32; "all" → every level each model ships (and every level for an fp32 file). */
export function parseDtypes(flag: string | undefined): Dtype[] | 'shipped' {
  if (!flag) return ['fp32'];
  return flag.trim() === 'all' ? 'shipped' : parseList('dtype', DTYPES, flag);
}

function table(results: readonly RunResult[]): string {
  // Fidelity columns only when some run was compared with its fp32 reference (a quantization comparison).
  const fidelity = results.some((r) => r.fidelity);
  const head = ['model', 'level', 'backend', 'state', 'load', 'first run', 'p50', 'p90', '±rme', 'n', 'size', 'WASM heap', 'GPU peak', 'browser PSS'];
  if (fidelity) head.push('max |Δ| vs fp32', 'cosine', 'top-1');
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
      basename(r.model.id), r.model.dtype, r.device, r.state, formatMs(r.timings.loadMs), formatMs(r.timings.firstRunMs),
      formatMs(l?.p50Ms), formatMs(l?.p90Ms), formatPercent(l?.rme), l ? String(l.n) : '—', formatBytes(r.model.bytes),
      formatBytes(r.memory.wasmHeapPeakBytes), formatBytes(r.memory.gpuBufferPeakBytes), formatBytes(r.memory.os?.peakPssBytes),
    ];
    if (fidelity) row.push(formatNumber(r.fidelity?.maxAbsDiff), formatNumber(r.fidelity?.cosine, 6), formatNumber(r.fidelity?.top1Agreement, 3));
    row.push(r.error?.message ?? '');
    t.push(row);
  }
  return t.toString();
}

function progressReporter(enabled: boolean): { onEvent: (e: SuiteEvent) => void; stop: () => void } {
  if (!enabled) return { onEvent: () => undefined, stop: () => undefined };
  const bars = new MultiBar({ format: ' {bar} {value}/{total} {label}', hideCursor: true, clearOnComplete: false, stream: process.stderr }, Presets.shades_classic);
  const suite = bars.create(1, 0, { label: 'runs' });
  const run = bars.create(1, 0, { label: '' });
  let current = '';
  return {
    onEvent(e) {
      switch (e.type) {
        case 'prepare': run.setTotal(e.total); run.update(e.done, { label: e.message }); break;
        case 'suite-start': suite.setTotal(e.total); break;
        case 'run-start':
          current = `${basename(e.spec.model.id)} ${e.spec.model.dtype} ${e.spec.device}`;
          run.update(0, { label: `${current}: starting` });
          break;
        case 'run-progress': {
          const p = e.progress;
          if (p.phase === 'fetch') { run.setTotal(p.totalBytes ?? Math.max(p.loadedBytes, 1)); run.update(p.loadedBytes, { label: `${current}: download ${formatBytes(p.loadedBytes)}` }); }
          else if (p.phase === 'session') run.update(0, { label: `${current}: creating session` });
          else { run.setTotal(p.total); run.update(p.done, { label: `${current}: ${p.phase}` }); }
          break;
        }
        case 'run-end': suite.update(e.index + 1, { label: `runs (last: ${current} ${e.result.state})` }); break;
        case 'suite-end': break;
      }
    },
    stop: () => bars.stop(),
  };
}

/** The leak check's table: each memory figure's first and last value, and its trend per repeated run. */
function growthTable(growth: readonly Growth[]): string {
  const cols: [GrowthMetric, string][] = [
    ['wasmHeapPeakBytes', 'WASM heap'], ['gpuBufferPeakBytes', 'GPU peak'], ['gpuLiveAfterDisposeBytes', 'GPU live after dispose'],
    ['osPeakRssBytes', 'browser RSS'], ['osPeakPssBytes', 'browser PSS'],
  ];
  const t = new Table({ head: ['model', 'level', 'backend', 'runs', ...cols.map(([, h]) => `${h}: first → last (per run)`)], style: { head: [], border: [] } });
  for (const g of growth) {
    t.push([basename(g.model), g.dtype, g.device, String(g.runs), ...cols.map(([m]) => {
      const x = g.metrics[m];
      return x ? `${formatBytes(x.first)} → ${formatBytes(x.last)} (${x.slopePerRun >= 0 ? '+' : '−'}${formatBytes(Math.abs(x.slopePerRun))})` : '—';
    })]);
  }
  return `Memory over ${growth[0]?.runs ?? 0} repeated runs (a worker per run should leave nothing behind):\n${t.toString()}`;
}

/** Fill a record's OS memory from the sampler's peaks for its run (the CLI's copy; the app's log has none). */
function withOsMemory(result: RunResult, peak: OsPeak | null): void {
  if (!peak) return;
  result.memory.osPeakRssBytes = peak.peakRssBytes;
  delete result.memory.unknown.osPeakRssBytes;
  result.memory.os = { peakPssBytes: peak.peakPssBytes, byType: peak.byType, samples: peak.samples };
}

/** Run the bench; resolves to the exit code (0 every run ended in a state, 1 harness failure or --strict). */
export async function bench(opts: BenchOptions): Promise<number> {
  parseOne('suite', SUITES, opts.suite);
  const devices = parseList('device', DEVICES, opts.device);
  const dtypes = parseDtypes(opts.dtype);
  const inputs = Object.fromEntries(opts.input.map(parseInputFlag));
  const workload = {
    ...DEFAULT_WORKLOAD,
    iterations: opts.iterations,
    warmup: opts.warmup,
    timeBudgetMs: opts.timeBudget ?? DEFAULT_WORKLOAD.timeBudgetMs,
    numThreads: opts.threads ?? null,
    inputs,
  };
  const server = await startAppServer();
  const results: RunResult[] = [];
  if (opts.out) writeFileSync(opts.out, '');
  const progress = progressReporter(!opts.json && !opts.quiet && process.stderr.isTTY !== false);
  let sampler: OsMemorySampler | null = null;
  const session = await openApp({
    server,
    onEvent: (e) => {
      progress.onEvent(e);
      if (e.type === 'run-start') sampler?.begin();
      if (e.type === 'run-end') {
        withOsMemory(e.result, sampler?.end() ?? null);
        results.push(e.result);
        // Written as each run ends: a crash later keeps what was measured.
        if (opts.out) appendFileSync(opts.out, JSON.stringify(e.result) + '\n');
      }
    },
  }).catch(async (err) => {
    await server.close();
    throw err;
  });
  sampler = new OsMemorySampler(session.marker);
  try {
    const catalog = await session.page.evaluate(() => window.ondevice.catalog());
    const ids = catalog.models.map((m) => m.id);
    const names = opts.model.length ? opts.model : ids;
    const plan: SuitePlan = { models: names.map((n) => modelEntry(n, ids, server)), devices, dtypes, workload, repeat: opts.repeat };
    await session.runSuite(plan);
  } finally {
    sampler.stop();
    progress.stop();
    await session.close();
    await server.close();
  }
  if (opts.quiet) { /* the caller reads --out */ }
  else if (opts.json) process.stdout.write(results.map((r) => JSON.stringify(r)).join('\n') + '\n');
  else {
    process.stdout.write(table(results) + '\n');
    if (opts.repeat > 1) process.stdout.write(growthTable(memoryGrowth(results)) + '\n');
    const counts = [...new Set(results.map((r) => r.state))].map((s) => `${results.filter((r) => r.state === s).length} ${s}`);
    process.stdout.write(`${results.length} runs: ${counts.join(', ')}${opts.out ? `; written to ${opts.out}` : ''}\n`);
  }
  return opts.strict && results.some((r) => r.state === 'errored') ? 1 : 0;
}

export function program(): Command {
  return new Command('ondevice bench')
    .description('Measure ONNX models in headless Chromium on WASM and WebGPU; print a table and write JSONL.')
    .option('--suite <name>', `which suite: ${SUITES.join(', ')}`, 'default')
    .option('--model <id|path|url>', 'a catalog id, an .onnx path or a URL (repeatable; default: every bundled model)', collect, [])
    .option('--device <list>', `backends, comma-separated: ${DEVICES.join(', ')}`, 'wasm,webgpu')
    .option('--dtype <list>', `levels: ${DTYPES.join(', ')}, or all (every level a model ships; an fp32 file gets them made) (default: fp32)`)
    .option('--iterations <n>', 'timed iterations per run', integer(1), DEFAULT_WORKLOAD.iterations)
    .option('--warmup <n>', 'warm-up runs (the first run, timed alone, counts as one)', integer(0), DEFAULT_WORKLOAD.warmup)
    .option('--time-budget <ms>', 'stop measuring a run after this long (at least one iteration)', integer(0))
    .option('--threads <n>', 'WASM threads (default: all cores when cross-origin isolated)', integer(1))
    .option('--input <name=shape>', 'input shape NAME=1,3,224,224 or fill NAME==16000 (repeatable)', collect, [])
    .option('--repeat <n>', 'run each spec n times in a row and report how memory grows (leak check)', integer(1), 1)
    .option('--out <file.jsonl>', 'write one JSON record per run')
    .option('--json', 'print JSONL to stdout instead of the table')
    .option('--strict', 'exit 1 when any run errored');
}

export async function main(argv: string[]): Promise<number> {
  const opts = program().parse(argv, { from: 'user' }).opts<BenchOptions>();
  try {
    return await bench(opts);
  } catch (err) {
    // One clear line. Bad flags are a usage error (2); anything else means the harness failed (1).
    const e = err as Error;
    const known = e.name === 'NoChromiumError' || e.name === 'InvalidInputError';
    process.stderr.write(`ondevice: ${known ? '' : `${e.name}: `}${e.message}\n`);
    return e.name === 'InvalidInputError' ? 2 : 1;
  }
}
