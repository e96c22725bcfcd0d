// Storage that fills up or goes away, forced through the browser itself (DevTools protocol): the origin's quota
// set to one byte, so IndexedDB's writes fail with QuotaExceededError; and the origin's IndexedDB cleared under the
// open page, as eviction does. The app says so, keeps every result in memory, and exports them.
import { readFileSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { SuitePlan } from '../../src/core/plan.ts';
import { parseJsonl } from '../../src/store/export.ts';
import { useApp } from './fixture.ts';

const app = useApp();
let cdp: CDPSession;
let origin: string;
beforeAll(async () => {
  cdp = await app.page.context().newCDPSession(app.page);
  origin = new URL(app.page.url()).origin;
});

// One thread: no calibration (its cache is localStorage, outside the quota, but it costs seconds).
const plan: SuitePlan = { models: ['mlp-1m'], devices: ['wasm'], dtypes: ['fp32'], workload: { iterations: 2, warmup: 1, numThreads: 1 } };

it('a full origin: the run is logged in memory, the app says so, and exports it', async () => {
  // A fresh context whose origin may store one byte, set before the app opens its database: Chromium reads a
  // database's quota when it first opens it (an override after that applies only once the origin's data is reopened).
  const context = await app.browser.newContext();
  try {
    const page = await context.newPage();
    const session = await context.newCDPSession(page);
    await session.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
    await page.goto(app.server.url);
    await page.waitForFunction(() => typeof window.ondevice === 'object');
    const results = await page.evaluate((p) => window.ondevice.runSuite(p), plan);
    expect(results.map((r) => r.state)).toEqual(['completed']);

    const problem = await page.evaluate(() => window.ondevice.storageProblem());
    expect(problem).toMatchObject({ kind: 'quota', unsaved: 1 });
    expect(problem!.message).toMatch(/storage for the app is full.*QuotaExceededError/);
    const box = page.locator('#storage-status');
    await expect.poll(() => box.isVisible()).toBe(true);
    expect(await box.textContent()).toMatch(/1 run is held only in this page: export it before you close or reload it/);
    // The run is listed (history) and exported from memory.
    expect((await page.evaluate(() => window.ondevice.results())).map((r) => r.id)).toEqual([results[0]!.id]);
    await expect.poll(() => page.locator('#history-count').textContent()).toBe('1 run logged');
    const [download] = await Promise.all([page.waitForEvent('download'), box.getByRole('button', { name: 'Export JSONL' }).click()]);
    const exported = parseJsonl(readFileSync((await download.path())!, 'utf8'));
    expect(exported.problems).toEqual([]);
    expect(exported.results).toEqual(results);
    // An import into a full log is held the same way, not dropped.
    const copy = { ...results[0]!, id: `${results[0]!.id}-copy`, startedAt: '2030-01-01T00:00:00.000Z' };
    expect(await page.evaluate((r) => window.ondevice.importJsonl(JSON.stringify(r)), copy)).toMatchObject({ added: 1, skipped: 0, problems: [] });
    expect(await page.evaluate(() => window.ondevice.storageProblem()?.unsaved)).toBe(2);
    expect((await page.evaluate(() => window.ondevice.exportJsonl())).trimEnd().split('\n')).toHaveLength(2);
  } finally {
    await context.close();
  }
});

it('storage evicted under the page: what it had logged is kept in memory and offered for export', async () => {
  await app.page.evaluate(() => window.ondevice.clearResults());
  const [first] = await app.runSuite(plan);
  await app.page.evaluate(() => window.ondevice.results());
  await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'indexeddb' });
  await expect.poll(() => app.page.evaluate(() => window.ondevice.storageProblem()?.kind ?? null), { timeout: 10_000 }).toBe('evicted');
  // The next run is saved in the reopened (empty) database; the evicted one lives in the page.
  const [second] = await app.runSuite(plan);
  expect(second!.state).toBe('completed');
  const listed = await app.page.evaluate(() => window.ondevice.results());
  expect(listed.map((r) => r.id)).toEqual([first!.id, second!.id]);
  expect(await app.page.evaluate(() => window.ondevice.storageProblem())).toMatchObject({ kind: 'evicted', unsaved: 1 });
  await expect.poll(() => app.page.locator('#storage-status').textContent()).toMatch(/storage was cleared or evicted.*1 run is held only in this page/);
  const jsonl = await app.page.evaluate(() => window.ondevice.exportJsonl());
  expect(parseJsonl(jsonl).results.map((r) => r.id)).toEqual([first!.id, second!.id]);
});
