/**
 * A page in headless Chromium that can call the roofline client, for bench/roofline.ts and the browser test.
 *
 * NOTE: until the app exposes the roofline on `window.ondevice`, the built app (dist/, what src/cli/driver.ts opens)
 * has no way to reach it; so this serves the source with a Vite dev server (same vite.config.ts: COOP/COEP headers,
 * workers as ES modules) and a one-line page that imports src/client/roofline-client.ts. Nothing is built.
 */
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import type { RooflineDevice, RooflineOptions, RooflineProgress, RooflineResult } from '../core/roofline.ts';
import { CHROMIUM_FLAGS, findChromium, NoChromiumError } from './browser.ts';
import { ROOT } from './serve.ts';

const PAGE_PATH = '/__roofline.html';

const PAGE_HTML = `<!doctype html>
<meta charset="utf-8">
<title>ondevice roofline</title>
<script type="module">
  import * as client from '/src/client/roofline-client.ts';
  window.__roofline = client;
</script>`;

declare global {
  interface Window {
    __roofline?: typeof import('../client/roofline-client.ts');
    __rooflineProgress?: (device: RooflineDevice, p: RooflineProgress) => void;
  }
}

export interface RooflinePage {
  page: Page;
  browser: Browser;
  measure(device: RooflineDevice, options?: Omit<RooflineOptions, 'device'>): Promise<RooflineResult>;
  close(): Promise<void>;
}

const pagePlugin: Plugin = {
  name: 'ondevice-roofline-page',
  configureServer(server) {
    server.middlewares.use(PAGE_PATH, (_req, res) => {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      res.end(PAGE_HTML);
    });
  },
};

export async function openRooflinePage(
  options: { onProgress?: (device: RooflineDevice, p: RooflineProgress) => void; webgpu?: boolean } = {},
): Promise<RooflinePage> {
  const executablePath = findChromium();
  if (!executablePath) throw new NoChromiumError();
  const server: ViteDevServer = await createServer({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    // Its own dependency cache, so a dev server someone else runs in this tree is not disturbed.
    cacheDir: join(ROOT, 'node_modules/.vite-roofline'),
    plugins: [pagePlugin],
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    optimizeDeps: { include: ['comlink'], entries: [] },
  });
  let browser: Browser | null = null;
  try {
    await server.listen();
    const address = server.httpServer?.address();
    if (!address || typeof address === 'string') throw new Error('the dev server did not report its port');
    // webgpu: false leaves out --enable-unsafe-webgpu, which is how a browser without WebGPU is tested here.
    const args = CHROMIUM_FLAGS.filter((f) => options.webgpu !== false || f !== '--enable-unsafe-webgpu');
    browser = await chromium.launch({ executablePath, headless: true, args });
    const page = await browser.newPage();
    await page.exposeFunction('__rooflineProgress', (device: RooflineDevice, p: RooflineProgress) => options.onProgress?.(device, p));
    await page.goto(`http://127.0.0.1:${address.port}${PAGE_PATH}`);
    await page.waitForFunction(() => typeof window.__roofline === 'object', undefined, { timeout: 60_000 });
    const b = browser;
    return {
      page,
      browser: b,
      measure: (device, opts = {}) =>
        page.evaluate(([d, o]) => window.__roofline!.measureDeviceRoofline(d, (p) => window.__rooflineProgress?.(d, p), o), [device, opts] as const),
      async close() {
        await b.close();
        await server.close();
      },
    };
  } catch (err) {
    await browser?.close();
    await server.close();
    throw err;
  }
}
