// A site whose storage cannot take a replica, forced through the browser itself (DevTools protocol: the origin's
// quota set just above what it uses): the replica's OPFS write is refused, the run goes on from memory, and the
// record says why with the numbers. A GGUF replica (wllama) and an ONNX one (ort), at test size.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.ts';
import { testSizeReplica } from '../fixtures/replica-sizes.ts';
import { useApp } from './fixture.ts';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const smollm = catalog.replicas!.find((e) => e.id === 'HuggingFaceTB/SmolLM2-135M')!;
const app = useApp();

it('a quota the replica cannot fit: built in memory, with the bytes written, the file size and the estimate in the record', async () => {
  const context = await app.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(app.server.url);
    await page.waitForFunction(() => typeof window.ondevice === 'object');
    // The cache folder first (under a tight quota even it cannot be made), then a quota of what the page uses (its
    // results log, the folder) plus 20 000 bytes: no room for a replica.
    const usage = await page.evaluate(async () => {
      await (await navigator.storage.getDirectory()).getDirectoryHandle('ondevice-replicas', { create: true });
      return (await navigator.storage.estimate()).usage ?? 0;
    });
    const quota = usage + 20_000;
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(app.server.url).origin, quotaSize: quota });
    const workload = { iterations: 1, warmup: 0, timeBudgetMs: 0, numThreads: 1, generation: { prompt: 'storage', maxNewTokens: 2 } };
    const results = await page.evaluate(
      (p) => window.ondevice.runSuite(p),
      [
        { models: [testSizeReplica(smollm, 'q4_0')], devices: ['wasm' as const], dtypes: ['q4_0' as const], engines: ['wllama' as const], workload },
        { models: [testSizeReplica(smollm, 'fp32')], devices: ['wasm' as const], dtypes: ['fp32' as const], engines: ['ort' as const], workload },
      ],
    );
    expect(results.map((r) => `${r.engine}:${r.model.dtype}:${r.state}`)).toEqual(['wllama:q4_0:completed', 'ort:fp32:completed']);
    for (const r of results) {
      expect(r.replica, r.engine).toMatchObject({ cache: 'memory', cached: false });
      // The write is tried and refused at once: the worker's storage.estimate() does not see the override (it reports
      // Chromium's usual quota), so the note gives it beside the bytes written.
      expect(r.replica!.cacheNote).toMatch(
        new RegExp(
          `^could not cache the replica in the origin-private file system: the write stopped after 0 B of ${r.replica!.dataBytes} B \\((the browser refused \\d+ bytes at offset 0 \\(write\\(\\) returned \\d+\\)|The operation failed because it would cause the application to exceed its storage quota\\.)\\); storage\\.estimate\\(\\) reports a quota of [\\d.]+ [GMi]*B with [\\d.]+ [GMKi]*B used: built in memory$`,
        ),
      );
    }
    expect(results[0]!.generation!.tokens).toHaveLength(2);
  } finally {
    await context.close();
  }
}, 60_000);
