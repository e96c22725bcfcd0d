// The results as people read them, in real Chromium: a language model's text streams during its run (the warm-up
// generation labelled as such), charts under the results, the history with every run's reason in view, and the
// history and claims on a phone (390 px) without horizontal overflow. Screenshots go to .scratch/app18b/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { openOffline, useApp } from './fixture.ts';

const app = useApp();
let page: Page;
const SHOTS = resolve('.scratch/app18b');
const shot = async (name: string, selector?: string) => {
  const path = `${SHOTS}/${name}.png`;
  if (selector) await page.locator(selector).screenshot({ path });
  else await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
};

/** Elements under `selector` that stick out of the viewport's width, or tables wider than their box. */
const overflowing = (selector: string) =>
  page.locator(selector).evaluate((root) => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const e of [root, ...root.querySelectorAll('*')]) {
      const box = e.getBoundingClientRect();
      if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) out.push(`${e.tagName.toLowerCase()}.${e.className} ${box.left}–${box.right}`);
      if (e.classList.contains('table-wrap') && e.scrollWidth > e.clientWidth + 1) out.push(`table-wrap ${e.id} scrolls: ${e.scrollWidth} > ${e.clientWidth}`);
    }
    return out;
  });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  page = app.page;
  await page.setViewportSize({ width: 1440, height: 900 });
});

it('streams a language model’s text during its run, and shows charts, the text and every reason in the results', async () => {
  // In the history first: a run decided without running (a level the model does not ship), whose reason must show.
  // (With a run that completes in the same suite, so that both count as this device's when the claims judge the history.)
  const [lacking] = await app.runSuite({ models: ['silero-vad-v5', 'mlp-1m'], devices: ['wasm'], dtypes: ['q4'], workload: { iterations: 1, warmup: 0 } });
  expect(lacking!.state).toBe('unsupported');
  // mlp-1m at two levels (the size chart) and tiny-llama (the streamed text), from the form.
  await page.goto(`${app.server.url}?models=mlp-1m,tiny-llama&dtypes=fp32,q8&devices=wasm&engines=ort&iterations=2&warmup=1&threads=1&budget=none`);
  await page.waitForSelector('#lm-stream', { state: 'attached' });
  // What the stream box shows, each time it changes, with the run's progress line at that moment.
  await page.evaluate(() => {
    const seen: { head: string; text: string; label: string; ended: number }[] = ((window as unknown as { __stream: typeof seen }).__stream = []);
    const box = document.getElementById('lm-stream')!;
    new MutationObserver(() =>
      seen.push({
        head: box.querySelector('.lm-stream-head')!.textContent ?? '',
        text: box.querySelector('pre')!.textContent ?? '',
        label: document.getElementById('progress-run-label')!.textContent ?? '',
        ended: document.querySelectorAll('#latest-table td[data-state]').length,
      }),
    ).observe(box, { childList: true, characterData: true, subtree: true, attributes: true });
  });
  await page.evaluate(() => (document.getElementById('run-form') as HTMLFormElement).requestSubmit());
  await expect.poll(() => page.locator('#latest-table td[data-state]').count(), { timeout: 60_000 }).toBe(4);
  await page.waitForFunction(() => !window.ondevice.isRunning());

  const seen = await page.evaluate(() => (window as unknown as { __stream: { head: string; text: string; label: string; ended: number }[] }).__stream);
  const llama = seen.filter((s) => s.label.startsWith('tiny-llama'));
  writeFileSync(`${SHOTS}/stream-events.json`, JSON.stringify(llama, null, 1));
  // The warm-up generation says it is one, in the stream's heading and in the run's progress line.
  expect(llama.some((s) => /^warm-up generation \(not measured\) · token \d+\/4/.test(s.head))).toBe(true);
  expect(llama.some((s) => /warm-up generation \(not measured\): generating token/.test(s.label))).toBe(true);
  // Measured generations stream their text with a live decode rate, while the run is still going.
  const live = llama.filter((s) => /^generation [12] · token 32\/32 · [\d.]+ tok\/s$/.test(s.head) && s.text.length > 0);
  expect(live.map((s) => s.head.split(' · ')[0])).toEqual(expect.arrayContaining(['generation 1', 'generation 2']));
  const runEnded = await page.locator('#latest-table td[data-state]').count();
  expect(live.some((s) => s.ended < runEnded)).toBe(true);

  // The results show what the model wrote: the first measured generation's text.
  const text = await page.locator('#latest-table .lm-text').first().innerText();
  expect(text).toMatch(/^text: “.+”$/);
  // Greedy decoding makes the same text every time: what streamed is what the results show.
  const shown = text.slice('text: “'.length, -1).replace(/…$/, '');
  expect(live.some((s) => s.text.startsWith(shown.slice(0, 20)))).toBe(true);
  // Charts: latency of every run, size against latency (mlp-1m at two levels), the language model's TTFT scatter.
  for (const id of ['latency-chart', 'size-chart', 'generation-chart']) expect(await page.locator(`#${id}`).isVisible(), id).toBe(true);
  // The history: a run without figures has its reason in view at 1440 px, across the figure columns.
  const reason = page.locator('#history-table tr.state-unsupported td.reason-cell').first();
  expect(await reason.innerText()).toMatch(/q4/);
  const box = (await reason.boundingBox())!;
  expect(box.x + 40).toBeLessThan(1440);
  await page.locator('#latest').scrollIntoViewIfNeeded();
  await shot('results-1440', '#latest');
  await shot('history-1440', '#history');
});

