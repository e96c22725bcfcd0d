// The HTML report opened from a file in real headless Chromium, every request blocked and recorded: it makes none,
// its inlined Chart.js draws every chart, the claims table shows, and run links land on their rows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/cli/browser.ts';
import { readChartJsSource } from '../../src/cli/report-assets.ts';
import { CLAIMS, oneDevice, twoDevices } from '../fixtures/report-input.ts';
import { renderReportHtml } from '../../src/report/report.ts';
import type { ReportInput } from '../../src/report/model.ts';
import { openOffline, type OfflinePage } from './fixture.ts';

const SCRATCH = resolve('.scratch');
const chartJs = readChartJsSource();

let browser: Browser;
beforeAll(async () => {
  mkdirSync(SCRATCH, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => browser?.close());

/** Write the report to .scratch/NAME.html and open it with every request but the file's own blocked and recorded. */
function open(name: string, input: ReportInput, width = 1360): Promise<OfflinePage> {
  const file = join(SCRATCH, `${name}.html`);
  writeFileSync(file, renderReportHtml(input));
  return openOffline(browser, file, { width, height: 900 });
}

/** Chart.js's instances, and per canvas whether any pixel was painted. */
const drawn = (page: Page) =>
  page.evaluate(() => {
    const canvases = [...document.querySelectorAll('canvas')];
    const painted = canvases.map((c) => {
      const ctx = c.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    const Chart = (window as unknown as { Chart?: { instances: Record<string, unknown> } }).Chart;
    return { instances: Chart ? Object.keys(Chart.instances).length : -1, canvases: canvases.length, painted };
  });

describe('one device', () => {
  let o: OfflinePage;
  beforeAll(async () => {
    o = await open('report', oneDevice(chartJs));
  });
  afterAll(async () => o?.page.close());

  it('makes no request but for the file itself, and throws nothing', () => {
    expect(o.requests).toEqual([o.url]);
    expect(o.errors).toEqual([]);
  });

  it('draws every chart with the inlined Chart.js', async () => {
    const d = await drawn(o.page);
    expect(d.canvases).toBe(8);
    expect(d.instances).toBe(8);
    // A drawn chart paints axes, labels and data: thousands of pixels, not a blank canvas.
    for (const n of d.painted) expect(n).toBeGreaterThan(2000);
    expect(await o.page.locator('.chart-missing').count()).toBe(0);
  });

  it('shows the claims table, a row per claim with a coloured badge', async () => {
    const rows = o.page.locator('table.claims tbody tr');
    expect(await rows.count()).toBe(CLAIMS.length);
    for (const c of CLAIMS) expect(await o.page.locator(`tr[data-claim-id="${c.id}"]`).isVisible()).toBe(true);
    const colours = await o.page.$$eval('table.claims .badge', (els) => [
      ...new Set(els.map((e) => getComputedStyle(e).backgroundColor + '|' + getComputedStyle(e).color)),
    ]);
    expect(colours.length).toBeGreaterThanOrEqual(4);
    // The escaped model name is text on the page, not an element.
    expect(await o.page.locator('table.runs img').count()).toBe(0);
    expect(await o.page.locator('table.runs').innerText()).toContain('<img src=x onerror=alert(1)>');
  });

  it('run links scroll to their row', async () => {
    const link = o.page.locator('table.claims a.run-link').first();
    const target = (await link.getAttribute('href'))!;
    await link.click();
    expect(await o.page.evaluate(() => location.hash)).toBe(target);
    expect(await o.page.locator(target).isVisible()).toBe(true);
    expect(
      await o.page.evaluate((t) => {
        const r = document.querySelector(t)!.getBoundingClientRect();
        return r.top >= 0 && r.top < innerHeight;
      }, target),
    ).toBe(true);
    await o.page.evaluate(() => {
      history.replaceState(null, '', location.pathname);
      scrollTo(0, 0);
    });
  });

  it('looks right (screenshot in .scratch/report.png)', async () => {
    await o.page.screenshot({ path: join(SCRATCH, 'report.png'), fullPage: true });
    // A phone-width view must not overflow the page sideways (tables scroll inside their box).
    await o.page.setViewportSize({ width: 420, height: 900 });
    // Chart.js resizes its canvases from a ResizeObserver: give it a moment before measuring.
    await o.page.waitForTimeout(300);
    const overflow = await o.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await o.page.screenshot({ path: join(SCRATCH, 'report-narrow.png'), fullPage: false });
  });
});

it('two devices: a verdict column each, charts overlaying both', async () => {
  const o = await open('report-two', twoDevices(chartJs));
  try {
    expect(o.requests).toEqual([o.url]);
    expect(o.errors).toEqual([]);
    expect(await o.page.locator('table.claims thead th.device-col').count()).toBe(2);
    expect(await o.page.locator('tr[data-claim-id="mobilenet-on-device"] td.verdict').count()).toBe(2);
    const d = await drawn(o.page);
    expect(d.instances).toBe(d.canvases);
    const labels = await o.page.evaluate(() => {
      const Chart = (window as unknown as { Chart: { instances: Record<string, { data: { datasets: { label: string }[] } }> } }).Chart;
      return Object.values(Chart.instances).flatMap((c) => c.data.datasets.map((s) => s.label));
    });
    expect(labels.some((l) => l.startsWith('D1 · '))).toBe(true);
    expect(labels.some((l) => l.startsWith('D2 · '))).toBe(true);
    expect(await o.page.locator('figure.chart').first().innerText()).toContain('16 cores');
    await o.page.screenshot({ path: join(SCRATCH, 'report-two.png'), fullPage: true });
  } finally {
    await o.page.close();
  }
});

it('without Chart.js: the tables render and each chart place says so', async () => {
  const o = await open('report-nocharts', oneDevice(null));
  try {
    expect(o.requests).toEqual([o.url]);
    expect(await o.page.locator('canvas').count()).toBe(0);
    expect(await o.page.locator('.chart-missing', { hasText: 'charts need Chart.js' }).count()).toBe(8);
    expect(await o.page.locator('table.claims tbody tr').count()).toBe(CLAIMS.length);
    expect(await o.page.locator('table.runs tbody tr[data-run-id]').count()).toBe(10);
  } finally {
    await o.page.close();
  }
});
