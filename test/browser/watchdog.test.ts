// The page's per-run watchdog (src/core/watchdog.ts, applied in src/client/runner-client.ts): a run whose worker
// hangs is ended by the page, logged aborted with its phase and the limit, and the suite goes on. The hang is real:
// the worker is paused in the debugger (over CDP) mid-measurement, as a wasm call that never returns would hold it.
import { describe, expect, it } from 'vitest';
import type { SuitePlan } from '../../src/core/plan.ts';
import type { RunResult } from '../../src/core/schema.ts';
import { WATCHDOG_MARGIN_KEY } from '../../src/core/watchdog.ts';
import { useApp } from './fixture.ts';

const MARGIN_MS = 6000;

describe('a run whose worker hangs', () => {
  const app = useApp();
  const plan = (iterations: number): SuitePlan => ({
    models: ['mlp-1m'],
    devices: ['wasm'],
    dtypes: ['fp32'],
    engines: ['ort'],
    workload: { iterations, warmup: 1, warmupCapMs: 0, timeBudgetMs: null, numThreads: 1 },
  });

  it('is terminated by the page after the margin of silence, logged aborted with its phase and the limit, and the next run completes', async () => {
    const { page } = app;
    await page.evaluate(([key, ms]) => localStorage.setItem(key, ms), [WATCHDOG_MARGIN_KEY, String(MARGIN_MS)] as const);
    await page.evaluate(() => {
      const w = window as unknown as { measuring?: boolean };
      window.ondevice.subscribe((e) => {
        if (e.type === 'run-progress' && e.progress.phase === 'measure') w.measuring = true;
      });
    });
    try {
      // Without a time budget, a million iterations would run for minutes: only the watchdog ends this run.
      const running = app.runSuite([plan(1_000_000), plan(2)]);
      await page.waitForFunction(() => (window as unknown as { measuring?: boolean }).measuring === true, undefined, { timeout: 60_000 });
      // Each run reads the margin as it starts: the next run gets the default back, however slow the machine is.
      await page.evaluate((key) => localStorage.removeItem(key), WATCHDOG_MARGIN_KEY);
      const cdp = await app.browser.newBrowserCDPSession();
      const { targetInfos } = await cdp.send('Target.getTargets');
      const target = targetInfos.find((t) => t.type === 'worker' && /runner\.worker/.test(t.url));
      expect(target).toBeDefined();
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target!.targetId, flatten: false });
      const send = (id: number, method: string) => cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params: {} }) });
      await send(1, 'Debugger.enable');
      await send(2, 'Debugger.pause');
      const [hung, next] = (await running) as RunResult[];
      expect(hung).toMatchObject({ state: 'aborted', error: { name: 'StalledError', class: 'aborted' } });
      expect(hung!.error!.message).toMatch(
        /^The run's worker sent no progress for 6 s \(the watchdog's margin, no time budget\) in its measure phase; its WASM heap last seen at \d+\.\d MiB: it was taken as hung and terminated, and the suite went on/,
      );
      expect(hung!.memory.wasmHeapPeakBytes).toBeGreaterThan(0);
      expect(next).toMatchObject({ state: 'completed' });
      expect((await page.evaluate(() => window.ondevice.results())).map((r) => r.state)).toEqual(['aborted', 'completed']);
      await cdp.detach().catch(() => undefined);
    } finally {
      await page.evaluate((key) => localStorage.removeItem(key), WATCHDOG_MARGIN_KEY);
    }
  });
});