it('on a phone (390 px), the history is cards and the claims table fits: no horizontal overflow; verdicts say "not run yet"', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  // Judge the history: these runs are none of the claims', so the claims have not been run yet — not a device limit.
  await page.click('#claims-log');
  await expect.poll(() => page.locator('#claims-table .verdict-not-run-yet').count()).toBeGreaterThan(5);
  expect(await page.locator('#claims-table .verdict-not-run-yet').first().innerText()).toBe('not run yet');
  expect(await page.locator('#claims-table .verdict-cannot-run-here').count()).toBe(0);
  expect(await page.locator('#claims-table tr[data-claim="test-time-compute"]').innerText()).toMatch(/no context run of SmolLM2-135M at q8/);
  // The app gives no CLI advice.
  expect(await page.locator('body').innerText()).not.toMatch(/--device|--\w+ /);

  expect(await overflowing('#history-table')).toEqual([]);
  expect(await overflowing('#claims-table')).toEqual([]);
  // Each history row is a card: its cells stacked, each named.
  const cell = page.locator('#history-table tbody tr').first().locator('td').first();
  expect(await cell.evaluate((td) => [getComputedStyle(td).display, getComputedStyle(td, '::before').content])).toEqual(['flex', '"when"']);
  await page.locator('#history').scrollIntoViewIfNeeded();
  await shot('history-390', '#history');
  await shot('claims-390', '#claims');

  // The report the app downloads draws every chart, with the point labeller and tick rule inlined from the bundle.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#claims-html')]);
  const file = `${SHOTS}/report.html`;
  await download.saveAs(file);
  const offline = await openOffline(app.browser, file);
  try {
    const errors: string[] = [];
    offline.page.on('pageerror', (e) => errors.push(e.message));
    await offline.page.reload();
    expect(await offline.page.evaluate(() => Object.keys((window as unknown as { Chart: { instances: object } }).Chart.instances).length)).toBeGreaterThan(2);
    expect(await offline.page.locator('.chart-missing').allInnerTexts()).toEqual([]);
    expect(errors).toEqual([]);
    expect(await offline.page.locator('#claims').innerText()).toMatch(/not run yet/);
  } finally {
    await offline.page.close();
  }
  console.log(`document scrollWidth at 390 px: ${await page.evaluate(() => document.scrollingElement!.scrollWidth)}`);
});
