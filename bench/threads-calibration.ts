/**
 * What the thread calibration costs and what it finds: N fresh calibrations in one page (each one worker per count
 * on the reference model, rounds alternating), then a cached one. Usage: npm run bench:threads [-- N]
 */
import { openApp } from '../src/cli/driver.ts';

const n = Number(process.argv[2] ?? 3);
const app = await openApp();
try {
  const cores = await app.page.evaluate(() => navigator.hardwareConcurrency);
  console.log(`thread calibration, ${cores} cores, ${n} fresh calibrations then a cached one\n`);
  for (let i = 0; i <= n; i++) {
    const t0 = performance.now();
    const o = await app.page.evaluate((recalibrate) => window.ondevice.calibrateThreads({ recalibrate }), i < n);
    const wall = performance.now() - t0;
    const c = o.calibration;
    const figures = c ? c.timings.map((t) => `${t.threads}: ${t.p50Ms.toFixed(2)} ms (n ${t.n})`).join(', ') : '—';
    console.log(
      `${o.cached ? 'cached' : `run ${i + 1}`}: chose ${o.choice.chosen} (onnxruntime-web's default ${o.choice.ortDefault}); ${figures}; ${c?.rounds ?? 0} rounds; loading ${((c?.loadMs ?? 0) / 1000).toFixed(2)} s; warm-up ${((c?.warmupMs ?? 0) / 1000).toFixed(2)} s (${c?.warmupRuns?.join('/') ?? '—'} runs); took ${(wall / 1000).toFixed(2)} s`,
    );
  }
} finally {
  await app.close();
}
