// Nothing injected, nothing sent. Records whose free-text fields hold markup and script are imported through the app's
// own file input (its file name too) and shown in the history, the claims panel and the HTML report the app makes:
// nothing runs and nothing becomes an element. The app is served with its Content-Security-Policy, which refuses
// inline script and other origins. The default suite, a user's file and the report run with every request of the
// page and its workers intercepted: any that is not the app's own origin is aborted and recorded.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { defaultDevices } from '../../src/core/capabilities.ts';
import { RunResultSchema, type RunResult } from '../../src/core/schema.ts';
import { oneDevice } from '../fixtures/report-input.ts';
import { openOffline, useApp } from './fixture.ts';

const app = useApp();

/** Markup that would run script or add an element if any view parsed it as HTML. */
const evil = (tag: string) => `<img src=x onerror="window.__pwned.push('${tag}')"><script>window.__pwned.push('${tag}')</script><b class="injected">${tag}</b>`;

/** Real-shaped records with markup in the free-text fields the views show: model id, error, user agent, adapter, remote label. */
function evilRecords(): RunResult[] {
  const a = oneDevice(null).devices[0]!.results.find((r) => r.model.source === 'bundled' && Number.isInteger(r.model.bytes))!;
  const b = a;
  const env = { ...a!.env!, userAgent: evil('ua'), webgpu: { ...a!.env!.webgpu!, vendor: evil('vendor'), description: evil('adapter') } };
  const completed = {
    ...a!,
    id: 'evil-completed',
    model: { ...a!.model, id: evil('model') },
    env,
    remote: { label: evil('label'), endpoint: evil('endpoint') },
  };
  const errored = {
    ...b!,
    id: 'evil-errored',
    state: 'errored' as const,
    model: { ...b!.model, id: evil('model2') },
    error: { name: evil('error-name'), message: evil('error-message') },
    env,
  };
  return [completed, errored].map((r) => RunResultSchema.parse(r));
}

/** What an injection would leave in a document: pushed marks, images with src=x, injected elements. */
const traces = (page: Page) =>
  page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: string[] }).__pwned ?? [],
    images: document.querySelectorAll('img[src="x"]').length,
    injected: document.querySelectorAll('.injected').length,
    scripts: [...document.scripts].filter((s) => s.textContent?.includes('__pwned')).length,
  }));

