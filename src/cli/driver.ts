/** Driving the real app in headless Chromium: the CLI and the browser tests share this. */
import type { Browser, Page } from 'playwright-core';
import type { Controller } from '../client/controller.ts';
import type { SuiteEvent } from '../client/suite.ts';
import type { SuitePlan } from '../core/plan.ts';
import type { RooflineDevice, RooflineOptions, RooflineResult } from '../core/roofline.ts';
import type { RunResult } from '../core/schema.ts';
import { launchChromium } from './browser.ts';
import { startAppServer, type AppServer } from './serve.ts';

declare global {
  interface Window {
    ondevice: Controller;
    __ondeviceEvent?: (e: SuiteEvent) => void;
  }
}

export interface AppSession {
  browser: Browser;
  /** The switch that marks this launch's Chromium processes (for OS memory sampling). */
  marker: string;
  page: Page;
  server: AppServer;
  /** Every URL the page and its workers requested, for the loopback-only check. */
  requests: string[];
  runSuite(plan: SuitePlan | SuitePlan[]): Promise<RunResult[]>;
  /** A fresh roofline measurement of one backend (also kept as this browser's cached figure). */
  measureRoofline(device: RooflineDevice, options?: Omit<RooflineOptions, 'device'>): Promise<RooflineResult>;
  close(): Promise<void>;
}

export async function openApp(options: { onEvent?: (e: SuiteEvent) => void; server?: AppServer; webgpu?: boolean } = {}): Promise<AppSession> {
  const server = options.server ?? (await startAppServer());
  let browser: Browser | null = null;
  try {
    const marker = crypto.randomUUID();
    browser = await launchChromium(marker, { webgpu: options.webgpu });
    const context = await browser.newContext();
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    let onEvent = options.onEvent;
    await page.exposeFunction('__ondeviceEvent', (e: SuiteEvent) => onEvent?.(e));
    await page.goto(server.url);
    await page.waitForFunction(() => typeof window.ondevice === 'object');
    // Forward the controller's events to Node; installed once per page load.
    const forward = () => page.evaluate(() => void window.ondevice.subscribe((e) => window.__ondeviceEvent?.(e)));
    await forward();
    page.on('load', () => void forward().catch(() => undefined));
    const b = browser;
    return {
      browser: b,
      marker,
      page,
      server,
      requests,
      runSuite: (plan) => page.evaluate((p) => window.ondevice.runSuite(p), plan),
      measureRoofline: (device, opts = {}) => page.evaluate(([d, o]) => window.ondevice.roofline(d, { ...o, refresh: true }), [device, opts] as const),
      async close() {
        onEvent = undefined;
        await b.close();
        if (!options.server) await server.close();
      },
    };
  } catch (err) {
    await browser?.close();
    if (!options.server) await server.close();
    throw err;
  }
}
