/** `npm run bench`: run a suite in headless Chromium against the built app, print a table, write JSONL. */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, resolve } from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import type { SuiteEvent } from '../client/suite.ts';
import { isReplicaName, type Catalog } from '../core/catalog.ts';
import type { Claim, ThresholdOverrides } from '../claims/types.ts';
import type { SuitePlan } from '../core/plan.ts';
import { memoryGrowth, type Growth, type GrowthMetric } from '../core/growth.ts';
import type { RunResult } from '../core/schema.ts';
import { DEFAULT_CONTEXT_LENGTHS, DEFAULT_GENERATION, DEFAULT_WORKLOAD, type GenerationWorkload, type InputOverride, type ModelRef } from '../core/spec.ts';
import { levelNotes } from '../core/level-note.ts';
import { DEVICES, DTYPES, ENGINES, ORT_BUILDS, InvalidInputError, dtypeFromFileName, parseList, parseOne, type Device, type Dtype, type Engine } from '../core/vocab.ts';
import type { Page } from 'playwright-core';
import { deviceComparison, engineComparison, groupByRemote } from '../core/compare.ts';
import { parseJsonl } from '../store/export.ts';
import { formatBytes, formatGflops, formatMs, formatNumber, formatOpTypes, formatPredicted, formatRate, formatRme, formatShare, formatStepMs, formatUtilisation, formatWarmup } from '../text/format.ts';
import { PROFILE_ENGINES, profileHints } from '../core/profile.ts';
import { parseThresholdFlags, selectClaims } from '../claims/claims.ts';
import { claimRunPlans } from '../claims/plan.ts';
import { defaultDevices } from '../core/capabilities.ts';
import { judgeDevices } from '../claims/judge.ts';
import { openApp } from './driver.ts';
import { setupLines } from '../text/setup.ts';
import { claimsTable, loadCatalog, loadClaims, reportKind, writeReport } from './report.ts';
import { OsMemorySampler, type OsPeak } from './proc-memory.ts';
import { builtCatalog, describeEndpoint, parseEndpoints, readResumeFile, runOnDevices, type DeviceOutcome, type Endpoint } from './remote.ts';
import { startAppServer, type AppServer } from './serve.ts';
import { sweepTables, threadsLines } from './threads-report.ts';
import { parseThreads, type ThreadsRequest } from '../core/threads.ts';

export interface BenchOptions {
  suite: string;
  model: string[];
  /** Not given: wasm, and webgpu when the adapter is a real GPU (defaultDevices). */
  device?: string;
  dtype?: string;
  iterations: number;
  warmup: number;
  /** --warmup-cap MS: adaptive warm-up's cap (0: exactly --warmup runs); default DEFAULT_WORKLOAD's. */
  warmupCap?: number;
  timeBudget?: number;
  /** --threads N|auto|sweep. */
  threads?: ThreadsRequest;
  /** --ort-build: load this onnxruntime-web build instead of the device's fastest (setup comparisons). */
  ortBuild?: string;
  input: string[];
  out?: string;
  json?: boolean;
  strict?: boolean;
  /** Print nothing (tests read --out instead). Not a flag. */
  quiet?: boolean;
  repeat: number;
  engine?: string;
  prompt?: string;
  maxNewTokens?: number;
  /** --context: the context-length run type; true for the default lengths. */
  context?: string | boolean;
  hubHost?: string;
  task?: string;
  /** --roofline [quick]: measure each backend's roofline first and report each run's utilisation of it. */
  roofline?: string | boolean;
  /** Abort the suite after this many ms (what Ctrl-C does, on a timer: for tests and unattended runs). */
  abortAfter?: number;
  /** --threshold CLAIM.NAME=VALUE: change a claim's default threshold. */
  threshold?: string[];
  /** --report FILE (.html or .md): the claims report of these runs. */
  report?: string;
  /** --claim ID: only these claims (the claims suite runs only what they need). */
  claim?: string[];
  /** --connect [NAME=]URL: remote browsers (Playwright browser servers; `cdp:` for DevTools endpoints) instead of a local one. */
  connect?: string[];
  /** --connect-cdp [NAME=]URL: DevTools endpoints (Selenium Grid 4, device clouds). */
  connectCdp?: string[];
  /** Remote browsers running at once (default 2). */
  concurrency?: number;
  /** Address the app is served on (default 127.0.0.1). */
  host?: string;
  port?: number;
  /** The URL remote browsers open (a tunnel's), instead of http://HOST:PORT/. */
  publicUrl?: string;
  /** --resume FILE.jsonl: run only what FILE does not answer yet, appending to it. */
  resume?: string;
  /** --profile: one more iteration per run with onnxruntime's profiler; the top operators per run (ORT engine only). */
  profile?: boolean;
}

/** `claims`: the runs the articles' claims need (models/claims.json), then a verdict for each. */
const SUITES = ['default', 'all', 'claims'] as const;

