/**
 * Does the browser's memory stay flat over a long suite? Runs one suite of N runs back to back in one page (a
 * rotation of bundled models on both engines, WASM, a fixed thread count), as the app and the CLI run suites, and
 * at each run's end reads from /proc the proportional set size (PSS) of every process of this Chromium launch and
 * how many worker threads the renderers still hold (a terminated run's workers that have not gone yet). After the
 * suite, once the page has settled, it reads them again. Prints each run's figures and the growth: from before the
 * first run to the settled end (in total and per run), from the end of run 1 (the page has compiled onnxruntime's
 * wasm, once per page) and from the end of the first round of the rotation (what a model and engine cost once:
 * compiled code, caches) to the end, and the least-squares slope over the runs after the first round.
 * Two baselines: the cold page (before anything ran: its one-time wasm compile and first model count as growth), and
 * the warm page after one warm-up run of the rotation's first model, which is not counted (a suite of its own before
 * the N runs); the verdict holds the warm baseline's growth against the issue's 50 MB (LEAK_LIMIT_MB).
 * Usage: npm run bench:leak -- [--runs 50] [--threads 2] [--settle-ms 3000] [--models a,b,…] [--engines ort,transformers]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openApp } from '../src/cli/driver.ts';
import { processTree, sampleProcesses } from '../src/cli/proc-memory.ts';
import { slope } from '../src/core/growth.ts';
import type { SuitePlan } from '../src/core/plan.ts';
import type { RunResult } from '../src/core/schema.ts';
import type { Engine } from '../src/core/vocab.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    threads: { type: 'string', default: '2' },
    'settle-ms': { type: 'string', default: '3000' },
    models: { type: 'string', default: 'ppocr-v2-cls,tiny-bert,mlp-1m,tiny-llama,silero-vad-v5,tiny-bert-sst' },
    engines: { type: 'string', default: 'ort,transformers' },
    iterations: { type: 'string', default: '5' },
  },
});
const runs = Number(values.runs);
const threads = Number(values.threads);
const settleMs = Number(values['settle-ms']);
const engines = values.engines.split(',') as Engine[];
const HF_LAYOUT = new Set(['tiny-llama', 'tiny-bert', 'tiny-bert-sst', 'tiny-bert-ner']);
// The rotation: every model on ort, and the models in the Hugging Face layout on transformers.js too.
const rotation = values.models.split(',').flatMap((model) => engines.filter((e) => e === 'ort' || HF_LAYOUT.has(model)).map((engine) => ({ model, engine })));
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(threads) || threads < 1 || !(settleMs >= 0) || rotation.length === 0) {
  console.error('usage: npm run bench:leak -- [--runs N ≥ 1] [--threads N ≥ 1] [--settle-ms MS] [--models a,b] [--engines ort,transformers]');
  process.exit(2);
}

const MiB = 2 ** 20;
/** The issue's bound on PSS growth over 50 runs with 2 threads, from the warm baseline (decimal MB). */
const LEAK_LIMIT_MB = 50;
const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
const signed = (b: number) => `${b >= 0 ? '+' : '−'}${(Math.abs(b) / MiB).toFixed(1)} MiB`;

interface Sample {
  total: number;
  /** Private pages only (USS): unlike PSS, not moved by other browsers on the machine sharing Chromium's libraries. */
  uss: number;
  byType: Record<string, number>;
  /** Threads named DedicatedWorker in the renderers: the run's worker and onnxruntime's thread workers. */
  workers: number;
}

function sampleNow(marker: string): Sample {
  const byType: Record<string, number> = {};
  let total = 0;
  let uss = 0;
  for (const p of sampleProcesses(marker)) {
    const pss = p.pssBytes ?? p.rssBytes;
    byType[p.type] = (byType[p.type] ?? 0) + pss;
    total += pss;
    uss += p.ussBytes ?? p.rssBytes;
  }
  let workers = 0;
  for (const { pid } of processTree(marker).filter((p) => p.type === 'renderer')) {
    try {
      for (const t of readdirSync(`/proc/${pid}/task`)) if (readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim() === 'DedicatedWorker') workers++;
    } catch {
      // the thread or the process ended while listing
    }
  }
  return { total, uss, byType, workers };
}

const byType = (s: Sample, base?: Sample) =>
  Object.entries(s.byType)
    .map(([t, b]) => `${t} ${mib(b)}${base ? ` (${signed(b - (base.byType[t] ?? 0))})` : ''}`)
    .join(', ');

// One plan per run, in rotation order: one suite, run back to back as the app runs it.
const planOf = (i: number): SuitePlan => {
  const { model, engine } = rotation[i % rotation.length]!;
  return {
    models: [model],
    devices: ['wasm'],
    dtypes: ['fp32'],
    engines: [engine],
    workload: {
      iterations: Number(values.iterations),
      warmup: 1,
      numThreads: threads,
      timeBudgetMs: null,
      generation: { prompt: 'Small models run on the device', maxNewTokens: 8 },
    },
  };
};
const plans: SuitePlan[] = Array.from({ length: runs }, (_, i) => planOf(i));

