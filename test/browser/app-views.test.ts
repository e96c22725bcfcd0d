// The app's views in real Chromium: catalog browsing, presets, live progress, history filters, share links.
import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useApp } from './fixture.ts';

const app = useApp();
let page: Page;
const shot = (name: string) => page.screenshot({ path: `.scratch/${name}.png`, fullPage: true });
const checked = (selector: string) => page.locator(`${selector}:checked`).evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
const visibleText = (selector: string) => page.locator(selector).innerText();

beforeAll(async () => {
  page = app.page;
  await page.setViewportSize({ width: 1360, height: 900 });
  // The log was cleared after the page loaded: load it again so the history shows it empty.
  await page.reload();
  await page.waitForSelector('#replicas label.entry');
});

it('browses the catalog: bundled and replicas, filtered by kind, task and search; unbuildable ones greyed with the reason', async () => {
  await shot('catalog');
  expect(await page.locator('#models label.entry:visible').count()).toBeGreaterThanOrEqual(9);
  expect(await visibleText('#catalog-count')).toMatch(/^\d+ models$/);

  await page.click('#catalog-kind button[data-kind=replica]');
  expect(await page.locator('#models').isVisible()).toBe(false);
  const replicas = page.locator('#replicas label.entry:visible');
  expect(await replicas.count()).toBeGreaterThan(20);
  expect(await visibleText('#replicas')).toMatch(/timings and memory are the real model’s; outputs are meaningless/);
  // A replica shows its family, published parameters, release date and levels.
  expect(await page.locator('#replicas label.entry', { hasText: 'SmolLM2-135M' }).innerText()).toMatch(
    /SmolLM2[\s\S]*134\.52 M params[\s\S]*released 2024-10[\s\S]*all 9 levels/,
  );
  const dclm = page.locator('#replicas label.entry', { hasText: 'DCLM-7B' });
  expect(await dclm.locator('input').isDisabled()).toBe(true);
  expect(await dclm.innerText()).toMatch(/Cannot be built: no replica builder for model_type 'openlm'/);
  await shot('catalog-replicas');

  await page.fill('#catalog-search', 'gpt2');
  expect(await replicas.evaluateAll((ls) => ls.map((l) => l.querySelector('input')!.value))).toEqual(['replica:openai-community/gpt2']);
  await page.click('#catalog-kind button[data-kind=""]');
  await page.fill('#catalog-search', '');
  await page.selectOption('#catalog-task', 'text-generation');
  const tasks = await page.locator('#catalog label.entry:visible').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-task')));
  expect(new Set(tasks)).toEqual(new Set(['text-generation']));
  expect(await page.locator('#models label.entry:visible input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['tiny-llama']);
  await page.fill('#catalog-search', 'no such model at all');
  expect(await page.locator('#catalog-empty').isVisible()).toBe(true);
  await page.selectOption('#catalog-task', '');
  await page.fill('#catalog-search', '');

  // Hub ids: a bad one is named, a good one joins the selection.
  await page.fill('#hub-id', 'not a hub id');
  await page.click('#hub-add');
  expect(await visibleText('#hub-status')).toMatch(/"not a hub id" is not a hub id: it should look like ORG\/NAME/);
  await page.fill('#hub-id', 'Xenova/gpt2');
  await page.press('#hub-id', 'Enter');
  expect(await checked('#hub-list input')).toEqual(['hub:Xenova/gpt2']);
  expect(await visibleText('#selection')).toMatch(/Xenova\/gpt2|hub:Xenova\/gpt2/);
  await page.locator('#hub-list button', { hasText: 'remove' }).click();
  expect(await page.locator('#hub-list input').count()).toBe(0);
});

it('Full suite preset ticks every bundled model at every level it ships on the default backends; a file of yours joins the run', async () => {
  await page.click('[data-preset=full]');
  const bundled = await page.locator('#models input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(await checked('#catalog input[name=model]')).toEqual(bundled);
  expect(await checked('input[name=dtype]')).toEqual(['shipped']);
  expect(await page.locator('input[name=dtype][value=q4]').isDisabled()).toBe(true);
  // WebGPU here is SwiftShader: left out of the defaults, with the reason (a real GPU would be ticked too).
  await expect.poll(() => checked('input[name=device]')).toEqual(['wasm']);
  expect(await visibleText('#preset-status')).toMatch(
    /^Full suite: \d+ runs · ~[\d\w ]+\. Run starts it\.\s+WebGPU left out: the WebGPU adapter is google swiftshader, a CPU emulation/,
  );
  expect(await page.evaluate(() => window.ondevice.isRunning())).toBe(false);
  expect(await visibleText('#selection')).toMatch(new RegExp(`^${bundled.length} models × every level each ships × 1 backend`));

  await page.setInputFiles('#user-model', 'models/bundled/mlp-1m.onnx');
  await expect.poll(() => visibleText('#inspection'), { timeout: 30_000 }).toMatch(/parameters 1\.38 M/);
  expect(await page.locator('#user-model-use').isChecked()).toBe(true);
  expect(await visibleText('#selection')).toMatch(/mlp-1m\.onnx \(your file\)/);
  await shot('config-full');
  await page.locator('#user-model-use').uncheck();
  expect(await visibleText('#selection')).not.toMatch(/your file/);
});

it('Quick check preset, edited, runs with suite and run progress (ETA per backend and model size from the start) and lands in the history', async () => {
  await page.click('[data-preset=quick]');
  expect(await checked('#catalog input[name=model]')).toEqual(['mlp-1m']);
  expect(await checked('input[name=dtype]')).toEqual(['fp32']);
  expect(await checked('input[name=device]')).toEqual(['wasm']);
  expect(await page.inputValue('input[name=iterations]')).toBe('5');
  // Editable after the preset: 2 iterations, and q8 as well, so there is a second run to estimate.
  await page.fill('input[name=iterations]', '2');
  await page.fill('input[name=warmup]', '0');
  await page.locator('input[name=dtype][value=q8]').check();
  expect(await visibleText('#selection')).toMatch(/1 model × 2 levels × 1 backend → 2 runs/);
  await shot('config-quick');

  // Every text the progress lines show, as they change.
  await page.evaluate(() => {
    const seen: string[] = ((window as unknown as { __seen: string[] }).__seen = []);
    for (const id of ['progress-suite-text', 'progress-run-label']) {
      const node = document.getElementById(id)!;
      new MutationObserver(() => seen.push(`${id}: ${node.textContent}`)).observe(node, { childList: true, characterData: true, subtree: true });
    }
  });
  await page.click('#run');
  await expect.poll(() => visibleText('#progress-label'), { timeout: 60_000 }).toMatch(/^Done: 2 runs \(2 completed\) in \d+ s\.$/);
  const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
  // Estimated per backend and model size from the start, corrected by the runs that end.
  expect(seen).toContainEqual(expect.stringMatching(/^progress-suite-text: 0 of 2 runs · \d+ s elapsed · about \d+ s left$/));
  expect(seen).toContainEqual(expect.stringMatching(/^progress-suite-text: 1 of 2 runs · \d+ s elapsed · about \d+ s left$/));
  // Bytes as they arrive ("of N" where the server sends a length: Vite's preview compresses, so it may not).
  expect(seen).toContainEqual(expect.stringMatching(/^progress-run-label: mlp-1m \(fp32\) on wasm: downloading [\d.]+ (KiB|MiB)( of [\d.]+ (KiB|MiB))?$/));
  expect(seen).toContainEqual(expect.stringMatching(/^progress-run-label: mlp-1m \(q8\) on wasm: measuring \d\/2$/));
  expect(await visibleText('#progress-suite-text')).toMatch(/^2 of 2 runs · \d+ s elapsed · finished$/);
  expect(await page.locator('#progress-suite').evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([2, 2]);
  expect(await page.locator('#latest-table td[data-state]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-state')))).toEqual([
    'completed',
    'completed',
  ]);
  expect(await page.locator('#history-table tbody tr').count()).toBe(2);
  expect(await visibleText('#history-table')).toMatch(/mlp-1m/);
  // The setup the figures came from, under the results.
  expect(await visibleText('#latest-setup')).toMatch(/wasm on the plain CPU build; wasm compiled once by the page/);
  await shot('run-done');
});

it('Claims preset says what the ticked claims need and starts nothing; Run checks them through window.ondevice.checkClaims', async () => {
  // On a stand-in: the real check runs every claim's models, far too long for this test (claims.test.ts runs it for real).
  await page.evaluate(() => {
    const api = window.ondevice as unknown as { checkClaims: unknown; __claimsCalls: { only?: string[] }[] };
    api.__claimsCalls = [];
    api.checkClaims = async (options: { only?: string[] }) => {
      api.__claimsCalls.push(options);
      return { results: [], verdicts: [] };
    };
  });
  const ticked = await page.locator('#claims-table input[name=claim]:checked').count();
  expect(ticked).toBeGreaterThan(0);
  await page.click('[data-preset=claims]');
  await expect
    .poll(() => visibleText('#preset-status'))
    .toMatch(new RegExp(`^Claims: the ${ticked} ticked claims need \\d+ runs, about [\\d\\w ]+ on this device\\. Run starts them`));
  expect(await visibleText('#run-summary')).toMatch(/^Claims: \d+ runs · ~/);
  expect(await page.evaluate(() => (window.ondevice as unknown as { __claimsCalls: unknown[] }).__claimsCalls)).toHaveLength(0);
  expect(await page.evaluate(() => window.ondevice.isRunning())).toBe(false);
  await page.click('#run');
  await expect.poll(() => visibleText('#claims-status')).toMatch(/^0 verdict\(s\) from 0 run\(s\), logged in the history\./);
  const calls = await page.evaluate(() => (window.ondevice as unknown as { __claimsCalls: { only?: string[] }[] }).__claimsCalls);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.only).toHaveLength(ticked);
  // A stand-in that fails: the panel names the failure and the app keeps working.
  await page.evaluate(() => {
    (window.ondevice as unknown as { checkClaims: unknown }).checkClaims = async () => {
      throw new Error('stand-in failure');
    };
  });
  await page.click('#run');
  await expect.poll(() => visibleText('#claims-status')).toBe('The claims check failed: stand-in failure');
  // Editing the form leaves the Claims preset: Run runs the form again.
  await page.click('[data-preset=quick]');
  await expect.poll(() => visibleText('#run-summary')).toMatch(/^1 run · ~\d+ s/);
});

it('filters the history by level, state and date; a bad import shows its line and field problems', async () => {
  await page.selectOption('select[name=history-dtype]', 'q8');
  expect(await page.locator('#history-table tbody tr').count()).toBe(1);
  expect(await visibleText('#history-count')).toBe('1 of 2 runs shown');
  await page.selectOption('select[name=history-state]', 'completed');
  expect(await page.locator('#history-table tbody tr').count()).toBe(1);
  expect(await page.locator('select[name=history-state] option').allInnerTexts()).toEqual(['every state', 'completed']);
  await page.click('#history-reset');
  const today = await page.evaluate(() => new Date().toLocaleDateString('sv'));
  await page.fill('input[name=history-from]', today);
  expect(await page.locator('#history-table tbody tr').count()).toBe(2);
  await page.fill('input[name=history-from]', '2000-01-01');
  await page.fill('input[name=history-to]', '2000-12-31');
  expect(await visibleText('#history-table')).toBe('No logged run matches these filters.');
  await page.click('#history-reset');

  const good = (await page.evaluate(() => window.ondevice.exportJsonl())).split('\n')[0]!;
  const bad = JSON.stringify({ ...JSON.parse(good), id: 'bad-1', device: 'tpu' });
  await page.setInputFiles('#import', { name: 'mixed.jsonl', mimeType: 'application/json', buffer: Buffer.from([good, '{oops', bad].join('\n')) });
  await expect.poll(() => visibleText('#history-status')).toMatch(/^mixed\.jsonl: 0 runs imported, 1 already in the log, 2 lines rejected\./);
  const problems = await page.locator('#history-status li').allInnerTexts();
  expect(problems).toEqual([expect.stringMatching(/^line 2: not valid JSON/), expect.stringMatching(/^line 3: field "device": /)]);
  await page.selectOption('select[name=history-device]', 'wasm');
  await shot('history');
});

it('a share link re-creates the configuration; the page keeps its URL in step with the form', async () => {
  await page.goto(`${app.server.url}?models=tiny-llama,replica:gpt2&dtypes=fp32,q4&devices=wasm&engines=ort&iterations=3&warmup=0&threads=1&budget=none`);
  await page.waitForSelector('#replicas label.entry');
  expect(await checked('#catalog input[name=model]')).toEqual(['tiny-llama', 'replica:openai-community/gpt2']);
  expect(await checked('input[name=dtype]')).toEqual(['fp32', 'q4']);
  expect(await checked('input[name=device]')).toEqual(['wasm']);
  expect(await page.inputValue('select[name=engine]')).toBe('ort');
  expect(await page.inputValue('input[name=iterations]')).toBe('3');
  expect(await page.inputValue('input[name=threads]')).toBe('1');
  expect(await page.locator('#share-status').isVisible()).toBe(false);
  expect(await visibleText('#selection')).toMatch(/2 models × 2 levels × 1 backend → 4 runs/);
  // q4 meets wasm: the level picker says what that costs, and what to pick instead.
  expect(await visibleText('#level-notes')).toMatch(
    /^q4 on wasm: onnxruntime-web has no 4-bit kernel there, so MatMulNBits dequantizes every weight to fp32 on every call .*q4dq/,
  );
  // "Selected" finds what the link chose, wherever it is in the list.
  await page.click('#catalog-kind button[data-kind=selected]');
  expect(await visibleText('#catalog-kind button[data-kind=selected]')).toBe('Selected (2)');
  expect(await page.locator('#catalog label.entry:visible input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual([
    'tiny-llama',
    'replica:openai-community/gpt2',
  ]);
  expect(await page.inputValue('input[name=budget]')).toBe('');
  await shot('share');
  await page.click('#catalog-kind button[data-kind=""]');
  // Editing the form rewrites the URL, and the link says the same.
  await page.fill('input[name=iterations]', '4');
  const url = new URL(await page.evaluate(() => location.href));
  expect(url.searchParams.get('iterations')).toBe('4');
  expect(url.searchParams.get('models')).toBe('tiny-llama,replica:openai-community/gpt2');
  expect(await page.locator('#share-link').getAttribute('href')).toBe(url.href);
});

it('a bad share link names the bad value and the valid ones, and applies the rest', async () => {
  await page.goto(`${app.server.url}?models=mlp-1m&dtypes=fp32,q3&devices=wasm&iterations=2`);
  await page.waitForSelector('#replicas label.entry');
  // The bad value is named, and so is what the page's address now says instead: it is never rewritten silently.
  await expect
    .poll(async () => (await page.locator('#share-status li').allInnerTexts()).join('\n'))
    .toBe(
      [
        'Unknown level "q3" in the link (dtypes=). Should be one of: fp32, fp16, q8, int8, uint8, q4, q4dq, q4f16, bnb4, f32, f16, q8_0, q4_0, q4_k_m, shipped.',
        'The address bar now holds the setup as applied: dtypes=fp32,q3 → dtypes=fp32.',
      ].join('\n'),
    );
  expect(await checked('#catalog input[name=model]')).toEqual(['mlp-1m']);
  expect(await checked('input[name=dtype]')).toEqual(['fp32']);
  expect(await page.inputValue('input[name=iterations]')).toBe('2');
  await shot('share-bad');
  // A replica without a builder is named as such, not as unknown.
  await page.goto(`${app.server.url}?models=mlp-1m,replica:apple/DCLM-7B`);
  await page.waitForSelector('#replicas label.entry');
  await expect
    .poll(() => visibleText('#share-status'))
    .toMatch(
      /^Left out, no replica builder for their architecture yet: apple\/DCLM-7B\.\s+The address bar now holds the setup as applied: models=mlp-1m,replica:apple\/DCLM-7B → models=mlp-1m\.$/,
    );
  expect(await checked('#catalog input[name=model]')).toEqual(['mlp-1m']);
});

it('autorun=1 starts the shared run, and the URL then drops autorun', async () => {
  await page.goto(`${app.server.url}?models=mlp-1m&dtypes=fp32&devices=wasm&iterations=2&warmup=0&autorun=1`);
  await expect.poll(() => visibleText('#progress-label'), { timeout: 60_000 }).toMatch(/^Done: 1 run \(1 completed\)/);
  expect(new URL(await page.evaluate(() => location.href)).searchParams.has('autorun')).toBe(false);
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot('dark');
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe('rgb(244, 246, 249)');
  await page.setViewportSize({ width: 420, height: 900 });
  await shot('narrow-dark');
  // One column on a phone: the run panel sits under the catalog, nothing wider than the screen.
  const [catalogBox, setupBox] = await Promise.all([page.locator('#catalog').boundingBox(), page.locator('#setup').boundingBox()]);
  expect(setupBox!.y).toBeGreaterThan(catalogBox!.y + catalogBox!.height - 1);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
  await page.emulateMedia({ colorScheme: 'light' });
});