const integer = (min: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}, got "${value}"`);
  return n;
};
const collect = (value: string, previous: string[]): string[] => [...previous, value];
/** --threads: a count from 1 (this machine's cores are checked once the CLI knows the browser is local), auto or sweep. */
const threadsFlag = (value: string): ThreadsRequest => {
  try {
    return parseThreads(value, '--threads');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

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
  if (catalogIds.includes(name) || /^https?:\/\//i.test(name) || name.startsWith('hub:') || isReplicaName(name)) return name;
  const path = resolve(name);
  return { id: name, source: 'file', url: server.serveFile(path), dtype: dtypeFromFileName(path), task: 'unknown' };
}

/** --engine: "auto" (both engines where a model has the Hugging Face layout, else ort) or a list. */
export function parseEngines(flag: string): Engine[] | 'auto' {
  return flag.trim() === 'auto' ? 'auto' : parseList('engine', ENGINES, flag);
}

/** --context [list]: absent → null (normal generation); bare → the default lengths; else whole numbers ≥ 1. */
export function parseContext(flag: string | boolean | undefined): number[] | null {
  if (flag === undefined || flag === false) return null;
  if (flag === true) return [...DEFAULT_CONTEXT_LENGTHS];
  const lengths = flag.split(',').map((x) => Number(x.trim()));
  if (lengths.length === 0 || lengths.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidInputError(`--context "${flag}" should be context lengths in tokens, e.g. 128,512,2048 (whole numbers ≥ 1).`);
  }
  return lengths;
}

/** --dtype: absent → fp32; "all" → every level each model ships (and every level for an fp32 file). */
export function parseDtypes(flag: string | undefined): Dtype[] | 'shipped' {
  if (!flag) return ['fp32'];
  return flag.trim() === 'all' ? 'shipped' : parseList('dtype', DTYPES, flag);
}

/** How a run's model is named in the tables: replicas say so (their outputs are meaningless; their timings are the real model's). */
const modelName = (r: RunResult): string => (r.model.source === 'replica' ? `${basename(r.model.id)} (replica)` : basename(r.model.id));

function table(results: readonly RunResult[]): string {
  // Fidelity columns only when some run was compared with its fp32 reference (a quantization comparison).
  const fidelity = results.some((r) => r.fidelity);
  const engines = new Set(results.map((r) => r.engine)).size > 1;
  // The fit check's prediction beside the peaks it should bound (replicas, where it is made before loading), and
  // measured ÷ predicted: the WASM heap on wasm, GPU buffers on WebGPU (fitAccuracy).
  const predicted = results.some((r) => r.memory.predicted);
  const head = ['model', 'level', 'backend', ...(engines ? ['engine'] : []), 'state', 'load', 'first run', 'p50', 'p90', '±rme', 'n', 'warm-up', 'size', ...(predicted ? ['predicted (peak ÷ it)'] : []), 'WASM heap', 'GPU peak', 'page+workers', 'browser PSS'];
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
      modelName(r), r.model.dtype, r.device, ...(engines ? [r.engine] : []), r.state, formatMs(r.timings.loadMs), formatMs(r.timings.firstRunMs),
      formatMs(l?.p50Ms), formatMs(l?.p90Ms), formatRme(l), l ? String(l.n) : '—', formatWarmup(r.timings.warmup), formatBytes(r.model.bytes),
      ...(predicted ? [formatPredicted(r)] : []), formatBytes(r.memory.wasmHeapPeakBytes), formatBytes(r.memory.gpuBufferPeakBytes), formatBytes(r.memory.uaMemoryBytes), formatBytes(r.memory.os?.peakPssBytes),
    ];
    if (fidelity) row.push(formatNumber(r.fidelity?.maxAbsDiff), formatNumber(r.fidelity?.cosine, 6), formatNumber(r.fidelity?.top1Agreement, 3));
    if (counted) row.push(formatGflops(r));
    if (roofline) row.push(formatUtilisation(r));
    row.push(r.error?.message ?? '');
    t.push(row);
  }
  return t.toString();
}



/** Language-model runs: time to first token, prefill and decode rates, time per output token, token fidelity. */
function generationTable(results: readonly RunResult[]): string {
  const roofline = results.some((r) => r.utilisation || r.env?.roofline);
  const counted = results.some((r) => r.model.flops);
  const predicted = results.some((r) => r.memory.predicted);
  const head = ['model', 'level', 'backend', 'engine', 'state', 'load', 'TTFT', 'prefill tok/s', 'decode tok/s', 'TPOT p50', 'TPOT p90', 'decode step (p50 each)', ...(predicted ? ['predicted (peak ÷ it)'] : []), 'WASM heap', 'GPU peak', '= fp32 (prefix/all)', ...(counted ? ['GFLOP/s'] : []), ...(roofline ? ['bandwidth use'] : []), 'reason'];
  const t = new Table({ head, style: { head: [], border: [] }, wordWrap: true, colWidths: [...head.slice(0, -1).map(() => null), 40] as unknown as number[] });
  for (const r of results) {
    const g = r.generation;
    const f = r.fidelity;
    t.push([
      modelName(r), r.model.dtype, r.device, r.engine, r.state, formatMs(r.timings.loadMs),
      formatMs(g?.ttftMs), formatRate(g?.prefillTokPerS), formatRate(g?.decodeTokPerS), formatMs(g?.tpot?.p50Ms), formatMs(g?.tpot?.p90Ms), formatStepMs(g?.stepMs),
      ...(predicted ? [formatPredicted(r)] : []), formatBytes(r.memory.wasmHeapPeakBytes), formatBytes(r.memory.gpuBufferPeakBytes),
      f?.tokenMatch != null ? `${formatNumber(f.tokenMatch, 3)} / ${formatNumber(f.tokenAgreement, 3)}` : '—', ...(counted ? [formatGflops(r)] : []),
      ...(roofline ? [formatUtilisation(r)] : []), r.error?.message ?? '',
    ]);
  }
  const g = results.find((r) => r.generation)?.generation;
  return `Language models (greedy; ${g ? `${g.promptTokens}-token prompt, ${g.newTokens} new tokens` : 'no generation completed'}):\n${t.toString()}`;
}

/** The context-length run type: decode speed and memory as the context fills. */
function contextTable(results: readonly RunResult[]): string {
  const t = new Table({ head: ['model', 'level', 'backend', 'engine', 'context', 'prefill', 'decode tok/s', 'TPOT p50', 'KV cache', 'WASM heap', 'GPU peak'], style: { head: [], border: [] } });
  for (const r of results) for (const c of r.generation?.contexts ?? []) {
    t.push([modelName(r), r.model.dtype, r.device, r.engine, String(c.contextTokens), formatMs(c.prefillMs), formatRate(c.decodeTokPerS), formatMs(c.tpot?.p50Ms), formatBytes(c.kvCacheBytes), formatBytes(c.wasmHeapBytes), formatBytes(c.gpuLiveBytes)]);
  }
  return `Decode at context length:\n${t.toString()}`;
}

/** Both engines on the same model, level and backend. */
function enginesTable(results: readonly RunResult[]): string | null {
  const rows = engineComparison(results);
  if (rows.length === 0) return null;
  const t = new Table({ head: ['model', 'level', 'backend', 'TTFT ort', 'TTFT transformers.js', 'decode tok/s ort', 'decode tok/s transformers.js', 'ort ÷ transformers.js', 'TPOT p50 ort / transformers.js', 'step outside run ort / transformers.js', 'same tokens'], style: { head: [], border: [] } });
  for (const c of rows) {
    t.push([basename(c.model), c.dtype, c.device, formatMs(c.ort.ttftMs), formatMs(c.transformers.ttftMs), formatRate(c.ort.decodeTokPerS), formatRate(c.transformers.decodeTokPerS), c.decodeRatio === null ? '—' : `${c.decodeRatio.toFixed(2)}×`, `${formatMs(c.ort.tpotP50Ms)} / ${formatMs(c.transformers.tpotP50Ms)}`, `${formatMs(c.ort.outsideRunMs)} / ${formatMs(c.transformers.outsideRunMs)}`, formatNumber(c.tokenAgreement, 3)]);
  }
  return `Engines side by side (our ORT loop vs transformers.js):\n${t.toString()}`;
}

/** The device rooflines the results were held against. */
function rooflineTable(results: readonly RunResult[]): string | null {
  const seen = new Map<string, NonNullable<NonNullable<RunResult['env']>['roofline']>>();
  for (const r of results) if (r.env?.roofline) seen.set(r.env.roofline.device, r.env.roofline);
  if (seen.size === 0) return null;
  const t = new Table({ head: ['backend', 'memory bandwidth', 'buffer read', 'f32 matmul', 'matmul n', 'threads', 'ridge (FLOP/byte)'], style: { head: [], border: [] } });
  for (const r of seen.values()) {
    t.push([r.device, `${r.bandwidthGBps.toFixed(2)} GB/s`, formatBytes(r.bandwidthBufferBytes), `${r.gflops.toFixed(1)} GFLOP/s`, String(r.matmulSize), r.threads === null ? '—' : String(r.threads), (r.gflops / r.bandwidthGBps).toFixed(1)]);
  }
  return `Device roofline (best of the repeats):\n${t.toString()}`;
}

/** The per-operator profiles (--profile): top op types and the slowest node per run, and why where we know. */
function profileTable(results: readonly RunResult[]): string | null {
  const asked = results.filter((r) => r.profile || r.profileReason);
  if (asked.length === 0) return null;
  const t = new Table({ head: ['model', 'level', 'backend', 'engine', 'top op types (share of the profiled iteration)', 'slowest node', 'profiled iteration (measured p50)', 'profiling took'], style: { head: [], border: [] } });
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
      modelName(r), r.model.dtype, r.device, r.engine, formatOpTypes(p),
      top ? `${top.node} (${top.opType}) ${formatMs(top.ms)}, ${formatShare(top.share)}` : '—', `${formatMs(p.iterationMs)}${p.runs > 1 ? ` over ${p.runs} runs` : ''} (${r.task === 'text-generation' ? '—' : formatMs(r.timings.latency?.p50Ms)})`, formatMs(p.profilingMs),
    ]);
    for (const h of profileHints(p, r.device)) hints.add(h);
    if (p.note) notes.add(p.note);
    if (r.task === 'text-generation') notes.add(`language models: ${p.workload}`);
  }
  // The profiler's own bookkeeping slows some kernels (onnxruntime times every node, and its thread pool's scheduling):
  // the shares say where time goes; the measured p50 says how long a run takes.
  notes.add('profiled times include the profiler\'s own overhead; compare shares, and take run times from the measured table');
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
          else if (p.phase === 'download') { run.setTotal(p.totalBytes ?? Math.max(p.loadedBytes, 1)); run.update(p.loadedBytes, { label: `${current}: ${basename(p.file)} ${formatBytes(p.loadedBytes)}` }); }
          else if (p.phase === 'session') run.update(0, { label: `${current}: creating session` });
          else if (p.phase === 'build') { run.setTotal(Math.max(p.totalBytes, 1)); run.update(p.writtenBytes, { label: `${current}: building replica ${formatBytes(p.writtenBytes)}` }); }
          else if (p.phase === 'generate') { run.setTotal(p.total); run.update(p.done, { label: `${current}: generating${p.context ? ` at ${p.context} tokens` : ''}` }); }
          // Adaptive warm-up has no run count to reach: the bar fills with its time against the cap.
          else if (p.phase === 'warmup' && p.total === null) { run.setTotal(Math.max(1, Math.round(p.capMs ?? 1))); run.update(Math.round(p.elapsedMs ?? 0), { label: `${current}: warm-up ${p.done} (until steady)` }); }
          else if (p.phase === 'profile') run.update(0, { label: `${current}: profiling one more iteration` });
          else { run.setTotal(p.total ?? p.done); run.update(p.done, { label: `${current}: ${p.phase}` }); }
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

/** The backends when none are named (defaultDevices), saying why WebGPU is left out. */
async function browserDefaultDevices(page: Page): Promise<Device[]> {
  const { devices, note } = defaultDevices(await page.evaluate(() => window.ondevice.capabilities()));
  if (note) process.stderr.write(`ondevice: ${note}\n`);
  return devices;
}

/** The suite the flags ask for, made once the catalog, the app server and the backends are known. */
interface PlanMaker {
  /** Null: no --device; the backends depend on the browser (defaultDevices). */
  devices: Device[] | null;
  /** Without --device on remote browsers, which are not probed before planning: the claims suite wasm, else both. */
  remoteDevices: Device[];
  make(catalog: Catalog, server: AppServer, devices: Device[]): SuitePlan[];
}

/** The flags that shape the suite → its plans, once the model names can be resolved (catalog ids, served files). */
function planFromOptions(opts: BenchOptions, claims: readonly Claim[]): PlanMaker {
  const claimsSuite = parseOne('suite', SUITES, opts.suite) === 'claims';
  const sweep = opts.threads === 'sweep';
  const devices = opts.device ? parseList('device', DEVICES, opts.device) : null;
  if (sweep) {
    const models = claimsSuite ? 'the claims suite' : opts.model.length === 1 ? null : opts.model.length ? `${opts.model.length} models` : 'every bundled model (no --model)';
    if (models) throw new InvalidInputError(`--threads sweep runs one model at every thread count; this run names ${models}. Give one --model, or use --threads auto or a count.`);
    const other = devices?.filter((d) => d !== 'wasm') ?? [];
    if (other.length) throw new InvalidInputError(`--threads sweep is for --device wasm: ${other.join(', ')} runs its kernels off the CPU, so a sweep there would time the CPU fallback. Use --device wasm, or --threads auto or a count.`);
  }
  const dtypes = parseDtypes(opts.dtype);
  const inputs = Object.fromEntries(opts.input.map(parseInputFlag));
  const engines = parseEngines(opts.engine ?? 'auto');
  const contextLengths = parseContext(opts.context);
  if (opts.maxNewTokens !== undefined && opts.maxNewTokens < 1) throw new InvalidInputError(`--max-new-tokens should be ≥ 1, got ${opts.maxNewTokens}.`);
  const generation: GenerationWorkload = {
    prompt: opts.prompt ?? DEFAULT_GENERATION.prompt,
    maxNewTokens: opts.maxNewTokens ?? (contextLengths ? 16 : DEFAULT_GENERATION.maxNewTokens),
    contextLengths,
  };
  const workload = {
    ...DEFAULT_WORKLOAD,
    generation,
    iterations: opts.iterations,
    warmup: opts.warmup,
    warmupCapMs: opts.warmupCap === 0 ? null : opts.warmupCap ?? DEFAULT_WORKLOAD.warmupCapMs ?? null,
    timeBudgetMs: opts.timeBudget ?? DEFAULT_WORKLOAD.timeBudgetMs,
    numThreads: opts.threads === 'auto' ? null : opts.threads ?? null,
    ...(opts.ortBuild ? { ortBuild: parseOne('onnxruntime-web build', ORT_BUILDS, opts.ortBuild) } : {}),
    inputs,
    ...(opts.profile ? { profile: true } : {}),
  };
  if (opts.profile && engines !== 'auto' && !engines.some((e) => PROFILE_ENGINES.includes(e))) {
    throw new InvalidInputError(`--profile works on the ort engine only (onnxruntime-web's profiler); --engine ${engines.join(',')} has none. Use --engine ort (or auto: its ort runs are profiled, its transformers runs say why not).`);
  }
  const roofline = opts.roofline ? { roofline: opts.roofline === 'quick' ? ('quick' as const) : true } : {};
  return {
    devices,
    remoteDevices: claimsSuite ? ['wasm'] : ['wasm', 'webgpu'],
    make(catalog, server, chosen) {
      // The claims suite's runs are what its claims need, with their own workloads.
      if (claimsSuite) return claimRunPlans(claims, chosen, catalog).map((p) => ({ ...p, ...roofline }));
      const ids = catalog.models.map((m) => m.id);
      return [{
        models: (opts.model.length ? opts.model : ids).map((n) => modelEntry(n, ids, server)), devices: chosen, dtypes, workload, repeat: opts.repeat, engines,
        ...(opts.hubHost ? { hubHost: opts.hubHost } : {}), ...(opts.task ? { task: opts.task } : {}), ...roofline,
      }];
    },
  };
}

