// The per-operator profile in real Chromium: the page API's profile names the ops the model has (mlp-1m: Gemm
// fused by onnxruntime at fp32, MatMulNBits at q4), the measured figures are the run's own, the app's share link and
// results panel show it, and --profile with the transformers engine is refused before anything starts.
import { expect, it } from 'vitest';
import { bench } from '../../src/cli/bench.ts';
import { useApp } from './fixture.ts';

const app = useApp();

it("profiles one more iteration after the measured ones: the top op types are the model's", async () => {
  const events: string[] = [];
  const [fp32, q4] = await app.page.evaluate(async () => {
    const seen: string[] = [];
    const stop = window.ondevice.subscribe((e) => {
      if (e.type === 'run-progress') seen.push(e.progress.phase);
    });
    try {
      const results = await window.ondevice.runSuite({
        models: ['mlp-1m'],
        devices: ['wasm'],
        dtypes: ['fp32', 'q4'],
        engines: ['ort'],
        // One thread: on mlp-1m (0.05 ms an iteration) a second thread's wake-ups are much of the iteration, and the
        // kernels' share of it then depends on how busy the machine is (0.44 once in CI with the calibrated 2 threads).
        workload: { iterations: 3, warmup: 1, profile: true, numThreads: 1 },
      });
      return results.map((r) => ({ ...r, phases: seen }));
    } finally {
      stop();
    }
  });
  events.push(...(q4?.phases ?? []));
  for (const r of [fp32!, q4!]) {
    expect(r.state).toBe('completed');
    expect(r.profileReason).toBeNull();
    // The measured figures are the run's: exactly its iterations, taken before profiling started.
    expect(r.timings.samplesMs).toHaveLength(3);
    const p = r.profile!;
    expect(p.runs).toBe(1);
    expect(p.providers).toEqual(['CPUExecutionProvider']);
    expect(p.kernelMs).toBeLessThanOrEqual(p.iterationMs);
    expect(p.profilingMs).toBeGreaterThan(p.iterationMs);
    expect(p.topOps.length).toBeGreaterThanOrEqual(4);
    const shares = p.opTypes.reduce((s, t) => s + t.share, 0);
    expect(shares).toBeGreaterThan(0.5);
    expect(shares).toBeLessThanOrEqual(1);
    expect(p.workload).toMatch(/^one inference/);
    expect(p.note).toBeNull();
  }
  // fp32: three MatMul+Add (onnxruntime fuses them into Gemm, with the Relu into FusedGemm), a softmax; nothing else.
  expect(new Set(fp32!.profile!.opTypes.map((t) => t.opType))).toEqual(new Set(['FusedGemm', 'Gemm', 'Softmax']));
  expect(fp32!.profile!.opTypes.find((t) => t.opType === 'FusedGemm')!.nodes).toBe(2);
  // q4: the three matmuls are MatMulNBits, the biggest share by far (the wasm build dequantizes them on every call).
  const q4Types = q4!.profile!.opTypes;
  expect(q4Types[0]).toMatchObject({ opType: 'MatMulNBits', nodes: 3 });
  expect(q4Types[0]!.share).toBeGreaterThan(0.5);
  expect(q4!.profile!.topOps[0]!.opType).toBe('MatMulNBits');
  expect(events).toContain('profile');
});

it('the app: profile=1 in the link ticks the box, and the results panel shows the top ops and why', async () => {
  const page = app.page;
  await page.goto(`${app.server.url}?models=mlp-1m&dtypes=q4&devices=wasm&engines=ort&iterations=2&warmup=1&profile=1&autorun=1`);
  expect(await page.locator('input[name=profile]').isChecked()).toBe(true);
  await expect.poll(() => page.locator('#progress-label').innerText(), { timeout: 90_000 }).toMatch(/^Done: 1 run \(1 completed\)/);
  const panel = page.locator('#profiles');
  await page.locator('#latest').screenshot({ path: '.scratch/profile.png' });
  expect(await panel.innerText()).toMatch(/mlp-1m q4 · wasm · ort: [^\n]*MatMulNBits \d+ %/); // first but for a stall on a loaded machine
  expect(await panel.innerText()).toMatch(/Why: MatMulNBits: onnxruntime-web's wasm build has no 4-bit kernel/);
  expect(await page.locator('#latest-table .profile-line').first().innerText()).toMatch(/^ops: [^\n]*MatMulNBits \d+ %/);
  // The link the page keeps in its URL still carries the box.
  expect(new URL(await page.evaluate(() => location.href)).searchParams.get('profile')).toBe('1');
});

it('--profile with only the transformers engine is refused before launch, naming the ort engine', async () => {
  await expect(
    bench({ suite: 'default', model: ['tiny-bert'], engine: 'transformers', profile: true, iterations: 1, warmup: 0, input: [], repeat: 1, quiet: true }),
  ).rejects.toThrow(/--profile works on the ort engine only .*--engine transformers has none\. Use --engine ort/);
});
