// The app as a new user meets it, in real Chromium: the first view (Run in view, a plan of a few runs), presets that
// start nothing, bad fields named inline, an abort's cancelled state, and the last suite after a reload.
// Screenshots go to test-results/first-view/ (git-ignored).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useApp } from './fixture.ts';

const app = useApp();
let page: Page;
const SHOTS = resolve('test-results/first-view');
const shot = async (name: string, fullPage = false) => {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage });
};
const text = (selector: string) => page.locator(selector).innerText();
const checked = (selector: string) => page.locator(`${selector}:checked`).evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
const isRunning = () => page.evaluate(() => window.ondevice.isRunning());
const urlParam = async (name: string) => new URL(await page.evaluate(() => location.href)).searchParams.get(name);

/** Whether an element is inside the viewport and on top there (not covered), without scrolling. */
const inView = (selector: string) =>
  page.locator(selector).evaluate((node) => {
    const r = node.getBoundingClientRect();
    const on = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.height > 0;
    return on && node.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
  });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  console.log(`first-view screenshots: ${SHOTS}`);
  page = app.page;
  await page.setViewportSize({ width: 1440, height: 900 });
  // A fresh first visit: no link in the URL, the log empty.
  await page.goto(app.server.url);
  await page.waitForSelector('#replicas label.entry');
});

it('opens on the Quick check sized for this device, with Run and the plan in view at 1440×900 and 390×844', async () => {
  await expect.poll(() => text('#run-summary')).toMatch(/^[123] runs? · ~\d+ s/);
  const runs = Number((await text('#run-summary')).match(/^(\d+)/)![1]);
  expect(runs).toBeLessThanOrEqual(3);
  expect(await checked('#catalog input[name=model]')).toEqual(['mlp-1m']);
  expect(await checked('input[name=dtype]')).toEqual(['fp32']);
  // SwiftShader here: wasm only (a real GPU adds WebGPU: two runs).
  expect(await checked('input[name=device]')).toEqual(['wasm']);
  expect(await page.locator('[data-preset=quick]').getAttribute('class')).toMatch(/active/);
  expect(await page.evaluate(() => scrollY)).toBe(0);
  expect(await inView('#run')).toBe(true);
  expect(await page.locator('#run').isEnabled()).toBe(true);
  expect(await text('#latest-table')).toMatch(/^No runs yet/);
  await shot('first-view-1440x900');
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await inView('#run')).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot('first-view-390x844');
  await page.setViewportSize({ width: 1440, height: 900 });
});

it('presets configure and say how long; none starts a run', async () => {
  await page.click('[data-preset=full]');
  await expect.poll(() => text('#preset-status')).toMatch(/^Full suite: \d+ runs · ~[\w ]+\. Run starts it\./);
  expect(await isRunning()).toBe(false);
  expect(await text('#run-summary')).toMatch(/^\d{2,} runs · ~/);
  await page.click('[data-preset=claims]');
  await expect.poll(() => text('#run-summary')).toMatch(/^Claims: \d+ runs · ~/);
  expect(await text('#preset-status')).toMatch(/Run starts them/);
  expect(await isRunning()).toBe(false);
  expect(await page.locator('#progress').isVisible()).toBe(false);
  await page.click('[data-preset=quick]');
  await expect.poll(() => text('#run-summary')).toMatch(/^1 run · ~\d+ s/);
  expect(await isRunning()).toBe(false);
});

it('a bad field gets an inline message naming the valid range; the link keeps its last valid setup and Run starts nothing', async () => {
  expect(await urlParam('iterations')).toBe('5');
  for (const bad of ['abc', '-1', '1e9']) {
    await page.fill('input[name=iterations]', bad);
    expect(await text('#problem-iterations')).toBe(`Iterations "${bad}" is not valid: it should be a whole number from 1 to 10000.`);
    expect(await page.getAttribute('input[name=iterations]', 'aria-invalid')).toBe('true');
    expect(await urlParam('iterations')).toBe('5');
  }
  expect(await text('#fields-status')).toBe('Fix the field marked above to run; until then the link keeps the last valid setup.');
  await page.fill('input[name=budget]', '-3');
  expect(await text('#problem-budget')).toMatch(
    /^Stop after ms "-3" is not valid: it should be a whole number from 0 to 3600000, or empty for no time limit\.$/,
  );
  await page.fill('input[name=threads]', 'lots');
  expect(await text('#problem-threads')).toMatch(/^Threads "lots" is not valid: it should be auto \(or empty\), sweep, or a count from 1 to 256\.$/);
  expect(await text('#fields-status')).toMatch(/^Fix the 3 fields marked above/);
  expect(await text('#run-status')).toBe('Fix 3 fields to run');
  await shot('bad-fields', true);
  await page.click('#run');
  await expect.poll(() => text('#progress-label')).toMatch(/^Not started: Iterations "1e9" is not valid/);
  expect(await isRunning()).toBe(false);
  // Fixed: the messages go and the link follows the form again.
  await page.fill('input[name=iterations]', '7');
  await page.fill('input[name=budget]', '');
  await page.fill('input[name=threads]', '');
  expect(await page.locator('.field-problem').count()).toBe(0);
  expect(await page.locator('#fields-status').isVisible()).toBe(false);
  expect(await text('#run-status')).toBe('');
  expect(await urlParam('iterations')).toBe('7');
  expect(await urlParam('budget')).toBe('none');
  // A link with a bad value: named, and the address it is replaced in says so.
  await page.goto(`${app.server.url}?models=mlp-1m&iterations=1e9`);
  await page.waitForSelector('#replicas label.entry');
  await expect
    .poll(() => page.locator('#share-status li').allInnerTexts())
    .toEqual([
      'Bad iterations= "1e9" in the link. Should be a whole number from 1 to 10000.',
      'The address bar now holds the setup as applied: iterations=1e9 → iterations=20.',
    ]);
});

