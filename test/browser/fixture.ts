/**
 * What the browser test files share: the app, opened once per file (or per describe block) with an empty results
 * log, where what a test leaves running is aborted before the next test starts; and a file opened offline.
 */
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { openApp, type AppSession, type OpenAppOptions } from '../../src/cli/driver.ts';
import { AWAIT_THREAD_WORKERS_KEY } from '../../src/client/thread-workers.ts';

/** How long an aborted suite may take to end (its run's worker is terminated 3 s after the abort at the latest). */
const ABORT_WAIT_MS = 60_000;

/**
 * Abort the suite or thread calibration the page is running, if any, and wait until the controller is idle. A test
 * that timed out or failed mid-suite leaves it running: the next test's suite would be refused ("A suite is already
 * running"). A page that is closed, or is between two loads, runs nothing.
 */
export async function abortRunning(page: Page): Promise<void> {
  if (page.isClosed()) return;
  const aborted = await page.evaluate(() => typeof window.ondevice === 'object' && window.ondevice.abort()).catch(() => false);
  if (aborted) await page.waitForFunction(() => !window.ondevice.isRunning(), undefined, { timeout: ABORT_WAIT_MS });
}

/** Where a test's page may send requests: loopback (the app, a test's hub server) and the page's own blob:/data: URLs. */
export const onLoopback = (url: string): boolean => /^(blob|data):/.test(url) || ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

/** The app as a test file sees it: an AppSession opened in beforeAll and closed in afterAll. */
export type App = Omit<AppSession, 'close'>;

/**
 * Open the app (Chromium, the built app's server, one page) before the enclosing file's or describe block's first
 * test, with the results log cleared; abort what each test leaves running after it; close it all after the last,
 * failing the file if the page or its workers sent any request off loopback. The returned object reads the session
 * opened then, so it can be made at the top of a file.
 */
export function useApp(options: OpenAppOptions & { awaitThreadWorkers?: boolean } = {}): App {
  let session: AppSession | null = null;
  const current = (): AppSession => {
    if (!session) throw new Error('The app is not open: useApp() opens it in beforeAll, for the tests after it.');
    return session;
  };
  beforeAll(async () => {
    session = await openApp(options);
    await session.page.evaluate(() => window.ondevice.clearResults());
    // A run waits for the previous runs' thread workers to be gone (src/client/thread-workers.ts): ~2 s after every
    // threaded run, worth it for memory figures, minutes over this suite's hundreds of runs. Only the memory tests
    // keep it.
    if (options.awaitThreadWorkers !== true) await session.page.evaluate((key) => localStorage.setItem(key, 'off'), AWAIT_THREAD_WORKERS_KEY);
  });
  afterEach(async () => {
    if (session) await abortRunning(session.page);
  });
  afterAll(async () => {
    const offLoopback = session?.requests.filter((u) => !onLoopback(u)) ?? [];
    await session?.close();
    session = null;
    if (offLoopback.length) throw new Error(`The app sent ${offLoopback.length} request(s) off loopback: ${offLoopback.slice(0, 5).join(', ')}`);
  });
  return {
    get browser() {
      return current().browser;
    },
    get marker() {
      return current().marker;
    },
    get page() {
      return current().page;
    },
    get server() {
      return current().server;
    },
    get requests() {
      return current().requests;
    },
    runSuite: (plan) => current().runSuite(plan),
    measureRoofline: (device, opts) => current().measureRoofline(device, opts),
  };
}

export interface OfflinePage {
  page: Page;
  url: string;
  /** Every request the page made, its own file included (`request` also sees data: and blob: ones). */
  requests: string[];
  /** Uncaught errors and console errors. */
  errors: string[];
}

/**
 * Open a local file in a new page (its own context) with every request but the file's own blocked and recorded:
 * how a report must work with no network. Close it with `page.close()`.
 */
export async function openOffline(browser: Browser, file: string, viewport?: { width: number; height: number }): Promise<OfflinePage> {
  const url = pathToFileURL(file).href;
  const page = await browser.newPage(viewport ? { viewport } : {});
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('request', (r) => requests.push(r.url()));
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort('blockedbyclient')));
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, requests, errors };
}
