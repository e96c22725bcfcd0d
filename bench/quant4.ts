/**
 * The 4-bit table: what each way of running 4-bit weights costs on wasm, against fp32. q4 runs MatMulNBits, which
 * onnxruntime-web's wasm build executes by dequantizing every weight on every call; q4dq stores the same 4-bit
 * blocks behind DequantizeLinear, which onnxruntime folds into fp32 weights once at load. Per level: file size,
 * session load, p50 (the LM: decode tok/s) and the WASM heap's peak, for the bundled MLP and the SmolLM2-135M
 * replica, in one page, through the app the CLI drives.
 * Usage: npm run bench:quant4 -- [--iterations 30] [--tokens 8] [--threads N]
 */
import { parseArgs } from 'node:util';
import { openApp } from '../src/cli/driver.ts';
import type { RunResult } from '../src/core/schema.ts';
import type { Workload } from '../src/core/spec.ts';
import { formatBytes, formatMs, formatRate } from '../src/text/format.ts';

const { values } = parseArgs({
  options: { iterations: { type: 'string', default: '30' }, tokens: { type: 'string', default: '8' }, threads: { type: 'string' } },
});
const LEVELS = ['fp32', 'q4', 'q4dq'] as const;
const numThreads = values.threads ? Number(values.threads) : undefined;

const session = await openApp({
  onEvent: (e) => {
    if (e.type === 'run-start') process.stderr.write(`\r${e.spec.model.id} ${e.spec.model.dtype}\x1b[K`);
  },
});
const results: RunResult[] = [];
try {
  const common: Partial<Workload> = { timeBudgetMs: 0, ...(numThreads ? { numThreads } : {}) };
  results.push(
    ...(await session.runSuite({
      models: ['mlp-1m'],
      devices: ['wasm'],
      dtypes: [...LEVELS],
      engines: ['ort'],
      workload: { ...common, iterations: Number(values.iterations), warmup: 5 },
    })),
  );
  // One warm-up generation: the first calls run before V8 has compiled the hot wasm fully.
  results.push(
    ...(await session.runSuite({
      models: ['replica:smollm2-135m'],
      devices: ['wasm'],
      dtypes: [...LEVELS],
      engines: ['ort'],
      workload: { ...common, iterations: 1, warmup: 1, generation: { prompt: 'How fast is four-bit on this device?', maxNewTokens: Number(values.tokens) } },
    })),
  );
} finally {
  await session.close();
}
process.stderr.write('\r\x1b[K');

const env = results.find((r) => r.env)?.env;
// The record names the wasm build where this version of ondevice records it.
const build = env ? Object.entries(env).find(([k]) => /build/i.test(k))?.[1] : undefined;
console.log(
  `4-bit on wasm · ${env?.numThreads ?? '?'} thread(s) · crossOriginIsolated ${env?.crossOriginIsolated ?? '?'} · onnxruntime-web ${env?.versions.onnxruntimeWeb ?? '?'}${build ? ` · build ${typeof build === 'string' ? build : JSON.stringify(build)}` : ''} · ${env?.hardwareConcurrency ?? '?'} cores`,
);
console.log('model | level | file | load | p50 | decode tok/s | WASM heap peak | vs fp32');
for (const r of results) {
  const fp32 = results.find((x) => x.model.id === r.model.id && x.model.dtype === 'fp32' && x.state === 'completed');
  if (r.state !== 'completed') {
    console.log(`${r.model.id} | ${r.model.dtype} | ${r.state}: ${r.error?.message ?? ''}`);
    continue;
  }
  const g = r.generation;
  const lm = g !== null && g !== undefined;
  // Replicas' loadMs includes writing their synthetic weights: the session's own load is what the level changes.
  const load = r.timings.loadMs === null ? null : r.timings.loadMs - (r.timings.buildMs ?? 0);
  const speed = lm ? g.decodeTokPerS : (r.timings.latency?.p50Ms ?? null);
  const ref = fp32 ? ((lm ? fp32.generation?.decodeTokPerS : fp32.timings.latency?.p50Ms) ?? null) : null;
  const vs = speed && ref ? (lm ? ref / speed : speed / ref) : null;
  console.log(
    [
      r.model.id,
      r.model.dtype,
      formatBytes(r.model.bytes),
      formatMs(load),
      lm ? '—' : formatMs(r.timings.latency?.p50Ms),
      lm ? formatRate(g.decodeTokPerS) : '—',
      formatBytes(r.memory.wasmHeapPeakBytes),
      vs === null ? '—' : `${vs.toFixed(2)}× the time`,
    ].join(' | '),
  );
}
