// Language models in real Chromium: the bundled tiny llama at every level, on wasm and webgpu, through both
// engines (our ORT loop and transformers.js), with token agreement between engines and against fp32; the
// context-length run type; abort; the BERT pipelines; and the LM bad inputs.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bench } from '../../src/cli/bench.ts';
import { parseJsonl } from '../../src/store/export.ts';
import type { RunResult } from '../../src/core/schema.ts';
import type { ModelRef } from '../../src/core/spec.ts';
import type { Dtype } from '../../src/core/vocab.ts';
import { useApp } from './fixture.ts';

const app = useApp();

const LEVELS = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4dq', 'q4f16', 'bnb4'];
const generation = { prompt: 'The small model on the phone', maxNewTokens: 8 };
const quick = { iterations: 1, warmup: 1, timeBudgetMs: 0, generation };
// The every-level suites: one generation per run and no warm-up generation (what they cost is mostly each run's start).
const once = { ...quick, warmup: 0 };
const byEngine = (results: RunResult[], engine: string) => results.filter((r) => r.engine === engine);

/** Our loop and transformers.js made the same greedy tokens at every level they both ran. */
function expectEnginesAgree(results: RunResult[]): void {
  for (const r of byEngine(results, 'ort')) {
    const other = results.find((t) => t.engine === 'transformers' && t.model.dtype === r.model.dtype && t.device === r.device);
    if (r.state !== 'completed' || other?.state !== 'completed') continue;
    expect(other.generation!.tokens, `${r.model.dtype} on ${r.device}`).toEqual(r.generation!.tokens);
  }
}