const samples: Sample[] = [];
let marker = '';
let previous: Sample | null = null;
const report = (index: number, r: RunResult) => {
  const now = sampleNow(marker);
  samples.push(now);
  const label = `${r.model.id}/${r.engine}`;
  const how = `${r.env?.numThreads ?? '?'} thr, wasm by ${r.env?.wasmCompiledBy ?? '?'}`;
  console.log(
    `run ${String(index + 1).padStart(3)} ${label.padEnd(26)} ${r.state.padEnd(9)} ${how.padEnd(20)} PSS ${mib(now.total).padStart(11)} ${signed(now.total - previous!.total).padStart(12)}  workers alive ${now.workers}` +
      (r.state !== 'completed' && r.error ? `  ${r.error.message.slice(0, 100)}` : ''),
  );
  previous = now;
};

let counting = false;
const app = await openApp({ onEvent: (e) => counting && e.type === 'run-end' && report(e.index, e.result) });
try {
  marker = app.marker;
  const settle = () => new Promise((r) => setTimeout(r, settleMs));
  await app.page.evaluate(() => window.ondevice.clearResults());
  await settle();
  const cold = sampleNow(marker);
  console.log(
    `${runs} runs in one suite, wasm, ${threads} thread(s), ${values.iterations} iterations each; rotation: ${rotation.map((r) => `${r.model}/${r.engine}`).join(', ')}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  console.log(`cold page (nothing run yet): ${mib(cold.total)} PSS (${byType(cold)}); USS ${mib(cold.uss)}`);
  // The warm-up run, not counted: the page compiles onnxruntime's wasm and loads its first model once.
  const [warmUp] = await app.runSuite([planOf(0)]);
  await settle();
  const base = sampleNow(marker);
  previous = base;
  console.log(
    `warm page after one uncounted warm-up run (${rotation[0]!.model}/${rotation[0]!.engine}, ${warmUp?.state ?? 'no result'}): ${mib(base.total)} PSS (${byType(base, cold)}); USS ${mib(base.uss)}\n`,
  );
  counting = true;
  const t0 = performance.now();
  const results = await app.runSuite(plans);
  const wall = (performance.now() - t0) / 1000;
  await settle();
  const end = sampleNow(marker);
  const states = new Map<string, number>();
  for (const r of results) states.set(r.state, (states.get(r.state) ?? 0) + 1);
  const total = end.total - base.total;
  const firstRound = samples[Math.min(rotation.length, samples.length) - 1]!;
  const tail = samples.slice(Math.min(rotation.length, samples.length) - 1);
  console.log(`\nsettled ${settleMs} ms after the suite: ${mib(end.total)} PSS, workers alive ${end.workers} (${byType(end, base)})`);
  console.log(`suite: ${wall.toFixed(0)} s; states ${[...states].map(([s, n]) => `${s} ${n}`).join(', ')}; load average now ${loadavg()[0]!.toFixed(1)}`);
  const fromCold = end.total - cold.total;
  console.log(
    `${runs} runs with ${threads} thread(s): PSS ${mib(base.total)} → ${mib(end.total)}: growth ${signed(total)} (${(total / 1e6).toFixed(1)} MB) in total, ${signed(total / runs)} per run; ` +
      `after run 1 ${signed(end.total - samples[0]!.total)}; ` +
      `after the first round (${Math.min(rotation.length, runs)} runs) ${signed(end.total - firstRound.total)}; slope over the runs ${signed(slope(tail.map((s) => s.total)))} per run; ` +
      `largest at a run's end ${mib(Math.max(...samples.map((s) => s.total)))}`,
  );
  console.log(
    `\nbaseline cold page:  ${mib(cold.total)} → ${mib(end.total)}: ${signed(fromCold)} (${(fromCold / 1e6).toFixed(1)} MB; includes the one-time wasm compile and first model)`,
  );
  console.log(`baseline warm page:  ${mib(base.total)} → ${mib(end.total)}: ${signed(total)} (${(total / 1e6).toFixed(1)} MB over ${runs} counted runs)`);
  const ussGrowth = end.uss - base.uss;
  console.log(
    `private memory (USS) from the warm page: ${mib(base.uss)} → ${mib(end.uss)}: ${signed(ussGrowth)} (${(ussGrowth / 1e6).toFixed(1)} MB); PSS also moves when other browsers on this machine start or end (they share Chromium's libraries), USS does not`,
  );
  const ok = total / 1e6 <= LEAK_LIMIT_MB;
  console.log(
    `verdict: ${ok ? 'PASS' : 'FAIL'}: growth from the warm baseline ${(total / 1e6).toFixed(1)} MB ${ok ? '≤' : '>'} ${LEAK_LIMIT_MB} MB over ${runs} runs with ${threads} thread(s)${runs === 50 && threads === 2 ? '' : ' (the issue asks 50 runs with 2 threads)'}`,
  );
} finally {
  await app.close();
}
