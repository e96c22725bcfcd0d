/**
 * What building a replica costs: time, and the peak memory of the browser while its weights are written, sampled
 * from /proc (resident set of every Chromium process of this launch, and of the renderer that runs the page and
 * its workers) — held against the size of the model built. The build streams 8 MiB chunks into OPFS, so the
 * peak should stay near the browser's baseline, far below the model's bytes. A second build finds the cache.
 * Usage: npm run bench:replica-build -- [--model replica:phi-3.5-mini] [--dtype q4]
 */
import { parseArgs } from 'node:util';
import { OsMemorySampler } from '../src/cli/proc-memory.ts';
import { openApp } from '../src/cli/driver.ts';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'replica:phi-3.5-mini' }, dtype: { type: 'string', default: 'q4' } } });
const gib = (b: number | null | undefined) => (b == null ? '—' : `${(b / 2 ** 30).toFixed(3)} GiB`);

const session = await openApp({
  onEvent: (e) => {
    if (e.type === 'prepare') process.stderr.write(`\r${e.message}: ${gib(e.done)} of ${gib(e.total)}\x1b[K`);
  },
});
const sampler = new OsMemorySampler(session.marker, 50);
try {
  await session.page.evaluate(() => window.ondevice.clearReplicaCache());
  sampler.begin();
  const idle = sampler.end();
  for (const pass of ['first build', 'second build (cache)']) {
    sampler.begin();
    const built = await session.page.evaluate(([m, d]) => window.ondevice.buildReplica(m!, d as 'q4'), [values.model, values.dtype]);
    const peak = sampler.end();
    process.stderr.write('\r\x1b[K');
    console.log(
      `${pass}: ${built.model.id} at ${built.model.dtype}: ${(built.params / 1e9).toFixed(3)} G params, weights ${gib(built.dataBytes)}, graph ${(built.graphBytes / 1024).toFixed(0)} KiB, ${(built.buildMs / 1000).toFixed(1)} s, cache ${built.cache}${built.cached ? ' (found)' : ''}${built.note ? ` — ${built.note}` : ''}`,
    );
    console.log(
      `  browser RSS before ${gib(idle?.peakRssBytes)}, peak while building ${gib(peak?.peakRssBytes)} (renderer ${gib(peak?.byType.renderer)}); peak ÷ model bytes = ${peak ? (peak.peakRssBytes / built.dataBytes).toFixed(2) : '—'}`,
    );
  }
} finally {
  sampler.stop();
  await session.close();
}