const offOrigin: string[] = [];
const routed: string[] = [];
let origin: string;
beforeAll(async () => {
  origin = new URL(app.page.url()).origin;
  const context = app.page.context();
  await context.route('**/*', (route) => {
    const url = route.request().url();
    routed.push(url);
    if (new URL(url).origin === origin) return route.continue();
    offOrigin.push(url);
    return route.abort('blockedbyclient');
  });
  // Anything an injection runs, and every policy violation, is recorded from the document's start.
  await context.addInitScript(() => {
    const w = window as unknown as { __pwned: string[]; __violations: string[] };
    w.__pwned = [];
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
  const response = await app.page.reload();
  await app.page.waitForFunction(() => typeof window.ondevice === 'object');
  expect(response!.headers()['content-security-policy']).toMatch(/^default-src 'self'; script-src 'self' 'wasm-unsafe-eval';/);
});

const violations = () => app.page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);

it('imported records with markup and script in their fields are shown as text in the history, the claims and the report', async () => {
  const records = evilRecords();
  const fileName = `<img src=x onerror="window.__pwned.push('file')">.jsonl`;
  await app.page
    .locator('#import')
    .setInputFiles({ name: fileName, mimeType: 'application/x-ndjson', buffer: Buffer.from(records.map((r) => JSON.stringify(r)).join('\n')) });
  await expect.poll(() => app.page.locator('#history-status').textContent()).toContain('2 runs imported');
  expect(await app.page.locator('#history-status').textContent()).toContain(fileName);
  const history = (await app.page.locator('#history-table').textContent())!;
  expect(history).toContain(evil('model'));
  expect(history).toContain(evil('error-message'));
  // The history's filters list the model ids as options, as text.
  expect(await app.page.locator('select[name=history-model] option').allTextContents()).toContain(evil('model'));

  // Judged in the claims panel (device labels come from the user agent), then downloaded as the HTML report.
  await app.page.locator('#claims-log').click();
  await expect.poll(() => app.page.locator('#claims-html').isEnabled()).toBe(true);
  const [download] = await Promise.all([app.page.waitForEvent('download'), app.page.locator('#claims-html').click()]);
  expect(await traces(app.page)).toEqual({ pwned: [], images: 0, injected: 0, scripts: 0 });
  expect(await violations()).toEqual([]);

  // Under a .html name, or Chromium shows it as text.
  const file = join(mkdtempSync(join(tmpdir(), 'ondevice-report-')), 'report.html');
  await download.saveAs(file);
  expect(readFileSync(file, 'utf8')).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
  const report = await openOffline(app.browser, file);
  try {
    expect(await report.page.evaluate(() => document.contentType)).toBe('text/html');
    await report.page.evaluate(() => ((window as unknown as { __pwned: string[] }).__pwned ??= []));
    expect(await traces(report.page)).toEqual({ pwned: [], images: 0, injected: 0, scripts: 0 });
    const text = (await report.page.locator('body').textContent())!;
    expect(['model', 'error-message'].filter((tag) => !text.includes(evil(tag)))).toEqual([]);
    expect(report.requests).toEqual([report.url]);
    // A blocked inline script or style would be a console error here (the report's CSP allows its own by hash).
    expect(report.errors).toEqual([]);
  } finally {
    await report.page.close();
  }
});

it("the app's CSP refuses inline script and requests to other origins", async () => {
  const outcome = await app.page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = "window.__pwned.push('inline')";
    document.body.append(s);
    const fetched = await fetch('https://example.com/ondevice-csp-probe').then(
      () => 'fetched',
      (e: Error) => e.name,
    );
    await new Promise((r) => setTimeout(r, 100));
    return { fetched, pwned: (window as unknown as { __pwned: string[] }).__pwned };
  });
  expect(outcome).toEqual({ fetched: 'TypeError', pwned: [] });
  const seen = await violations();
  expect(seen).toContain('script-src-elem inline');
  expect(seen).toContain('connect-src https://example.com/ondevice-csp-probe');
  // Refused by the policy before any request was made.
  expect(offOrigin).toEqual([]);
  await app.page.evaluate(() => ((window as unknown as { __violations: string[] }).__violations.length = 0));
});

it('the default suite and a user file make no request off the app’s origin, and break no policy', async () => {
  await app.page.evaluate(() => window.ondevice.clearResults());
  const catalog = await app.page.evaluate(() => window.ondevice.catalog());
  const { devices } = defaultDevices(await app.page.evaluate(() => window.ondevice.capabilities()));
  // The CLI's default suite (every bundled model, fp32, the device's default backends, both engines where they apply), kept short.
  const results = await app.runSuite({
    models: catalog.models.map((m) => m.id),
    devices,
    dtypes: ['fp32'],
    engines: 'auto',
    workload: { iterations: 1, warmup: 1, warmupCapMs: 0, numThreads: 1 },
  });
  expect(results.length).toBeGreaterThanOrEqual(catalog.models.length);
  for (const r of results) expect(r.state, `${r.model.id} ${r.engine}: ${r.error?.message}`).toBe('completed');
  expect(results.some((r) => r.engine === 'transformers')).toBe(true);
  // Parameters and FLOPs are counted after each run by parsing the model in a worker: the policy let it.
  expect(results.filter((r) => r.model.params === null).map((r) => `${r.model.id} ${r.engine}: ${r.model.flopsBasis}`)).toEqual([]);

  // A user's file: read, inspected and run in the page's workers; its bytes go nowhere.
  const before = routed.length;
  await app.page.locator('#user-model').setInputFiles('models/bundled/mlp-1m.onnx');
  // Inspected in the run worker, whose policy allows protobufjs's generated decoders (the page's refuses eval).
  await expect.poll(() => app.page.locator('#inspection').textContent(), { timeout: 60_000 }).toMatch(/parameters 1\.38 M/);
  const uploads = routed.slice(before).filter((u) => !/\.(js|mjs|wasm|json|css)$/.test(new URL(u).pathname));
  expect(uploads).toEqual([]);

  // Every request went through the interception (the workers' model and wasm fetches too), none off the origin.
  expect(routed.some((u) => u.endsWith('.onnx'))).toBe(true);
  expect(routed.some((u) => u.endsWith('.wasm'))).toBe(true);
  expect(offOrigin).toEqual([]);
  expect(await violations()).toEqual([]);
});
