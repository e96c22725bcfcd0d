// The claims flow in real Chromium: the app's claims panel (tick claims, a threshold typed as text, check them on
// this device, the report downloaded and opened with no network, result files compared side by side), and the CLI's
// `--suite claims --report` and `ondevice report` on files, with their bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bench } from '../../src/cli/bench.ts';
import type { RunResult } from '../../src/core/schema.ts';
import { parseJsonl, toJsonl } from '../../src/store/export.ts';
import { runAnchor } from '../../src/report/report.ts';
import { openOffline, useApp } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-claims-'));
const app = useApp();
let checked: RunResult[] = [];

const verdictOf = (claim: string, column = 0) => app.page.locator(`#claims-table tr[data-claim="${claim}"] .verdict`).nth(column).textContent();

describe('the claims panel', () => {
  it('names a threshold typed as text, then checks the ticked claims on this device and shows their verdicts', async () => {
    const { page } = app;
    await page.waitForSelector('#claims-table tr[data-claim="mobilenet-on-device"]');
    // Only two claims: MobileNetV2 at fp32 and q8 (two replica runs), and one no run can speak to.
    for (const box of await page.locator('#claims-table input[name=claim]').all()) {
      const id = await box.getAttribute('value');
      if (id !== 'mobilenet-on-device' && id !== 'slm-99pct') await box.uncheck();
    }
    const p50 = page.locator('#claims-table input[data-threshold="mobilenet-on-device.p50Ms"]');
    await p50.fill('fast');
    await page.click('#claims-check');
    await expect.poll(() => page.locator('#claims-status').textContent()).toContain('Threshold "mobilenet-on-device.p50Ms" needs a number');
    expect(await p50.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => window.ondevice.isRunning())).toBe(false);

    // A bar this device meets whatever its speed: the verdict then turns on the model's sizes (14 MB fp32, 3.6 MB q8).
    await p50.fill('100000');
    await page.click('#claims-check');
    await expect.poll(() => page.locator('#claims-status').textContent(), { timeout: 180_000 }).toMatch(/2 verdict\(s\) from 2 run\(s\)/);
    expect(await verdictOf('mobilenet-on-device')).toBe('held');
    expect(await verdictOf('slm-99pct')).toBe('not measurable');
    expect(await page.locator('#claims-table tr[data-claim="mobilenet-on-device"]').textContent()).toContain('≤ 100000 ms');
    await page.locator('#claims').screenshot({ path: '.scratch/claims-panel.png' });
    checked = await page.evaluate(() => window.ondevice.results());
    expect(checked.map((r) => `${r.model.id} ${r.model.dtype} ${r.state}`)).toEqual([
      'replica:torchvision/mobilenet_v2 fp32 completed',
      'replica:torchvision/mobilenet_v2 q8 completed',
    ]);
  }, 240_000);

  it('downloads a report that opens with no network and shows the verdicts, the threshold used and the runs', async () => {
    const [download] = await Promise.all([app.page.waitForEvent('download'), app.page.click('#claims-html')]);
    const file = join(dir, 'report.html');
    await download.saveAs(file);
    const { page, url, requests } = await openOffline(app.browser, file);
    try {
      expect(requests).toEqual([url]);
      const text = (await page.textContent('body')) ?? '';
      expect(text).toContain('mobilenet-on-device');
      expect(text).toContain('≤ 100000 ms');
      for (const r of checked) expect(await page.locator(`[id="${runAnchor(r.id)}"]`).count()).toBe(1);
      // Chart.js is inlined and drew.
      expect(await page.evaluate(() => Object.keys((window as unknown as { Chart: { instances: object } }).Chart.instances).length)).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('compares two result files side by side, keeping two files from the same device apart and saying so', async () => {
    const a = join(dir, 'laptop.jsonl');
    const b = join(dir, 'laptop-again.jsonl');
    writeFileSync(a, toJsonl(checked));
    // The same device again: other run ids, and a line that is not a run record.
    writeFileSync(b, toJsonl(checked.map((r) => ({ ...r, id: `${r.id}-again` }))) + '{"schema":"ondevice.run/0"}\n');
    await app.page.setInputFiles('#claims-files', [a, b]);
    await expect.poll(() => app.page.locator('#claims-status').textContent()).toContain('come from the same device');
    const status = (await app.page.locator('#claims-status').textContent()) ?? '';
    expect(status).toMatch(/laptop-again\.jsonl: line 3: field "schema"/);
    expect(await app.page.locator('#claims-table thead th').allTextContents()).toEqual(expect.arrayContaining(['D1', 'D2']));
    expect(await verdictOf('mobilenet-on-device', 1)).toBe('held');
  }, 60_000);
});

describe('the CLI', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['bin/ondevice.js', ...args], { encoding: 'utf8', timeout: 120_000 });

  it('--suite claims --claim ID runs what that claim needs and writes the Markdown report with its verdict', async () => {
    const out = join(dir, 'claims.jsonl');
    const report = join(dir, 'claims.md');
    const code = await bench({
      suite: 'claims',
      claim: ['mobilenet-on-device'],
      threshold: ['mobilenet-on-device.p50Ms=100000'],
      model: [],
      iterations: 20,
      warmup: 2,
      input: [],
      repeat: 1,
      out,
      report,
      quiet: true,
    });
    expect(code).toBe(0);
    const { results } = parseJsonl(readFileSync(out, 'utf8'));
    expect(results.map((r) => r.model.dtype)).toEqual(['fp32', 'q8']);
    // The claim's own workload (5 timed iterations), not the flags' 20.
    expect(results[0]!.timings.latency!.n).toBe(5);
    const md = readFileSync(report, 'utf8');
    expect(md).toMatch(/\| *`?mobilenet-on-device`?.*held/);
    expect(md).toContain('≤ 100000 ms');
    for (const r of results) expect(md).toContain(r.id);
  }, 180_000);

  it('ondevice report judges files; bad input is one line naming it and what would be valid', () => {
    const good = join(dir, 'claims.jsonl');
    const p = cli(['report', '--in', good, '--claim', 'mobilenet-on-device', '--report', join(dir, 'files.html')]);
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/mobilenet-on-device\s*│\s*(held|not-held)/);
    expect(readFileSync(join(dir, 'files.html'), 'utf8')).toContain('<canvas');

    const bad = cli(['report', '--in', good, '--threshold', 'mobilenet-on-device.p50Ms=fast']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('ondevice: Threshold "mobilenet-on-device.p50Ms" needs a number (e.g. mobilenet-on-device.p50Ms=40); got "fast".');
    const missing = cli(['report', '--in', join(dir, 'nope.jsonl')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--in ".*nope\.jsonl": cannot read it \(ENOENT\)/);
    const other = join(dir, 'other-schema.jsonl');
    writeFileSync(other, '{"schema":"ondevice.run/2","id":"x"}\n');
    const wrong = cli(['report', '--in', other]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/other-schema\.jsonl: line 1: field "schema"/);
    expect(wrong.stderr).toMatch(/holds no valid run record/);
    const kind = cli(['report', '--in', good, '--report', join(dir, 'r.pdf')]);
    expect(kind.status).toBe(2);
    expect(kind.stderr).toContain('the report is HTML or Markdown');
    const claim = cli(['--suite', 'claims', '--claim', 'mobilenet']);
    expect(claim.status).toBe(2);
    expect(claim.stderr).toMatch(/Unknown claim "mobilenet". Should be one of: cnn-shrink-100x/);
  }, 120_000);
});