it('an abort ends in a cancelled state: what was skipped, no ETA, and the figures the aborted run kept; a reload shows that suite', async () => {
  // PP-OCRv4 recognition at 10 000 iterations with no time limit: measuring for minutes, time enough to abort.
  await page.locator('#catalog input[value=mlp-1m]').uncheck();
  await page.locator('#catalog input[value=ppocr-v4-rec]').check();
  for (const d of ['q8', 'int8']) await page.locator(`input[name=dtype][value=${d}]`).check();
  await page.fill('input[name=iterations]', '10000');
  await page.fill('input[name=warmup]', '0');
  await page.fill('input[name=budget]', '');
  // One thread: no calibration first (it takes seconds, and this test is about the abort).
  await page.fill('input[name=threads]', '1');
  expect(await text('#run-summary')).toMatch(/^3 runs · ~/);
  await page.evaluate(() => {
    const seen: string[] = ((window as unknown as { __seen: string[] }).__seen = []);
    const node = document.getElementById('progress-run-label')!;
    new MutationObserver(() => seen.push(node.textContent ?? '')).observe(node, { childList: true, characterData: true, subtree: true });
  });
  await page.click('#run');
  // The run scrolls to the results, which the progress leads.
  await expect.poll(() => page.locator('#latest').evaluate((n) => Math.abs(n.getBoundingClientRect().top)), { timeout: 10_000 }).toBeLessThan(40);
  await expect.poll(() => text('#progress-run-label'), { timeout: 60_000 }).toMatch(/measuring ([2-9]|\d{2,})\/10000/);
  // Creating the session said it was alive: an elapsed clock beside it.
  const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
  expect(seen).toContainEqual(expect.stringMatching(/^ppocr-v4-rec \(fp32\) on wasm: creating the session · \d+ s$/));
  await page.click('#abort');
  await expect.poll(() => page.locator('#progress').getAttribute('data-state'), { timeout: 30_000 }).toBe('cancelled');
  expect(await text('#progress-label')).toMatch(/^Cancelled after \d+ s: 0 of 3 runs completed, 1 aborted, 2 skipped\.$/);
  expect(await text('#progress-suite-text')).toMatch(/^1 of 3 runs ended · \d+ s elapsed · cancelled$/);
  expect(await text('#progress-suite-text')).not.toMatch(/left|ETA/);
  expect(await page.locator('#progress-skipped li').allInnerTexts()).toEqual(['ppocr-v4-rec · q8 · wasm', 'ppocr-v4-rec · int8 · wasm']);
  expect(await text('#run-status')).toBe('Cancelled: 2 skipped');
  expect(await text('#headline')).toMatch(/Aborted: ppocr-v4-rec · fp32 · wasm kept p50 [\d.]+ ms over \d+ iterations/);
  expect(await page.locator('#latest-table td[data-state]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-state')))).toEqual(['aborted']);
  // The aborted row itself shows what it kept, not only its state and reason.
  expect(await text('#latest-table td[data-state="aborted"] .kept')).toMatch(/^kept: p50 [\d.]+ ms · n=\d+$/);
  await shot('cancelled');

  await page.reload();
  await page.waitForSelector('#replicas label.entry');
  await expect
    .poll(() => text('#headline'))
    .toMatch(/^The last suite in the history, .+: 1 run\.\s+No run completed\.[\s\S]*Aborted: ppocr-v4-rec · fp32 · wasm kept p50/);
  expect(await page.locator('#latest-table td[data-state]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-state')))).toEqual(['aborted']);
  expect(await text('#latest-table')).not.toMatch(/No runs yet/);
});

it('a completed run leads the results with its headline figure (screenshots of the results at both sizes)', async () => {
  await page.goto(`${app.server.url}?models=mlp-1m&dtypes=fp32&devices=wasm&iterations=3&warmup=0&threads=1&budget=none`);
  await page.waitForSelector('#replicas label.entry');
  await page.click('#run');
  await expect.poll(() => page.locator('#progress').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
  expect(await text('#progress-label')).toMatch(/^Done: 1 run \(1 completed\) in \d+ s\.$/);
  expect(await text('#headline')).toMatch(/^[\d.]+ ms\s*p50 latency, mlp-1m · fp32 · wasm$/);
  expect(await inView('#headline')).toBe(true);
  await shot('results-1440x900');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('#latest').scrollIntoViewIfNeeded();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot('results-390x844');
  await page.setViewportSize({ width: 1440, height: 900 });
});

it('a file that fails inspection is an error and cannot join the run', async () => {
  await page.setInputFiles('#user-model', { name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all') });
  await expect.poll(() => page.locator('#inspection').getAttribute('class'), { timeout: 30_000 }).toMatch(/error/);
  expect(await text('#inspection')).toMatch(/^Could not read broken\.onnx: .+\nIt cannot be run or made into levels/);
  expect(await page.locator('#user-model-use').isDisabled()).toBe(true);
  expect(await page.locator('#user-model-use').isChecked()).toBe(false);
  expect(await page.locator('#make-levels').isDisabled()).toBe(true);
  expect(await text('#selection')).not.toMatch(/your file/);
});
