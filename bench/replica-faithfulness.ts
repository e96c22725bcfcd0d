/**
 * Is a replica as fast as the real model? Take a real bundled model (PP-OCRv4 recognition by default), replace
 * every float weight with synthetic values of the same shape, type, mean and spread (src/onnx/synthetic.ts), and
 * time both in the app, alternating A B A B … so that drift on this shared machine hits both alike. Prints the
 * ratio of p50s per round and overall (replica ÷ original); the bar is within ±5 %.
 * Usage: npm run bench:faithfulness -- [--model ppocr-v4-rec] [--device wasm] [--rounds 4] [--iterations 30]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openApp } from '../src/cli/driver.ts';
import { bundledFile, type Catalog } from '../src/core/catalog.ts';
import type { RunResult } from '../src/core/schema.ts';
import type { Device } from '../src/core/vocab.ts';
import { decodeModel, encodeModel } from '../src/onnx/model.ts';
import { materializeAll, synthesizeWeights } from '../src/onnx/synthetic.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'ppocr-v4-rec' },
    device: { type: 'string', default: 'wasm' },
    rounds: { type: 'string', default: '4' },
    iterations: { type: 'string', default: '30' },
  },
});

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const entry = catalog.models.find((m) => m.id === values.model);
if (!entry) throw new Error(`Unknown bundled model "${values.model}": use one of ${catalog.models.map((m) => m.id).join(', ')}.`);
const model = decodeModel(readFileSync(join('models', bundledFile(entry, 'fp32'))), values.model);
const replaced = synthesizeWeights(model);
const dir = mkdtempSync(join(tmpdir(), 'ondevice-faithful-'));
const replicaPath = join(dir, `${values.model}-synthetic.onnx`);
writeFileSync(replicaPath, encodeModel(materializeAll(model)));
console.log(`${values.model}: ${replaced} float weights replaced by synthetic ones → ${replicaPath}`);

const session = await openApp();
const device = values.device as Device;
const workload = { iterations: Number(values.iterations), warmup: 3, timeBudgetMs: 30_000, numThreads: null };
const p50 = (r: RunResult): number => {
  if (r.state !== 'completed' || !r.timings.latency) throw new Error(`${r.model.id} ${r.state}: ${r.error?.message}`);
  return r.timings.latency.p50Ms;
};
try {
  const replicaRef = {
    id: `${values.model} (synthetic weights)`,
    source: 'file' as const,
    url: session.server.serveFile(replicaPath),
    dtype: 'fp32' as const,
    task: entry.task,
    inputs: entry.inputs,
  };
  const ratios: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    // Alternate which goes first, so warm caches and thermal drift do not favour one side.
    const order = round % 2 === 0 ? (['original', 'replica'] as const) : (['replica', 'original'] as const);
    const got: Record<string, number> = {};
    for (const which of order) {
      const [r] = await session.runSuite({ models: [which === 'original' ? values.model : replicaRef], devices: [device], dtypes: ['fp32'], workload });
      got[which] = p50(r!);
    }
    a.push(got.original!);
    b.push(got.replica!);
    ratios.push(got.replica! / got.original!);
    console.log(
      `round ${round + 1}: original p50 ${got.original!.toFixed(2)} ms, replica p50 ${got.replica!.toFixed(2)} ms, ratio ${ratios.at(-1)!.toFixed(3)}`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const ratio = median(b) / median(a);
  console.log(
    `\n${values.model} on ${device}: median p50 original ${median(a).toFixed(2)} ms, replica ${median(b).toFixed(2)} ms → replica ÷ original = ${ratio.toFixed(3)} (${((ratio - 1) * 100).toFixed(1)} %; bar ±5 %)`,
  );
} finally {
  await session.close();
  rmSync(dir, { recursive: true, force: true });
}