/** Run the bench; resolves to the exit code (0 every run ended in a state, 1 harness failure or --strict). */
export async function bench(opts: BenchOptions): Promise<number> {
  // Flags about the claims are checked before anything starts: a typo costs nothing.
  const claims = opts.suite === 'claims' || opts.report ? selectClaims(loadClaims(), opts.claim ?? []) : [];
  const overrides = parseThresholdFlags(opts.threshold ?? [], claims);
  if (opts.report) reportKind(opts.report);
  const makePlan = planFromOptions(opts, claims);
  const endpoints = parseEndpoints(opts.connect ?? [], opts.connectCdp ?? []);
  if (endpoints.length) return benchOnDevices(opts, endpoints, makePlan, claims, overrides);
  if (opts.resume) throw new InvalidInputError('--resume works with --connect: it fills in what each remote device is missing.');
  // The CLI's own Chromium runs here: a count past this machine's cores is refused before launch (a remote device checks its own).
  if (typeof opts.threads === 'number') parseThreads(String(opts.threads), '--threads', cpus().length);
  // The CLI's own Chromium always opens the app on loopback (a secure context); these flags are for remote browsers.
  if (opts.publicUrl || opts.port !== undefined || (opts.host && opts.host !== '127.0.0.1')) {
    throw new InvalidInputError('--host, --port and --public-url say where remote browsers find the app: use them with --connect.');
  }
  const server = await startAppServer();
  const results: RunResult[] = [];
  if (opts.out) writeFileSync(opts.out, '');
  const progress = progressReporter(!opts.json && !opts.quiet && process.stderr.isTTY !== false);
  let sampler: OsMemorySampler | null = null;
  // The run's OS memory window ends with its measurement: the profiled iteration (--profile) and the FLOPs count
  // that follow are not the run's memory.
  let measuredPeak: OsPeak | null | undefined;
  const session = await openApp({
    server,
    onEvent: (e) => {
      progress.onEvent(e);
      if (e.type === 'run-start') { sampler?.begin(); measuredPeak = undefined; }
      // Timed iterations (or generations) under way: sample rarely, or the sampling is what gets measured.
      if (e.type === 'run-progress' && (e.progress.phase === 'measure' || e.progress.phase === 'generate')) sampler?.measuring();
      if ((e.type === 'run-progress' && e.progress.phase === 'profile') || e.type === 'run-measured') {
        if (measuredPeak === undefined) measuredPeak = sampler?.end() ?? null;
      }
      if (e.type === 'run-end') {
        withOsMemory(e.result, measuredPeak !== undefined ? measuredPeak : (sampler?.end() ?? null));
        measuredPeak = undefined;
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
    const plan = makePlan.make(catalog, server, makePlan.devices ?? (await browserDefaultDevices(session.page)));
    // Ctrl-C (or --abort-after) aborts the run in progress — logged `aborted` with what it measured — and starts no more.
    const abort = () => {
      process.stderr.write('\nondevice: aborting the run in progress (Ctrl-C again to quit at once)\n');
      process.once('SIGINT', () => process.exit(130));
      void session.page.evaluate(() => window.ondevice.abort()).catch(() => undefined);
    };
    process.once('SIGINT', abort);
    const timer = opts.abortAfter !== undefined ? setTimeout(abort, opts.abortAfter) : null;
    try {
      await session.runSuite(plan);
    } finally {
      process.removeListener('SIGINT', abort);
      if (timer) clearTimeout(timer);
    }
  } finally {
    sampler.stop();
    progress.stop();
    await session.close();
    await server.close();
  }
  const judged = claims.length ? judgeDevices(claims, [{ label: null, results }], overrides).devices : [];
  if (opts.report) writeReport(opts.report, judged, claims, loadCatalog());
  if (opts.quiet) { /* the caller reads --out */ }
  else if (opts.json) process.stdout.write(results.map((r) => JSON.stringify(r)).join('\n') + '\n');
  else {
    process.stdout.write(report(results) + '\n');
    for (const note of levelNotes(results.filter((r) => r.state === 'completed').map((r) => [r.model.dtype, r.device] as const))) process.stdout.write(`note: ${note}\n`);
    if (judged.length) process.stdout.write(claimsTable(judged, claims) + '\n');
    if (opts.report) process.stdout.write(`claims report written to ${opts.report}\n`);
    if (opts.repeat > 1) process.stdout.write(growthTable(memoryGrowth(results)) + '\n');
    process.stdout.write(`${summary(results)}${opts.out ? `; written to ${opts.out}` : ''}\n`);
  }
  return opts.strict && results.some((r) => r.state === 'errored') ? 1 : 0;
}

const summary = (results: readonly RunResult[]): string =>
  results.length === 0 ? '0 runs' : `${results.length} runs: ${[...new Set(results.map((r) => r.state))].map((s) => `${results.filter((r) => r.state === s).length} ${s}`).join(', ')}`;

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

/** Progress of several devices at once: a line per finished run, prefixed by the device (bars would interleave). */
function devicesProgress(enabled: boolean): (e: Endpoint, event: SuiteEvent) => void {
  if (!enabled) return () => undefined;
  return (endpoint, e) => {
    if (e.type !== 'run-end') return;
    const r = e.result;
    const figure = r.generation?.decodeTokPerS != null ? ` ${formatRate(r.generation.decodeTokPerS)} tok/s` : r.timings.latency ? ` p50 ${formatMs(r.timings.latency.p50Ms)}` : '';
    process.stderr.write(`${endpoint.label}: ${e.index + 1}/${e.total} ${modelName(r)} ${r.model.dtype} ${r.device} ${r.engine}: ${r.state}${figure}\n`);
  };
}

/**
 * The suite on remote browsers: each device's records go to --out as they are made (--resume: appended to that
 * file), then a table per device and the devices side by side. Exit 1 when a device failed (its unfinished runs
 * are in the log as aborted, for --resume), or with --strict on an errored run.
 */
async function benchOnDevices(opts: BenchOptions, endpoints: Endpoint[], makePlan: PlanMaker, claims: readonly Claim[], overrides: ThresholdOverrides): Promise<number> {
  if (opts.publicUrl && !/^https?:\/\/[^/]/i.test(opts.publicUrl)) {
    throw new InvalidInputError(`--public-url "${opts.publicUrl}": expected the http:// or https:// URL remote browsers should open the app at, e.g. https://my-tunnel.example/ or http://localhost:5173/.`);
  }
  if (opts.resume && opts.out && resolve(opts.out) !== resolve(opts.resume)) {
    throw new InvalidInputError(`--resume "${opts.resume}" appends to that file; leave out --out "${opts.out}" (or give the same file).`);
  }
  const prior = opts.resume ? readResumeFile(opts.resume) : undefined;
  const out = opts.resume ?? opts.out;
  const catalog = builtCatalog();
  const server = await startAppServer({ host: opts.host, port: opts.port, publicUrl: opts.publicUrl });
  if (out && !opts.resume) writeFileSync(out, '');
  const progress = devicesProgress(!opts.json && !opts.quiet);
  const say = (line: string) => { if (!opts.quiet) process.stderr.write(`ondevice: ${line}\n`); };
  const aborter = new AbortController();
  const abort = () => {
    say('aborting the runs in progress (Ctrl-C again to quit at once)');
    process.once('SIGINT', () => process.exit(130));
    aborter.abort();
  };
  process.once('SIGINT', abort);
  const timer = opts.abortAfter !== undefined ? setTimeout(abort, opts.abortAfter) : null;
  let outcomes: DeviceOutcome[];
  try {
    outcomes = await runOnDevices({
      plan: makePlan.make(catalog, server, makePlan.devices ?? makePlan.remoteDevices),
      catalog,
      endpoints,
      server,
      concurrency: opts.concurrency ?? 2,
      prior,
      signal: aborter.signal,
      onEvent: progress,
      onWarning: (e, message) => say(`${describeEndpoint(e)}: ${message}`),
      // Written as each record is made: a crash later keeps what was measured.
      onResult: (r) => { if (out) appendFileSync(out, JSON.stringify(r) + '\n'); },
    });
  } finally {
    process.removeListener('SIGINT', abort);
    if (timer) clearTimeout(timer);
    await server.close();
  }
  const results = outcomes.flatMap((o) => o.results);
  for (const o of outcomes) if (o.failure) say(o.failure);
  // Side by side with what the resumed file already had, so a resume still compares every device; one report of all.
  const merged = resultsByDevice([...(prior ?? []), ...results]);
  const judged = claims.length ? judgeDevices(claims, [...merged].map(([label, rs]) => ({ label, results: rs })), overrides).devices : [];
  if (opts.report) writeReport(opts.report, judged, claims, loadCatalog());
  if (opts.quiet) { /* the caller reads --out */ }
  else if (opts.json) process.stdout.write(results.map((r) => JSON.stringify(r)).join('\n') + (results.length ? '\n' : ''));
  else {
    for (const o of outcomes) {
      if (o.planned === 0) process.stdout.write(`${describeEndpoint(o.endpoint)}: nothing left to run\n`);
      // A device that never ran anything has only its failure line to show.
      else if (o.results.some((r) => r.env)) process.stdout.write(`${describeEndpoint(o.endpoint)}:\n${report(o.results)}\n`);
    }
    // Side by side with what the resumed file already had, so a resume still compares every device.
    const side = devicesTable(merged);
    if (side) process.stdout.write(side + '\n');
    if (judged.length) process.stdout.write(claimsTable(judged, claims) + '\n');
    if (opts.report) process.stdout.write(`claims report written to ${opts.report}\n`);
    process.stdout.write(`${summary(results)} on ${outcomes.length} device${outcomes.length === 1 ? '' : 's'}${out ? `; written to ${out}` : ''}\n`);
  }
  if (outcomes.some((o) => o.failure)) return 1;
  return opts.strict && results.some((r) => r.state === 'errored') ? 1 : 0;
}

/**
 * Every record of a merged log (or of a list), grouped by the device that made it (`remote.label`; "local" for the
 * CLI's own browser): what a report over several devices starts from. Pass a JSONL path or records.
 */
export function resultsByDevice(source: string | readonly RunResult[]): Map<string, RunResult[]> {
  if (typeof source !== 'string') return groupByRemote(source);
  const { results, problems } = parseJsonl(readFileSync(source, 'utf8'));
  if (problems.length) throw new InvalidInputError(`"${source}": ${problems[0]!.message}`);
  return groupByRemote(results);
}

export function program(): Command {
  return new Command('ondevice bench')
    .description('Measure ONNX models in headless Chromium on WASM and WebGPU; print a table and write JSONL.')
    .option('--suite <name>', `which suite: ${SUITES.join(', ')} (claims: the runs models/claims.json needs, then a verdict per claim)`, 'default')
    .option('--model <id|path|url>', 'a catalog id, replica:ID (a model the articles name, built from its architecture: replica:phi-3.5-mini), hub:ORG/NAME, an .onnx path or a URL (repeatable; default: every bundled model)', collect, [])
    .option('--device <list>', `backends, comma-separated: ${DEVICES.join(', ')} (when not given: wasm, plus webgpu when the adapter is a real GPU, not a CPU emulation such as SwiftShader, llvmpipe or Microsoft Basic Render Driver)`, 'wasm,webgpu')
    .option('--dtype <list>', `levels: ${DTYPES.join(', ')}, or all (every level a model ships; an fp32 file gets them made) (default: fp32). On wasm, q4, q4f16 and bnb4 dequantize every weight on every call (onnxruntime-web has no 4-bit wasm kernel); q4dq is 4-bit on disk, fp32 once loaded`)
    .option('--iterations <n>', 'timed iterations per run', integer(1), DEFAULT_WORKLOAD.iterations)
    .option('--warmup <n>', 'warm-up runs at least (the first run, timed alone, counts as one); then until the last runs settle, up to --warmup-cap', integer(0), DEFAULT_WORKLOAD.warmup)
    .option('--warmup-cap <ms>', 'adaptive warm-up: go on after --warmup runs until two windows of 5 runs agree within 5 %, for at most this long (0: exactly --warmup runs)', integer(0), DEFAULT_WORKLOAD.warmupCapMs ?? 0)
    .option('--time-budget <ms>', 'stop measuring a run after this long (at least one iteration)', integer(0))
    .option('--threads <n|auto|sweep>', 'WASM threads: a count, auto (calibrated on this device; the default) or sweep (one model at every count)', threadsFlag)
    .option('--ort-build <name>', `onnxruntime-web build to load instead of the fastest for the backend (wasm: plain, webgpu: asyncify): ${ORT_BUILDS.join(', ')} (jsep is what a bare import of onnxruntime-web loads; to compare setups)`)
    .option('--input <name=shape>', 'input shape NAME=1,3,224,224 or fill NAME==16000 (repeatable)', collect, [])
    .option('--repeat <n>', 'run each spec n times in a row and report how memory grows (leak check)', integer(1), 1)
    .option('--engine <list>', `engines: ${ENGINES.join(', ')}, or auto (both for Hugging Face-layout models, else ort)`, 'auto')
    .option('--prompt <text>', 'language models: the prompt (text models: the text to classify or embed)')
    .option('--max-new-tokens <n>', `language models: tokens to generate (default ${DEFAULT_GENERATION.maxNewTokens}; 16 with --context)`, integer(1))
    .option('--context [lengths]', `language models: measure decode at these context lengths instead (default ${DEFAULT_CONTEXT_LENGTHS.join(',')}, capped by the model)`)
    .option('--hub-host <url>', 'where hub:ORG/NAME models come from (default https://huggingface.co/; a mirror or a local server)')
    .option('--task <task>', 'task of hub: models (default text-generation)')
    .option('--profile', 'after the measured iterations, one more with onnxruntime\'s profiler: the top operators by time per run (ort engine only)')
    .option('--roofline [quick]', "measure each backend's roofline (memory GB/s, f32 GFLOP/s) first and show each run's utilisation of it; quick: fewer repeats")
    .option('--abort-after <ms>', 'abort the suite after this long, as Ctrl-C does (the run in progress is logged aborted)', integer(0))
    .option('--threshold <claim.name=value>', 'change a claim\'s threshold, e.g. mobilenet-on-device.p50Ms=50 (repeatable; the report prints the one used)', collect, [])
    .option('--claim <id>', 'the claims suite and report: only this claim (repeatable; default every claim in models/claims.json)', collect, [])
    .option('--report <file>', 'write the claims report of these runs: .html (self-contained, opens offline) or .md')
    .option('--connect <[name=]url>', 'run on a remote browser instead: a Playwright browser server (ws://HOST:PORT/…, what launchServer prints) or cdp:http://HOST:9222 / cdp:ws://… (DevTools, e.g. Selenium Grid 4); NAME= labels the device (repeatable)', collect, [])
    .option('--connect-cdp <[name=]url>', 'a remote browser over the DevTools protocol (connectOverCDP), as --connect cdp:URL (repeatable)', collect, [])
    .option('--concurrency <n>', 'remote browsers running at once', integer(1), 2)
    .option('--host <addr>', 'with --connect: address to serve the app on; 0.0.0.0 for remote browsers on other machines', '127.0.0.1')
    .option('--port <n>', 'with --connect: port to serve the app on (default any free one; a tunnel or port forward needs a fixed one)', integer(1))
    .option('--public-url <url>', 'with --connect: the URL remote browsers open (a tunnel\'s https URL, http://localhost:PORT/ through a port forward) instead of http://HOST:PORT/')
    .option('--resume <file.jsonl>', 'with --connect: run only the runs FILE has no completed, errored or unsupported record of (per device label), appending to it')
    .option('--out <file.jsonl>', 'write one JSON record per run')
    .option('--json', 'print JSONL to stdout instead of the table')
    .option('--strict', 'exit 1 when any run errored')
    .addHelpText('after', `
Many devices (README, "Many devices"):
  a Playwright browser server     npx playwright launch-server --browser chromium --config server.json   (prints ws://HOST:PORT/PATH)
                                  npm run bench -- --connect phone=ws://HOST:PORT/PATH --host 0.0.0.0
  a Chromium with DevTools open   chromium --remote-debugging-port=9222  →  --connect cdp:http://HOST:9222 (or --connect-cdp URL)
  a Selenium Grid 4 session       --connect cdp:ws://grid:4444/session/<id>/se/cdp   (the session's se:cdp capability)
  The remote browser must reach the app (--host, --port, --public-url) at a secure origin (https, or http://localhost through
  a port forward) for WebGPU and WASM threads, with the COOP/COEP headers intact. A device that drops out keeps its finished
  runs; the rest are logged aborted, and --resume FILE runs only those (match devices by NAME= labels). Exit 1 when a device
  failed.`);
}

export async function main(argv: string[]): Promise<number> {
  const cmd = program().parse(argv, { from: 'user' });
  const opts = cmd.opts<BenchOptions>();
  // Without --device, the backends come from the browser: a software WebGPU adapter is left out (defaultDevices).
  if (cmd.getOptionValueSource('device') === 'default') delete opts.device;
  // A thread sweep is a wasm measurement: without --device it runs there alone.
  if (opts.threads === 'sweep' && cmd.getOptionValueSource('device') === 'default') opts.device = 'wasm';
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
