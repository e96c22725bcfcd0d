/**
 * The fuzzed model corpus: a seeded mutator makes near-valid ONNX files from the small bundled models, and each
 * goes through the app's inspector, its quantizer and a run, in one browser, as a user's file would. Every file
 * must end with a reason at every stage: no hung stage, no crashed tab, no unhandled error. Prints the counts by
 * mutation kind and outcome, then by error class, then every finding; exits 1 when there is a finding.
 * Usage: npm run fuzz -- [--per-kind 5] [--seed 19] [--models mlp-1m,ppocr-v2-cls,silero-vad-v5,tiny-bert]
 *                        [--stage-timeout-ms 60000] [--keep DIR] [--json FILE]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAppServer } from '../src/cli/serve.ts';
import { FuzzApp, fuzzFile, type FileResult } from './fuzz/drive.ts';
import { makeCorpus } from './fuzz/mutate.ts';
import { errorTable, findings, outcomeTable } from './fuzz/table.ts';

const { values } = parseArgs({
  options: {
    'per-kind': { type: 'string', default: '5' },
    seed: { type: 'string', default: '19' },
    models: { type: 'string', default: 'mlp-1m,ppocr-v2-cls,silero-vad-v5,tiny-bert' },
    'stage-timeout-ms': { type: 'string', default: '60000' },
    keep: { type: 'string' },
    json: { type: 'string' },
  },
});

/** A bundled model's fp32 file: `models/bundled/ID.onnx`, or the Hugging Face layout's `ID/onnx/model.onnx`. */
function bundled(id: string): Uint8Array {
  for (const p of [`models/bundled/${id}.onnx`, `models/bundled/${id}/onnx/model.onnx`]) {
    try {
      return new Uint8Array(readFileSync(p));
    } catch {
      /* the other layout */
    }
  }
  throw new Error(`No bundled model "${id}" (run \`npm run models\`).`);
}

const bases = values.models.split(',').map((id) => ({ id, bytes: bundled(id.trim()) }));
const corpus = makeCorpus(bases, Number(values['per-kind']), Number(values.seed));
const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'ondevice-fuzz-'));
mkdirSync(dir, { recursive: true });
console.log(`${corpus.length} mutated files from ${bases.map((b) => b.id).join(', ')} (seed ${values.seed}) in ${dir}`);

const server = await startAppServer();
const app = await FuzzApp.open(server);
const results: FileResult[] = [];
const t0 = performance.now();
const unhandled: string[] = [];
process.on('unhandledRejection', (e) => unhandled.push(String(e)));
try {
  for (const [i, m] of corpus.entries()) {
    process.stderr.write(`\r${i + 1}/${corpus.length} ${m.name}\x1b[K`);
    const r = await fuzzFile(app, m, dir, { stageTimeoutMs: Number(values['stage-timeout-ms']) });
    results.push(r);
    if (!values.keep) rmSync(join(dir, m.name), { force: true });
  }
} finally {
  process.stderr.write('\r\x1b[K');
  await app.close().catch(() => undefined);
  await server.close();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}

const accounted = results.filter((r) =>
  Object.values(r.stages).every((s) => s.outcome === 'ok' || ((s.outcome === 'errored' || s.outcome === 'unsupported') && s.message)),
);
console.log(
  `\n${results.length} of ${corpus.length} files ran, ${accounted.length} with every stage ok or ended with a reason, in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
);
console.log('Outcomes by mutation kind (each stage: ok/errored/unsupported/hung/crashed)');
console.log(outcomeTable(results));
console.log('\nError classes by stage');
console.log(errorTable(results));
const found = [...findings(results), ...unhandled.map((e) => `unhandled rejection in Node: ${e}`)];
console.log(`\nFindings (hangs, crashed tabs, unhandled errors): ${found.length}`);
for (const f of found) console.log(`- ${f}`);
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 1));
process.exitCode = found.length > 0 || accounted.length < corpus.length ? 1 : 0;
