/** Vite: the app (index.html), its run worker, the cross-origin isolation that WASM threads need, and its CSP. */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import type { Connect, Plugin } from 'vite';
import { appCsp, workerCsp } from './src/core/csp.ts';

const version = (pkg: string): string =>
  (JSON.parse(readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;

// SharedArrayBuffer (WASM threads) and measureUserAgentSpecificMemory need a cross-origin isolated page.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// Only the app's own origin, plus the default hub host for hub models (the CLI's server adds its --hub-host and URL
// models' origins instead: src/cli/serve.ts). The dev server injects CSS as <style>, so it allows inline styles.
const headers = (dev: boolean) => ({ ...isolation, 'Content-Security-Policy': appCsp({ dev }) });

/**
 * Worker scripts (the browser says so in Sec-Fetch-Dest) get the page's policy plus 'unsafe-eval' (workerCsp): the
 * policy a worker runs under is its script's response's, whatever server set it (this config or the CLI's).
 */
const workerPolicy: Connect.NextHandleFunction = (req, res, next) => {
  if (/worker$/.test(String(req.headers['sec-fetch-dest'] ?? ''))) {
    const set = res.setHeader.bind(res);
    res.setHeader = (name, value) => set(name, name.toLowerCase() === 'content-security-policy' ? workerCsp(String(value)) : value);
  }
  next();
};
const workerCspPlugin: Plugin = {
  name: 'ondevice-worker-csp',
  configureServer: (server) => void server.middlewares.use(workerPolicy),
  configurePreviewServer: (server) => void server.middlewares.use(workerPolicy),
};

export default defineConfig({
  plugins: [workerCspPlugin],
  // models/ holds catalog.json and the bundled models built by `npm run models`; served at the app's root.
  publicDir: 'models',
  // No SPA fallback: a missing model must be a 404, not index.html served as if it were the model.
  appType: 'mpa',
  define: {
    __ONDEVICE_VERSIONS__: JSON.stringify({
      ondevice: (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }).version,
      onnxruntimeWeb: version('onnxruntime-web'),
      transformers: version('@huggingface/transformers'),
      wllama: version('@wllama/wllama'),
    }),
  },
  server: { headers: headers(true) },
  preview: { headers: headers(false) },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // `vitest run` runs both projects: the unit files first, then the browser files.
    projects: [
      // Node tests (no browser, no timings): files in parallel, one worker per core.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], maxWorkers: availableParallelism() } },
      // Browser tests measure on the machine's cores: one file at a time so timings stay sane.
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], fileParallelism: false } },
    ],
  },
});
