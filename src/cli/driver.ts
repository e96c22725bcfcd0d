/** Driving the real app in headless Chromium: the CLI and the browser tests share this. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Controller } from '../client/controller.ts';
import type { SuiteEvent } from '../client/suite.ts';
import type { SuitePlan } from '../core/plan.ts';
import type { RooflineDevice, RooflineOptions, RooflineResult } from '../roofline/roofline.ts';
import type { RunResult } from '../core/schema.ts';
import { launchChromium, launchChromiumProfile } from './browser.ts';
import { startAppServer, type AppServer } from './serve.ts';

declare global {
  interface Window {
    ondevice: Controller;
    __ondeviceEvent?: (e: SuiteEvent) => void;
  }
}

export interface AppSession {
  browser: Browser;
  /**
   * The switch that marks this launch's Chromium processes (for OS memory sampling). A browser we connected to
   * runs elsewhere: its processes carry no marker and sampling finds none.
   */
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

export interface OpenAppOptions {
  onEvent?: (e: SuiteEvent) => void;
  server?: AppServer;
  webgpu?: boolean;
  /** An already connected browser (a remote one, `--connect`) instead of launching Chromium here; left running on close. */
  browser?: Browser;
  /** For the server openApp starts (none given): the hub host and other origins its CSP lets the page fetch from. */
  hubHost?: string;
  connect?: readonly string[];
  /** How long the page may take to load and expose window.ondevice (default 30 s). */
  loadTimeoutMs?: number;
  /**
   * Launch Chromium on this profile folder (its storage on disk, src/cli/profile.ts) instead of opening a fresh
   * off-the-record context, whose storage is in memory. Not with `browser`.
   */
  profileDir?: string;
}

/** The page did not load from the app's URL, or loaded without the automation entry. */
export class AppLoadError extends Error {
  override name = 'AppLoadError';
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`could not load the app from ${url}: ${reason}`);
  }
}

/** Playwright's errors carry a call log after the first line; one line is what a person needs. */
export const firstLine = (err: unknown): string =>
  String((err as Error)?.message ?? err)
    .split('\n')[0]!
    .replace(/^[\w.]+: /, '');

async function loadApp(page: Page, url: string, timeout: number): Promise<void> {
  const response = await page.goto(url, { timeout }).catch((err: unknown) => {
    throw new AppLoadError(url, firstLine(err));
  });
  if (response && !response.ok()) throw new AppLoadError(url, `HTTP ${response.status()} ${response.statusText()}`);
  await page
    .waitForFunction(() => typeof window.ondevice === 'object', undefined, { timeout })
    .catch((err: unknown) => {
      if (page.isClosed()) throw err;
      throw new AppLoadError(
        url,
        `the page loaded but window.ondevice did not appear within ${Math.round(timeout / 1000)} s (is that URL this app, built with \`npm run build\`?)`,
      );
    });
}

export async function openApp(options: OpenAppOptions = {}): Promise<AppSession> {
  const server = options.server ?? (await startAppServer({ hubHost: options.hubHost, connect: options.connect }));
  let browser: Browser | null = options.browser ?? null;
  const launched = !options.browser;
  let context: BrowserContext | null = null;
  let ownContext = true;
  try {
    const marker = crypto.randomUUID();
    if (launched && options.profileDir) {
      context = await launchChromiumProfile(options.profileDir, marker, { webgpu: options.webgpu });
      browser = context.browser()!;
    } else {
      browser ??= await launchChromium(marker, { webgpu: options.webgpu });
      // Some CDP endpoints (device clouds) refuse new contexts: use the browser's own one there, and leave it open.
      const b0 = browser;
      context = await b0.newContext().catch((err: unknown) => {
        const existing = b0.contexts()[0];
        if (launched || !existing) throw err;
        ownContext = false;
        return existing;
      });
    }
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    // A profile's context opens with a blank page: the app goes there (a connected browser's pages are not ours).
    const page = (launched && options.profileDir ? context.pages()[0] : undefined) ?? (await context.newPage());
    let onEvent = options.onEvent;
    await page.exposeFunction('__ondeviceEvent', (e: SuiteEvent) => onEvent?.(e));
    await loadApp(page, server.url, options.loadTimeoutMs ?? 30_000);
    // Forward the controller's events to Node; installed once per page load.
    const forward = () => page.evaluate(() => void window.ondevice.subscribe((e) => window.__ondeviceEvent?.(e)));
    await forward();
    page.on('load', () => void forward().catch(() => undefined));
    const b = browser;
    const c = context;
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
        // A connected browser is someone else's: close what we opened in it and disconnect.
        if (!launched && ownContext) await c.close().catch(() => undefined);
        // A profile's context is the browser: closing it flushes the profile and ends Chromium.
        if (launched && options.profileDir) await c.close();
        await b.close();
        if (!options.server) await server.close();
      },
    };
  } catch (err) {
    if (launched) await (options.profileDir && context ? context.close() : browser?.close());
    else if (ownContext) await context?.close().catch(() => undefined);
    if (!options.server) await server.close();
    throw err;
  }
}
