/**
 * Do the default bench's figures repeat? Runs `ondevice bench` (the default suite, as `npm run bench` does, each
 * time in a fresh browser) several times back to back, and prints per run (model, level, backend, engine) each
 * repeat's p50 — decode tok/s for language models — and the spread: (max − min) ÷ median. The goal: within ±10 %
 * (a spread of 0.20) for every run whose p50 is ≥ 1 ms, and each bench in about 90 s.
 * Usage: npm run bench:stability -- [--repeats 3] [-- any ondevice bench flags]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { percentileSorted, type Samples } from '../src/core/stats.ts';
import { parseJsonl } from '../src/store/export.ts';
import { formatMs, formatRate } from '../src/text/format.ts';

const { values, positionals } = parseArgs({ options: { repeats: { type: 'string', default: '3' } }, allowPositionals: true });
const repeats = Number(values.repeats);
const dir = mkdtempSync(join(tmpdir(), 'ondevice-stability-'));

const figures = new Map<string, { lm: boolean; values: number[] }>();
const walls: number[] = [];
for (let i = 0; i < repeats; i++) {
  const out = join(dir, `bench-${i}.jsonl`);
  const t0 = performance.now();
  const done = spawnSync(process.execPath, ['bin/ondevice.js', '--out', out, '--json', ...positionals], { stdio: ['ignore', 'ignore', 'inherit'] });
  walls.push((performance.now() - t0) / 1000);
  if (done.status !== 0) throw new Error(`ondevice bench exited ${done.status} on repeat ${i + 1}`);
  const { results } = parseJsonl(readFileSync(out, 'utf8'));
  for (const r of results) {
    if (r.state !== 'completed') continue;
    const lm = r.task === 'text-generation';
    const v = lm ? r.generation?.decodeTokPerS : r.timings.latency?.p50Ms;
    if (v == null) continue;
    const key = `${r.model.id} ${r.model.dtype} ${r.device} ${r.engine}`;
    const entry = figures.get(key) ?? { lm, values: [] };
    entry.values.push(v);
    figures.set(key, entry);
  }
  process.stderr.write(`repeat ${i + 1}/${repeats}: ${walls[i]!.toFixed(0)} s\n`);
}

const t = new Table({
  head: ['run', 'figure', ...walls.map((_, i) => `#${i + 1}`), 'spread (max−min)/median', 'within ±10 %'],
  style: { head: [], border: [] },
});
let worst = 0;
for (const [key, { lm, values: v }] of figures) {
  const sorted = [...v].sort((a, b) => a - b) as unknown as Samples;
  const median = percentileSorted(sorted, 0.5);
  const spread = (sorted[sorted.length - 1]! - sorted[0]) / median;
  // Sub-millisecond p50s are timer- and scheduler-bound: reported, not held to the goal.
  const held = lm || median >= 1;
  if (held) worst = Math.max(worst, spread);
  t.push([
    key,
    lm ? 'decode tok/s' : 'p50',
    ...v.map((x) => (lm ? formatRate(x) : formatMs(x))),
    `${(spread * 100).toFixed(1)} %`,
    held ? (spread <= 0.2 ? 'yes' : 'NO') : '(p50 < 1 ms)',
  ]);
}
console.log(t.toString());
console.log(
  `wall time per bench: ${walls.map((w) => `${w.toFixed(0)} s`).join(', ')}; worst spread of the runs held to it: ${(worst * 100).toFixed(1)} % (goal ≤ 20 %, i.e. ±10 %)`,
);
