/**
 * What the runner itself costs: the p50 of a model measured by the runner (worker per run, progress messages,
 * output disposal) against a bare `session.run` loop on the same model and inputs, timed in the same page.
 * Rounds alternate the two so drift on a shared machine hits both. Usage: npm run bench:overhead [-- ITERATIONS ROUNDS THREADS]
 */
import { openApp } from '../src/cli/driver.ts';
import { percentileSorted, summarize, type Samples } from '../src/core/stats.ts';
import type { RunSpec } from '../src/core/spec.ts';
import { bundledFile } from '../src/core/catalog.ts';

const iterations = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);
const threads = process.argv[4] ? Number(process.argv[4]) : null;
const models = ['ppocr-v2-cls', 'silero-vad-v5'];

const app = await openApp();
try {
  const catalog = await app.page.evaluate(() => window.ondevice.catalog());
  console.log(`runner vs bare session.run, wasm, ${threads ?? 'all'} threads, ${iterations} iterations × ${rounds} rounds each\n`);
  console.log('model            runner p50   bare p50   ratio (runner/bare, median of rounds)');
  for (const id of models) {
    const entry = catalog.models.find((m) => m.id === id)!;
    const spec: RunSpec = {
      id: `overhead-${id}`,
      engine: 'ort',
      device: 'wasm',
      model: { id, source: 'bundled', url: bundledFile(entry, 'fp32'), dtype: 'fp32', task: entry.task, inputs: entry.inputs },
      workload: { iterations, warmup: 5, timeBudgetMs: null, numThreads: threads },
    };
    const runner: number[] = [];
    const bare: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const [r] = await app.runSuite({ models: [id], devices: ['wasm'], dtypes: ['fp32'], workload: spec.workload });
      if (r?.state !== 'completed' || !r.timings.latency)
        throw new Error(`${id}: ${!r ? 'no run' : r.error ? `the run ended ${r.state}: ${r.error.message}` : 'the run recorded no latency'}`);
      // The bare loop at the count the runner used (`auto` is the page's calibrated choice; a bare loop alone has none).
      const bareSpec = { ...spec, workload: { ...spec.workload, numThreads: r.env?.numThreads ?? threads } };
      const b = await app.page.evaluate(([s, n]) => window.ondevice.bareLoop(s, n), [bareSpec, iterations] as const);
      const rp50 = r.timings.latency.p50Ms;
      const bp50 = summarize(b as unknown as Samples).p50Ms;
      runner.push(rp50);
      bare.push(bp50);
      ratios.push(rp50 / bp50);
    }
    const med = (xs: number[]) => percentileSorted([...xs].sort((a, b) => a - b) as unknown as Samples, 0.5);
    console.log(
      `${id.padEnd(16)} ${med(runner).toFixed(3).padStart(8)} ms ${med(bare).toFixed(3).padStart(8)} ms   ${med(ratios).toFixed(3)}  (runner/bare p50 by round: ${runner.map((x, i) => `${x.toFixed(2)}/${bare[i]!.toFixed(2)}`).join(', ')})`,
    );
  }
} finally {
  await app.close();
}
