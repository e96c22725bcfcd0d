// `auto` threads in real Chromium: a calibration runs one worker per count, is cached (a second call measures
// nothing), an aborted one caches nothing, and a run with `auto` records the chosen count and why; bad counts and
// sweeps that cannot run end unsupported with the valid values.
import { expect, it } from 'vitest';
import type { CalibrationOutcome } from '../../src/client/thread-calibration.ts';
import { CALIBRATION_MODEL } from '../../src/core/threads.ts';
import { useApp } from './fixture.ts';

const app = useApp();
/** The calibration's reference workload as its reason names it, e.g. "ppocr-v4-det fp32". */
const REFERENCE = `${CALIBRATION_MODEL.id} ${CALIBRATION_MODEL.dtype}`;

type Api = { calibrateThreads(o?: { recalibrate?: boolean; budgetMs?: number }): Promise<CalibrationOutcome>; abort(): boolean };
const calibrate = (options: { recalibrate?: boolean; budgetMs?: number } = {}) =>
  app.page.evaluate((o) => (window as unknown as { ondevice: Api }).ondevice.calibrateThreads(o), options);
const stored = () => app.page.evaluate(() => localStorage.getItem('ondevice.threads/1'));

it('calibrates once per device, caches the choice, and an aborted calibration caches nothing', async () => {
  const cores = await app.page.evaluate(() => navigator.hardwareConcurrency);
  const first = await calibrate({ budgetMs: 300 });
  expect(first.cached).toBe(false);
  const cal = first.calibration!;
  // 1..min(cores, 8), onnxruntime-web's default among them, every count timed.
  expect(cal.timings.map((t) => t.threads)).toEqual(Array.from({ length: Math.min(cores, 8) }, (_, i) => i + 1));
  expect(cal.ortDefault).toBe(Math.min(4, Math.ceil(cores / 2)));
  for (const t of cal.timings) expect(t.n).toBeGreaterThanOrEqual(5 * 2);
  expect(first.choice).toMatchObject({
    requested: 'auto',
    chosen: cal.chosen,
    reason: expect.stringMatching(new RegExp(`^calibrated on ${REFERENCE}: 1 thread [\\d.]+ ms`)),
  });
  const second = await calibrate();
  expect(second.cached).toBe(true);
  expect(second.calibration).toEqual(cal);
  expect(second.choice.reason).toMatch(/; cached from \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);

  // Interrupted: the abort lands while the workers load; what was cached stays as it was.
  const before = await stored();
  const outcome = await app.page.evaluate(async () => {
    const api = (window as unknown as { ondevice: Api }).ondevice;
    const pending = api.calibrateThreads({ recalibrate: true });
    await new Promise((r) => setTimeout(r, 200));
    api.abort();
    return pending.then(
      () => 'resolved',
      (e: Error) => e.name,
    );
  });
  expect(outcome).toBe('AbortError');
  expect(await stored()).toBe(before);
});

it('records the chosen count and its reason in a run with auto; bad counts and sweeps end unsupported naming the valid values', async () => {
  const cached = await calibrate();
  const [auto, tooMany, sweepTwo] = await app.runSuite([
    { models: ['mlp-1m'], devices: ['wasm'], dtypes: ['fp32'], workload: { iterations: 2, warmup: 1 } },
    { models: ['mlp-1m'], devices: ['wasm'], dtypes: ['fp32'], workload: { iterations: 1, warmup: 0, numThreads: 99 } },
    { models: ['mlp-1m', 'ppocr-v2-cls'], devices: ['wasm'], dtypes: ['fp32'], workload: { iterations: 1, warmup: 0, numThreads: 'sweep' } },
  ]);
  expect(auto!.state).toBe('completed');
  expect(auto!.env!.numThreads).toBe(cached.choice.chosen);
  expect(auto!.env!.threads).toEqual(cached.choice);
  const cores = auto!.env!.hardwareConcurrency!;
  expect(tooMany!.state).toBe('unsupported');
  expect(tooMany!.error!.message).toBe(`Threads 99 cannot run here: this device has ${cores} cores. Should be 1–${cores}, auto or sweep.`);
  expect(tooMany!.env!.threads).toMatchObject({ requested: 99, chosen: null });
  expect(sweepTwo!.state).toBe('unsupported');
  expect(sweepTwo!.error!.message).toMatch(/^threads=sweep runs one model at every thread count; this run names 2 models/);
});

it('sweeps one model over every count on wasm, and refuses the sweep on webgpu', async () => {
  const results = await app.runSuite({
    models: ['mlp-1m'],
    devices: ['wasm', 'webgpu'],
    dtypes: ['fp32'],
    workload: { iterations: 3, warmup: 1, numThreads: 'sweep' },
  });
  const cores = results[0]!.env!.hardwareConcurrency!;
  const wasm = results.filter((r) => r.device === 'wasm');
  expect(wasm.map((r) => [r.state, r.env!.numThreads, r.env!.threads!.requested])).toEqual(
    Array.from({ length: Math.min(cores, 8) }, (_, i) => ['completed', i + 1, 'sweep']),
  );
  const gpu = results.filter((r) => r.device === 'webgpu');
  expect(gpu.map((r) => r.state)).toEqual(['unsupported']);
  expect(gpu[0]!.error!.message).toMatch(/^threads=sweep is for WASM/);
});

it('the app: a threads=sweep link fills the form, runs and draws the sweep; an auto run shows the choice and its reason', async () => {
  const { page } = app;
  await page.goto(`${app.server.url}?models=mlp-1m&dtypes=fp32&devices=wasm&engines=ort&iterations=2&warmup=0&threads=sweep&budget=none&autorun=1`);
  expect(await page.inputValue('input[name=threads]')).toBe('sweep');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect.poll(() => page.locator('#threads-sweep table.sweep tbody tr').count(), { timeout: 60_000 }).toBe(Math.min(cores, 8));
  expect(await page.locator('#threads-sweep tr.best').count()).toBe(1);
  expect(await page.locator('#threads-sweep').innerText()).toMatch(/onnxruntime-web’s default/);
  // auto: the cached calibration of this browser, named in the results.
  await page.goto(`${app.server.url}?models=mlp-1m&dtypes=fp32&devices=wasm&engines=ort&iterations=2&warmup=0&threads=auto&budget=none&autorun=1`);
  await expect
    .poll(() => page.locator('#threads-choice').innerText(), { timeout: 60_000 })
    .toMatch(
      new RegExp(`^threads: auto → \\d \\(calibrated on ${REFERENCE}: 1 thread [\\d.]+ ms.*; cached from .* UTC; onnxruntime-web's default here: \\d\\)$`),
    );
});