describe('tiny-llama', () => {
  let wasm: RunResult[];
  it('generates at every level on wasm through both engines, the same tokens from each', async () => {
    wasm = await app.runSuite({ models: ['tiny-llama'], devices: ['wasm'], dtypes: LEVELS as Dtype[], workload: once });
    expect(wasm.map((r) => `${r.engine}:${r.model.dtype}:${r.state}`)).toEqual([
      ...LEVELS.map((d) => `ort:${d}:completed`),
      ...LEVELS.map((d) => `transformers:${d}:completed`),
    ]);
    for (const r of wasm) {
      const g = r.generation!;
      expect(g.tokens, `${r.engine} ${r.model.dtype}`).toHaveLength(8);
      expect(g.promptTokens).toBeGreaterThan(3);
      expect(g.ttftMs).toBeGreaterThan(0);
      expect(g.decodeTokPerS).toBeGreaterThan(0);
      expect(g.tpot?.n).toBe(7);
      // Where each decode step went: our loop times its feeds and sampling; transformers.js only its session.run.
      expect(g.stepMs?.n, `${r.engine} ${r.model.dtype}`).toBe(7);
      expect(g.stepMs!.runMs).toBeGreaterThan(0);
      expect(g.stepMs!.runMs).toBeLessThanOrEqual(g.tpot!.maxMs);
      if (r.engine === 'ort') expect([g.stepMs!.feedsMs, g.stepMs!.samplingMs].every((x) => x !== null && x >= 0)).toBe(true);
      else expect([g.stepMs!.feedsMs, g.stepMs!.samplingMs]).toEqual([null, null]);
      expect(g.text).toBeTruthy();
      expect(r.memory.wasmHeapPeakBytes).toBeGreaterThan(0);
    }
    expectEnginesAgree(wasm);
    // Not a constant token: the model walks its vocabulary.
    expect(new Set(wasm[0]!.generation!.tokens).size).toBeGreaterThan(4);
  }, 300_000);

  it('compares each level with fp32 by greedy tokens', () => {
    for (const engine of ['ort', 'transformers']) {
      const [fp32, ...levels] = byEngine(wasm, engine);
      expect(fp32!.fidelity).toBeNull();
      for (const r of levels) {
        expect(r.fidelity?.reference).toBe(fp32!.id);
        // fp16 and 8-bit levels keep the greedy path; 4-bit ones may drift, never to nothing.
        const bound = ['fp16', 'q8', 'uint8'].includes(r.model.dtype) ? 1 : 0.25;
        expect(r.fidelity!.tokenAgreement, `${engine} ${r.model.dtype}`).toBeGreaterThanOrEqual(bound);
      }
    }
  });

  it('runs every level on webgpu through both engines; fp16 levels end unsupported without shader-f16', async () => {
    // q4dq is left out here: once loaded it is the fp32 graph (wasm covers its loading), and each SwiftShader run costs 10–50 s.
    const gpu = await app.runSuite({
      models: ['tiny-llama'],
      devices: ['webgpu'],
      dtypes: LEVELS.filter((d) => d !== 'q4dq') as Dtype[],
      workload: { ...once, generation: { ...generation, maxNewTokens: 4 } },
    });
    expect(gpu).toHaveLength(16);
    for (const r of gpu) {
      if (r.model.dtype === 'fp16' || r.model.dtype === 'q4f16') {
        expect(r.state, `${r.engine} ${r.model.dtype}`).toBe('unsupported');
        expect(r.error!.message).toMatch(/shader-f16/);
      } else {
        expect(r.state, `${r.engine} ${r.model.dtype}: ${r.error?.message}`).toBe('completed');
        expect(r.memory.gpuBufferPeakBytes).toBeGreaterThan(0);
      }
    }
    expectEnginesAgree(gpu);
    // WebGPU and wasm agree on the fp32 greedy path.
    const cpu = wasm.find((r) => r.engine === 'ort' && r.model.dtype === 'fp32')!;
    expect(gpu.find((r) => r.engine === 'ort' && r.model.dtype === 'fp32')!.generation!.tokens).toEqual(cpu.generation!.tokens.slice(0, 4));
  }, 300_000);

  it('measures decode speed and memory at several context lengths', async () => {
    const results = await app.runSuite({
      models: ['tiny-llama'],
      devices: ['wasm'],
      dtypes: ['fp32'],
      workload: { ...quick, generation: { ...generation, maxNewTokens: 4, contextLengths: [32, 256, 1024] } },
    });
    for (const r of results) {
      expect(r.state, r.error?.message).toBe('completed');
      const points = r.generation!.contexts!;
      expect(points.map((p) => p.contextTokens)).toEqual([32, 256, 1024]);
      for (const p of points) expect(p.decodeTokPerS).toBeGreaterThan(0);
      // The cache grows with the context: 1024 + 4 tokens hold 32× the bytes of 32 + 4 … exactly as the shapes say.
      expect(points[2]!.kvCacheBytes! / points[0]!.kvCacheBytes!).toBeCloseTo(1028 / 36, 6);
      expect(points[2]!.prefillMs).toBeGreaterThan(points[0]!.prefillMs);
    }
  });

  it('stops a generation when aborted, keeping what it measured', async () => {
    const done = app.page.evaluate(() =>
      window.ondevice.runSuite({
        models: ['tiny-llama'],
        devices: ['wasm'],
        dtypes: ['fp32'],
        engines: ['ort'],
        workload: { iterations: 1, warmup: 1, generation: { prompt: 'abort me', maxNewTokens: 3000 } },
      }),
    );
    await expect.poll(() => app.page.evaluate(() => window.ondevice.isRunning())).toBe(true);
    // Wait until the measured generation is under way, then press the button's function.
    await app.page.waitForFunction(() => document.querySelector('#progress-run-label')?.textContent?.match(/generating token (\d+)/)?.[1] !== undefined, null, {
      timeout: 60_000,
    });
    await app.page.waitForTimeout(1500);
    await app.page.evaluate(() => window.ondevice.abort());
    const [r] = await done;
    expect(r!.state).toBe('aborted');
    expect(r!.error!.message).toMatch(/Aborted/);
    const g = r!.generation;
    expect(g, 'the partial generation is kept').not.toBeNull();
    expect(g!.tokens.length).toBeGreaterThan(0);
    expect(g!.tokens.length).toBeLessThan(3000);
    const logged = await app.page.evaluate((id) => window.ondevice.results().then((all) => all.find((x) => x.id === id)), r!.id);
    expect(logged?.state).toBe('aborted');
  });
});

describe('the CLI', () => {
  it('aborts the generation in progress (what Ctrl-C does), logging it aborted with its partial figures', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ondevice-lm-')), 'abort.jsonl');
    const code = await bench({
      // Generations back to back for the whole 10 s budget (the plain build makes one of 3000 tokens take under a
      // second), so the abort at 5 s lands in one; one thread skips the calibration's seconds.
      suite: 'default',
      model: ['tiny-llama'],
      device: 'wasm',
      engine: 'ort',
      iterations: 1000,
      warmup: 1,
      threads: 1,
      input: [],
      repeat: 1,
      quiet: true,
      out,
      maxNewTokens: 3000,
      abortAfter: 5000,
    });
    expect(code).toBe(0);
    const { results, problems } = parseJsonl(readFileSync(out, 'utf8'));
    expect(problems).toEqual([]);
    expect(results.map((r) => r.state)).toEqual(['aborted']);
    expect(results[0]!.generation?.tokens.length ?? 0).toBeGreaterThan(0);
  });
});

