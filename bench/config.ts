/**
 * Is ondevice's default setup the fastest honest one? For every bundled model and the mobilenet-v2, resnet-50 and
 * smollm2-135m (q8) replicas on wasm, in one page with rounds alternating so that drift hits every setup alike:
 *   - ondevice's default: the plain CPU build, threads `auto`, warm-up until steady;
 *   - onnxruntime-web's defaults: what `import * as ort from 'onnxruntime-web'` gives (the jsep build) with its own
 *     thread count, min(4, ceil(cores / 2));
 *   - a sweep of thread counts 1..min(cores, 8) on the plain build, and its best.
 * The figure is p50 latency (for language models, the p50 time per output token). Prints default ÷ onnxruntime's
 * defaults and default ÷ best; the goal is default ÷ best ≤ 1.10 everywhere.
 * Usage: npm run bench:config -- [--rounds 3] [--model ID]... [--out FILE.jsonl]
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { openApp } from '../src/cli/driver.ts';
import { threadDevice } from '../src/core/capabilities.ts';
import { ortDefaultThreads, threadCandidates } from '../src/core/threads.ts';
import { percentileSorted, type Samples } from '../src/core/stats.ts';
import type { RunResult } from '../src/core/schema.ts';
import { DEFAULT_WORKLOAD, type Workload } from '../src/core/spec.ts';
import type { Dtype } from '../src/core/vocab.ts';
import { formatMs } from '../src/text/format.ts';
import { setupLines } from '../src/text/setup.ts';

const REPLICAS: { id: string; dtype: Dtype }[] = [
  { id: 'replica:mobilenet-v2', dtype: 'fp32' },
  { id: 'replica:resnet-50', dtype: 'fp32' },
  { id: 'replica:smollm2-135m', dtype: 'q8' },
];

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, model: { type: 'string', multiple: true }, out: { type: 'string' } } });
const rounds = Number(values.rounds);

/** One setup: a name, and what it changes in the workload. */
interface Setup {
  name: string;
  workload: Partial<Workload>;
}

const app = await openApp({
  onEvent: (e) => {
    if (e.type === 'run-start')
      process.stderr.write(
        `\r${e.spec.model.id} ${e.spec.model.dtype}: ${e.spec.workload.ortBuild ?? 'default build'}, threads ${e.spec.workload.numThreads ?? 'auto'}\x1b[K`,
      );
  },
});
try {
  const [catalog, caps] = await Promise.all([app.page.evaluate(() => window.ondevice.catalog()), app.page.evaluate(() => window.ondevice.capabilities())]);
  const cores = caps.hardwareConcurrency ?? 1;
  // The same rules the calibration uses: onnxruntime-web's default count and the counts a sweep tries.
  const ortDefault = ortDefaultThreads(threadDevice(caps));
  const sweep = threadCandidates(threadDevice(caps));
  const setups: Setup[] = [
    { name: 'ondevice default', workload: {} },
    { name: 'onnxruntime-web defaults', workload: { ortBuild: 'jsep', numThreads: ortDefault } },
    ...sweep.map((n) => ({ name: `${n} thread${n === 1 ? '' : 's'}`, workload: { numThreads: n } })),
  ];
  const models = values.model?.length
    ? values.model.map((id) => ({ id, dtype: (REPLICAS.find((r) => r.id === id)?.dtype ?? 'fp32') as Dtype }))
    : [...catalog.models.map((m) => ({ id: m.id, dtype: 'fp32' as Dtype })), ...REPLICAS];
  const generative = (id: string) => id === 'replica:smollm2-135m' || catalog.models.find((m) => m.id === id)?.task === 'text-generation';
  console.log(`setups on wasm, ${rounds} round(s) alternating; ${cores} cores; onnxruntime-web's default threads here: ${ortDefault}`);

  // figure[model][setup] = one figure per round
  const figures = new Map<string, Map<string, number[]>>();
  const all: RunResult[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const m of models) {
      const lm = generative(m.id);
      const base: Workload = lm
        ? {
            ...DEFAULT_WORKLOAD,
            iterations: 3,
            generation: { prompt: 'Small models run on the device in your hand. Measure how fast they answer', maxNewTokens: 16 },
          }
        : { ...DEFAULT_WORKLOAD };
      // Setups in a different order each round, so none always runs first.
      const order = setups.map((_, i) => setups[(i + round) % setups.length]!);
      for (const s of order) {
        const [r] = await app.runSuite({ models: [m.id], devices: ['wasm'], dtypes: [m.dtype], engines: ['ort'], workload: { ...base, ...s.workload } });
        if (!r) continue;
        all.push(r);
        if (values.out) appendFileSync(values.out, JSON.stringify({ ...r, setup: s.name }) + '\n');
        const figure = lm ? r.generation?.tpot?.p50Ms : r.timings.latency?.p50Ms;
        if (r.state !== 'completed' || figure == null) {
          process.stderr.write(`\n${m.id} ${s.name}: ${r.state} ${r.error?.message ?? ''}\n`);
          continue;
        }
        const key = `${m.id} ${m.dtype}`;
        const byModel = figures.get(key) ?? new Map<string, number[]>();
        figures.set(key, byModel);
        byModel.set(s.name, [...(byModel.get(s.name) ?? []), figure]);
      }
    }
  }
  process.stderr.write('\r\x1b[K');
  const med = (xs: number[] | undefined) => (xs?.length ? percentileSorted([...xs].sort((a, b) => a - b) as unknown as Samples, 0.5) : null);
  const t = new Table({
    head: ['model', 'figure', 'ondevice default', 'ORT defaults', ...sweep.map((n) => `${n} thr`), 'best', 'default ÷ ORT', 'default ÷ best'],
    style: { head: [], border: [] },
  });
  let worst = 0;
  for (const [key, byModel] of figures) {
    const mine = med(byModel.get('ondevice default'));
    const ort = med(byModel.get('onnxruntime-web defaults'));
    const swept = sweep.map((n) => ({ n, p50: med(byModel.get(`${n} thread${n === 1 ? '' : 's'}`)) }));
    const best = swept.filter((x) => x.p50 !== null).sort((a, b) => a.p50! - b.p50!)[0];
    const ratio = (a: number | null, b: number | null | undefined) => (a !== null && b != null ? a / b : null);
    const vsBest = ratio(mine, best?.p50);
    if (vsBest !== null) worst = Math.max(worst, vsBest);
    t.push([
      key,
      generative(key.split(' ')[0]!) ? 'TPOT p50' : 'p50',
      formatMs(mine),
      formatMs(ort),
      ...swept.map((x) => formatMs(x.p50)),
      best ? `${formatMs(best.p50)} (${best.n} thr)` : '—',
      ratio(mine, ort)?.toFixed(2) ?? '—',
      vsBest?.toFixed(2) ?? '—',
    ]);
  }
  console.log(
    `Setup of the runs:\n${setupLines(all)
      .map((l) => `  ${l}`)
      .join('\n')}`,
  );
  console.log(t.toString());
  console.log(`worst default ÷ best: ${worst.toFixed(2)} (goal ≤ 1.10)`);
} finally {
  await app.close();
}
