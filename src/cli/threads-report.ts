/** The CLI's account of threads: the line that says what `auto` chose and why, and the table of a `--threads sweep`. */
import type { RunResult } from '../core/schema.ts';
import { sweepRows } from '../core/threads.ts';
import { formatMs } from '../text/format.ts';
import { threadChoiceLines } from '../text/threads.ts';
import { newTable, tableText } from './cli-table.ts';

type Choice = NonNullable<NonNullable<RunResult['env']>['threads']>;

/** "threads: auto → 1 (calibrated on ppocr-v2-cls fp32: 1 thread 12.1 ms, 2 threads 14.8 ms; …)", one per distinct choice. */
export function threadsLines(results: readonly RunResult[]): string | null {
  const lines = threadChoiceLines(results.map((r) => r.env?.threads));
  return lines.length ? lines.join('\n') : null;
}

/** Each swept model's p50 at every count, the best marked (fewest threads within 3 % of the fastest) and ORT's default. */
export function sweepTables(results: readonly RunResult[]): string | null {
  const groups = new Map<string, { runs: { run: RunResult; threads: number }[]; choice: Choice }>();
  for (const r of results) {
    const t = r.env?.threads;
    if (t?.requested !== 'sweep' || t.chosen === null) continue;
    const key = `${r.model.id} ${r.model.dtype} ${r.device} ${r.engine}`;
    const g = groups.get(key) ?? { runs: [], choice: t };
    g.runs.push({ run: r, threads: t.chosen });
    groups.set(key, g);
  }
  if (!groups.size) return null;
  const out: string[] = [];
  for (const [key, g] of groups) {
    const rows = sweepRows(
      g.runs.map(({ run: r, threads }) => ({
        threads,
        p50Ms: r.state === 'completed' ? (r.timings.latency?.p50Ms ?? null) : null,
        n: r.timings.latency?.n ?? 0,
      })),
      g.choice.ortDefault,
    );
    const t = newTable(['threads', 'p50', 'n', '']);
    for (const row of rows) {
      const { run } = g.runs.find((s) => s.threads === row.threads)!;
      const marks = [row.best ? 'best' : '', row.ortDefault ? "onnxruntime-web's default" : ''].filter(Boolean).join(', ');
      t.push([String(row.threads), row.p50Ms === null ? `${run.state}` : formatMs(row.p50Ms), String(run.timings.latency?.n ?? 0), marks]);
    }
    const best = rows.find((r) => r.best);
    out.push(`Thread sweep of ${key}${best ? `: best ${best.threads} (fewest threads within 3 % of the fastest p50)` : ''}\n${tableText(t)}`);
  }
  return out.join('\n');
}
