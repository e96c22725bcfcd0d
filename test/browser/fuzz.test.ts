// Hostile files and dying workers: a fixed sample of the fuzzed corpus (bench/fuzz/mutate.ts) through the
// inspector, the quantizer and a run, each ending with a reason; and a run whose worker dies mid-run.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../../src/cli/serve.ts';
import type { RunResult } from '../../src/core/schema.ts';
import type { SuitePlan } from '../../src/core/plan.ts';
import { FuzzApp, fuzzFile, STAGES, type FileResult } from '../../bench/fuzz/drive.ts';
import { makeCorpus, MUTATION_KINDS, sampleCorpus } from '../../bench/fuzz/mutate.ts';
import { useApp } from './fixture.ts';

describe('a fixed sample of the fuzzed corpus', () => {
  const bases = [
    { id: 'ppocr-v2-cls', bytes: new Uint8Array(readFileSync('models/bundled/ppocr-v2-cls.onnx')) },
    { id: 'tiny-bert', bytes: new Uint8Array(readFileSync('models/bundled/tiny-bert/onnx/model.onnx')) },
  ];
  const sample = sampleCorpus(makeCorpus(bases, 2), 30);
  let server: AppServer;
  let app: FuzzApp;
  const results: FileResult[] = [];
  beforeAll(async () => {
    server = await startAppServer();
    app = await FuzzApp.open(server);
    const dir = mkdtempSync(join(tmpdir(), 'ondevice-fuzz-'));
    for (const m of sample) results.push(await fuzzFile(app, m, dir, { stageTimeoutMs: 30_000 }));
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await server?.close();
  });

  it('covers every mutation kind', () => {
    expect(sample).toHaveLength(30);
    expect(new Set(sample.map((m) => m.kind))).toEqual(new Set(MUTATION_KINDS));
  });
  it('every stage of every file ends ok or with a reason: nothing hung, no tab crashed, no unhandled error', () => {
    const bad = results.flatMap((r) =>
      STAGES.filter((s) => {
        const st = r.stages[s];
        return st.outcome === 'hung' || st.outcome === 'crashed' || (st.outcome !== 'ok' && !(st.errorName && st.message));
      }).map((s) => `${r.name} ${s}: ${r.stages[s].outcome} ${r.stages[s].message}`),
    );
    expect(bad).toEqual([]);
    expect(results.flatMap((r) => r.pageErrors)).toEqual([]);
  });
  it('a run that fails names the file', () => {
    for (const r of results.filter((x) => x.stages.run.outcome !== 'ok')) expect(r.stages.run.message).toContain(r.name);
  });
  it('files the parser refuses are refused by name, saying what was expected', () => {
    const truncated = results.filter((r) => r.kind === 'truncate');
    expect(truncated.length).toBeGreaterThan(0);
    for (const r of truncated) {
      expect(r.stages.inspect).toMatchObject({ outcome: 'errored', errorName: 'OnnxFormatError' });
      expect(r.stages.inspect.message).toMatch(new RegExp(`Model "${r.name.replace(/\./g, '\\.')}" (is not a valid ONNX file|parsed as protobuf but)`));
    }
  });
});

describe('a worker that dies', () => {
  const app = useApp();
  const plan = (iterations: number): SuitePlan => ({
    models: ['mlp-1m'],
    devices: ['wasm'],
    dtypes: ['fp32'],
    engines: ['ort'],
    workload: { iterations, warmup: 1, warmupCapMs: 0, timeBudgetMs: 20_000, numThreads: 1 },
  });

  it('ends its run errored with its phase and heap, and the next run proceeds', async () => {
    const { page } = app;
    await page.evaluate(() => {
      const w = window as unknown as { measuring?: boolean };
      window.ondevice.subscribe((e) => {
        if (e.type === 'run-progress' && e.progress.phase === 'measure') w.measuring = true;
      });
    });
    const running = app.runSuite(plan(1_000_000));
    await page.waitForFunction(() => (window as unknown as { measuring?: boolean }).measuring === true, undefined, { timeout: 60_000 });
    // Kill it from inside: close() stops the worker once its current task ends, and terminating the running
    // script ends that task. No error event reaches the page: only the lifeline's close tells it.
    const cdp = await app.browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.find((t) => t.type === 'worker' && /runner\.worker/.test(t.url));
    expect(target).toBeDefined();
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target!.targetId, flatten: false });
    const send = (id: number, method: string, params = {}) =>
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    await send(1, 'Runtime.evaluate', { expression: 'close()' });
    await send(2, 'Runtime.terminateExecution');
    const [dead] = (await running) as RunResult[];
    expect(dead).toMatchObject({ state: 'errored', error: { name: 'WorkerError' } });
    expect(dead!.error!.message).toMatch(/The run's worker died: .*; during the measure phase, its WASM heap last seen at \d+\.\d MiB\./);
    expect(dead!.memory.wasmHeapPeakBytes).toBeGreaterThan(0);
    const [next] = await app.runSuite(plan(2));
    expect(next).toMatchObject({ state: 'completed' });
    expect((await page.evaluate(() => window.ondevice.results())).map((r) => r.state)).toEqual(['errored', 'completed']);
  });
});
