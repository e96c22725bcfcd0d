// The app in real Chromium: IndexedDB log that survives reloads, export/import, abort, and the UI's own Run button.
import { expect, it } from 'vitest';
import type { SuiteEvent } from '../../src/client/suite.ts';
import { parseJsonl } from '../../src/store/export.ts';
import { useApp } from './fixture.ts';

const events: SuiteEvent[] = [];
const app = useApp({ onEvent: (e) => events.push(e) });
const quick = { iterations: 2, warmup: 1 };

it('appends every run to IndexedDB, and the log survives a reload', async () => {
  const results = await app.runSuite({ models: ['silero-vad-v5', 'ppocr-v2-cls'], devices: ['wasm'], dtypes: ['fp32'], workload: quick });
  expect(results.map((r) => r.state)).toEqual(['completed', 'completed']);
  // Streamed as they happened: a start, progress, and an end per run, in order.
  // (The thread calibration, which `auto` runs first, reports as 'prepare' before the suite starts.)
  const kinds = events.map((e) => e.type).filter((k) => k !== 'prepare');
  expect(kinds[0]).toBe('suite-start');
  expect(kinds.filter((k) => k === 'run-end')).toHaveLength(2);
  expect(events.some((e) => e.type === 'run-progress' && e.progress.phase === 'fetch')).toBe(true);
  expect(events.some((e) => e.type === 'run-progress' && e.progress.phase === 'measure')).toBe(true);

  await app.page.reload();
  await app.page.waitForFunction(() => typeof window.ondevice === 'object');
  const stored = await app.page.evaluate(() => window.ondevice.results());
  expect(stored.map((r) => r.id)).toEqual(results.map((r) => r.id));
  expect(stored[0]).toEqual(results[0]);
});

it('exports JSONL that validates, and CSV with a row per run', async () => {
  const jsonl = await app.page.evaluate(() => window.ondevice.exportJsonl());
  const parsed = parseJsonl(jsonl);
  expect(parsed.problems).toEqual([]);
  expect(parsed.results).toHaveLength(2);
  const csv = await app.page.evaluate(() => window.ondevice.exportCsv());
  expect(csv.trimEnd().split('\n')).toHaveLength(3);
});

it('imports JSONL: bad lines are named, good ones kept, known ids not duplicated', async () => {
  const jsonl = await app.page.evaluate(() => window.ondevice.exportJsonl());
  const [first] = jsonl.trimEnd().split('\n');
  const copy = JSON.stringify({ ...JSON.parse(first!), id: 'imported-1' });
  const broken = JSON.stringify({ ...JSON.parse(first!), id: 'imported-2', state: 'finished' });
  const text = [first, copy, '{"schema":', broken].join('\n');
  const outcome = await app.page.evaluate((t) => window.ondevice.importJsonl(t), text);
  expect(outcome.added).toBe(1);
  expect(outcome.skipped).toBe(1);
  expect(outcome.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^line 3: not valid JSON/), expect.stringMatching(/^line 4: field "state": /)]);
  const ids = (await app.page.evaluate(() => window.ondevice.results())).map((r) => r.id);
  expect(ids).toContain('imported-1');
  expect(ids).toHaveLength(3);
});

it('aborts a run in progress: the worker is terminated, the run is logged as aborted, and the app keeps working', async () => {
  events.length = 0;
  // PP-OCR detection on WebGPU via SwiftShader needs tens of seconds for its first run: time enough to abort.
  const pending = app.runSuite({ models: ['ppocr-v4-det'], devices: ['webgpu', 'wasm'], dtypes: ['fp32'], workload: quick });
  await expect.poll(() => events.some((e) => e.type === 'run-progress' && e.progress.phase === 'session'), { timeout: 60_000 }).toBe(true);
  expect(await app.page.evaluate(() => window.ondevice.abort())).toBe(true);
  const results = await pending;
  expect(results).toHaveLength(1);
  expect(results[0]).toMatchObject({ state: 'aborted', device: 'webgpu', error: { name: 'AbortError' } });
  const stored = await app.page.evaluate(() => window.ondevice.results());
  expect(stored.at(-1)?.state).toBe('aborted');
  const after = await app.runSuite({ models: ['ppocr-v2-cls'], devices: ['wasm'], dtypes: ['fp32'], workload: quick });
  expect(after[0]?.state).toBe('completed');
});

it('runs from the page itself: the Run button fills the results table', async () => {
  const { page } = app;
  await page.reload();
  await page.waitForSelector('#models input');
  const chosen = ['ppocr-v2-cls', 'tiny-llama'];
  for (const box of await page.locator('#models input').all()) await box.setChecked(chosen.includes((await box.getAttribute('value'))!));
  for (const box of await page.locator('#devices input').all()) await box.setChecked((await box.getAttribute('value')) === 'wasm');
  await page.fill('input[name=iterations]', '3');
  await page.selectOption('select[name=engine]', 'ort');
  await page.fill('input[name=maxNewTokens]', '6');
  await page.click('#run');
  await expect.poll(() => page.locator('#progress-label').textContent(), { timeout: 90_000 }).toMatch(/^Done: 2 runs \(2 completed\)/);
  const cells = page.locator('#latest-table td[data-state]');
  expect(await cells.evaluateAll((tds) => tds.map((td) => td.getAttribute('data-state')))).toEqual(['completed', 'completed']);
  // The language model's cell shows its decode rate and time to first token.
  expect(await cells.nth(1).textContent()).toMatch(/tok\/s.*TTFT/s);
  await expect.poll(() => page.locator('#device').textContent()).toMatch(/WebGPU: google swiftshader \(no shader-f16\)/);
  // The per-iteration latency chart and the generation chart are drawn for the completed runs.
  for (const id of ['latency-chart', 'generation-chart']) {
    expect(await page.locator(`#${id}`).locator('..').isVisible(), id).toBe(true);
    expect(await page.locator(`#${id}`).evaluate((c: HTMLCanvasElement) => c.width > 0 && c.height > 0), id).toBe(true);
  }
  await page.screenshot({ path: 'test-results/app.png', fullPage: true });
  expect(await page.locator('#history-table tbody tr').count()).toBeGreaterThanOrEqual(5);
});
