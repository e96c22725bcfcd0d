/**
 * How good is the fit check's estimate? Runs full-size replicas and holds the bytes each was predicted to need
 * (weights at the level + KV cache at the run's context + activations: src/core/fit.ts) against the peak it
 * measured (the WASM heap on wasm, GPU buffers on WebGPU). A ratio above 1 means the estimate undershoots, and
 * the fit check would let through a run that does not fit. The least-squares line of measured on weight bytes
 * says what the estimate misses: the slope is the heap's bytes per weight byte, the intercept the fixed cost.
 * Usage: npm run bench:fit -- [--model replica:smollm2-135m --model ...] [--dtype fp32,q8,q4] [--device wasm]
 */
import { parseArgs } from 'node:util';
import { openApp } from '../src/cli/driver.ts';
import { fitAccuracy } from '../src/core/fit.ts';
import type { RunResult } from '../src/core/schema.ts';
import { DEVICES, DTYPES, parseList } from '../src/core/vocab.ts';
import { formatBytes } from '../src/text/format.ts';

const DEFAULT_MODELS = ['replica:smollm2-135m', 'replica:mobilenet_v2', 'replica:resnet50', 'replica:distilbert-base-uncased', 'replica:bert-base-uncased'];
const { values } = parseArgs({
  options: { model: { type: 'string', multiple: true }, dtype: { type: 'string', default: 'fp32,q8,q4' }, device: { type: 'string', default: 'wasm' } },
});
const models = values.model?.length ? values.model : DEFAULT_MODELS;
const dtypes = parseList('dtype', DTYPES, values.dtype);
const devices = parseList('device', DEVICES, values.device);

const session = await openApp({
  onEvent: (e) => {
    if (e.type === 'run-start') process.stderr.write(`\r${e.index + 1}/${e.total} ${e.spec.model.id} ${e.spec.model.dtype} ${e.spec.device}\x1b[K`);
  },
});
let results: RunResult[];
try {
  results = await session.runSuite({
    models,
    devices,
    dtypes,
    workload: {
      iterations: 1,
      warmup: 0,
      timeBudgetMs: 0,
      numThreads: 1,
      generation: { prompt: 'How much memory does this take on the device?', maxNewTokens: 4 },
    },
  });
} finally {
  await session.close();
}
process.stderr.write('\r\x1b[K');

const rows: { r: RunResult; weights: number; measured: number; ratio: number }[] = [];
console.log('model | level | backend | weights | KV cache | activations | predicted | measured peak | measured ÷ predicted');
for (const r of results) {
  const a = fitAccuracy(r);
  const p = r.memory.predicted;
  if (!a || !p) {
    console.log(`${r.model.id} | ${r.model.dtype} | ${r.device} | ${r.state}: ${r.error?.message ?? 'no prediction or no peak'}`);
    continue;
  }
  rows.push({ r, weights: p.weightBytes, measured: a.measuredBytes, ratio: a.ratio });
  console.log(
    [
      r.model.id,
      r.model.dtype,
      r.device,
      formatBytes(p.weightBytes),
      formatBytes(p.kvCacheBytes),
      formatBytes(p.activationBytes),
      formatBytes(p.totalBytes),
      formatBytes(a.measuredBytes),
      a.ratio.toFixed(2),
    ].join(' | '),
  );
}
if (rows.length >= 2) {
  // measured ≈ slope × weights + intercept, by least squares.
  const n = rows.length;
  const mx = rows.reduce((s, x) => s + x.weights, 0) / n;
  const my = rows.reduce((s, x) => s + x.measured, 0) / n;
  const sxx = rows.reduce((s, x) => s + (x.weights - mx) ** 2, 0);
  const slope = sxx > 0 ? rows.reduce((s, x) => s + (x.weights - mx) * (x.measured - my), 0) / sxx : NaN;
  const intercept = my - slope * mx;
  const ratios = rows.map((x) => x.ratio).sort((a, b) => a - b);
  console.log(
    `\n${n} runs: measured ÷ predicted from ${ratios[0]!.toFixed(2)} to ${ratios[n - 1]!.toFixed(2)} (median ${ratios[Math.floor(n / 2)]!.toFixed(2)}); measured ≈ ${slope.toFixed(2)} × weights ${intercept < 0 ? '−' : '+'} ${formatBytes(Math.abs(intercept))}`,
  );
}
