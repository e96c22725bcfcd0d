/** The fuzz run's tables: mutation kind × outcome per stage, and error classes per stage. Plain text. */
import { STAGES, type FileResult, type Outcome } from './drive.ts';

const OUTCOMES: Outcome[] = ['ok', 'errored', 'unsupported', 'hung', 'crashed'];

function grid(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

/** Per kind: files, then each stage's outcomes as ok/errored/unsupported/hung/crashed, and page errors. */
export function outcomeTable(results: readonly FileResult[]): string {
  const kinds = [...new Set(results.map((r) => r.kind))];
  const head = ['kind', 'files', ...STAGES.map((s) => `${s} ${OUTCOMES.map((o) => o.slice(0, 3)).join('/')}`), 'page errors'];
  const row = (label: string, rs: readonly FileResult[]) => [
    label,
    String(rs.length),
    ...STAGES.map((s) => OUTCOMES.map((o) => rs.filter((r) => r.stages[s].outcome === o).length).join('/')),
    String(rs.reduce((n, r) => n + r.pageErrors.length, 0)),
  ];
  return grid([
    head,
    ...kinds.map((k) =>
      row(
        k,
        results.filter((r) => r.kind === k),
      ),
    ),
    row('all', results),
  ]);
}

/** Per stage, how many files ended with each error class (the error's `name`). */
export function errorTable(results: readonly FileResult[]): string {
  const counts = new Map<string, Record<string, number>>();
  for (const r of results) {
    for (const s of STAGES) {
      const st = r.stages[s];
      if (st.outcome === 'ok') continue;
      const key = `${st.outcome} ${st.errorName ?? '?'}`;
      const row = counts.get(key) ?? Object.fromEntries(STAGES.map((x) => [x, 0]));
      row[s]! += 1;
      counts.set(key, row);
    }
  }
  const keys = [...counts.keys()].sort();
  return grid([['outcome and error class', ...STAGES], ...keys.map((k) => [k, ...STAGES.map((s) => String(counts.get(k)![s]))])]);
}

/** Files that hung, crashed the tab or left an unhandled error: the fuzzer's findings. */
export function findings(results: readonly FileResult[]): string[] {
  return results.flatMap((r) => [
    ...STAGES.filter((s) => r.stages[s].outcome === 'hung' || r.stages[s].outcome === 'crashed').map(
      (s) => `${r.name} (${r.detail}): ${s} ${r.stages[s].outcome}: ${r.stages[s].message}`,
    ),
    ...r.pageErrors.map((e) => `${r.name} (${r.detail}): ${e}`),
  ]);
}
