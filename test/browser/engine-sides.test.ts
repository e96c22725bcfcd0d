// The engines side by side in the app's results, in real Chromium: tiny-llama at q8 and q8_0 with --engine auto runs
// on onnxruntime-web and transformers.js at q8 and on wllama at q8_0, and the results show one 8-bit row with the
// three engines' figures and the fastest one named.
import { expect, it } from 'vitest';
import { useApp } from './fixture.ts';

const app = useApp();

it('shows ort, transformers.js and wllama side by side for tiny-llama at 8 bits', async () => {
  const page = app.page;
  await page.goto(`${app.server.url}?models=tiny-llama&dtypes=q8,q8_0&devices=wasm&engines=auto&iterations=1&warmup=0&threads=1&budget=none`);
  await page.waitForSelector('#run-form');
  await page.evaluate(() => (document.getElementById('run-form') as HTMLFormElement).requestSubmit());
  await expect.poll(() => page.locator('#latest-table td[data-state]').count(), { timeout: 60_000 }).toBe(3);
  await page.waitForFunction(() => !window.ondevice.isRunning());
  const table = page.locator('#latest-table table.engine-sides');
  const head = await table.locator('thead th').allTextContents();
  expect(head.slice(0, 4)).toEqual(['model', 'backend', 'weights', 'ort level']);
  expect(head).toEqual(expect.arrayContaining(['tjs decode tok/s', 'wllama decode tok/s', 'wllama TTFT', 'fastest decode']));
  const cells = await table.locator('tbody tr').first().locator('th, td').allTextContents();
  expect(cells.slice(0, 3)).toEqual(['tiny-llama', 'wasm', '8-bit']);
  // Each engine's level, then a figure in every column.
  expect([cells[3], cells[7], cells[11]]).toEqual(['q8', 'q8', 'q8_0']);
  for (const i of [4, 8, 12]) expect(cells[i]).toMatch(/^[\d.]+$/);
  expect(cells.at(-1)).toMatch(/^(onnxruntime-web q8|transformers\.js q8|wllama \(llama\.cpp\) q8_0), [\d.]+× the slowest$/);
  expect(await table.locator('tbody tr').count()).toBe(1);
});