describe('BERT pipelines', () => {
  it('classifies, tags and embeds text through transformers.js and runs the same files on the ORT engine', async () => {
    const results = await app.runSuite({
      models: ['tiny-bert', 'tiny-bert-sst', 'tiny-bert-ner'],
      devices: ['wasm'],
      dtypes: ['fp32', 'q8'],
      workload: { iterations: 1, warmup: 0, generation },
    });
    results.push(
      ...(await app.runSuite({ models: ['tiny-bert-sst'], devices: ['webgpu'], dtypes: ['fp32'], workload: { iterations: 1, warmup: 0, generation } })),
    );
    expect(results).toHaveLength(14);
    for (const r of results) expect(r.state, `${r.model.id} ${r.engine} ${r.model.dtype} ${r.device}: ${r.error?.message}`).toBe('completed');
    const tf = results.filter((r) => r.engine === 'transformers' && r.device === 'wasm' && r.model.dtype === 'q8');
    expect(tf.map((r) => r.task)).toEqual(['feature-extraction', 'text-classification', 'token-classification']);
    for (const r of tf) {
      expect(r.workload.inputs.map((i) => i.name)).toContain('input_ids');
      expect(r.fidelity?.cosine, r.model.id).toBeGreaterThan(0.99);
    }
  }, 300_000);
});

describe('bad input', () => {
  const llama = async (): Promise<ModelRef> => {
    const catalog = await app.page.evaluate(() => window.ondevice.catalog());
    expect(catalog.models.some((m) => m.id === 'tiny-llama')).toBe(true);
    const [r] = await app.runSuite({
      models: ['tiny-llama'],
      devices: ['wasm'],
      dtypes: ['fp32'],
      engines: ['ort'],
      workload: { ...quick, generation: { prompt: 'x', maxNewTokens: 1 } },
    });
    return { ...r!.model, url: r!.model.url!, task: 'text-generation', repo: { id: 'bundled/tiny-llama', host: './', layout: 'local' } } as ModelRef;
  };

  it('a prompt beyond the context, a model that is not a decoder, and missing tokenizer files are errored results with reasons', async () => {
    const base = await llama();
    const results = await app.runSuite({
      models: [
        { ...base, id: 'too-long' },
        { ...base, id: 'not-a-decoder', url: 'bundled/mlp-1m.onnx' },
        { ...base, id: 'no-tokenizer', repo: { id: 'bundled/does-not-exist', host: './', layout: 'local' } },
      ],
      devices: ['wasm'],
      dtypes: ['fp32'],
      engines: ['ort'],
      workload: { ...quick, generation: { prompt: 'x', maxNewTokens: 5000 } },
    });
    const [tooLong, notDecoder, noTokenizer] = results;
    expect(tooLong!.state).toBe('errored');
    expect(tooLong!.error!.message).toMatch(/exceeds the model's context of 4096 tokens/);
    expect(notDecoder!.state).toBe('errored');
    expect(notDecoder!.error!.message).toMatch(/does not have a decoder's inputs and outputs: missing input_ids/);
    expect(noTokenizer!.state).toBe('errored');
    expect(noTokenizer!.error!.message).toMatch(/tokenizer\.json|config\.json/);
    expect(noTokenizer!.error!.message).toMatch(/HTTP 404/);
    // The app is still working: the next run completes.
    const [after] = await app.runSuite({ models: ['tiny-llama'], devices: ['wasm'], dtypes: ['q8'], engines: ['ort'], workload: quick });
    expect(after!.state).toBe('completed');
  });

  it('a single ONNX file cannot run on transformers.js: unsupported, with the reason', async () => {
    const [r] = await app.runSuite({ models: ['mlp-1m'], devices: ['wasm'], dtypes: ['fp32'], engines: ['transformers'], workload: quick });
    expect(r!.state).toBe('unsupported');
    expect(r!.error!.message).toMatch(/Hugging Face layout/);
  });
});
