/** The app's threads: what `auto` chose and why, above the results; a sweep's p50 per count; the Recalibrate button. */
import type { Controller } from '../client/controller.ts';
import type { RunResult } from '../core/schema.ts';
import { sweepRows } from '../core/threads.ts';
import { $, el } from './dom.ts';
import { formatMs } from '../text/format.ts';
import { threadChoiceLine, threadChoiceLines } from '../text/threads.ts';

/** A run of a thread sweep: the count it ran with, and onnxruntime-web's default on its device. */
type SweptRun = { run: RunResult; threads: number; ortDefault: number };

/** One table per swept model: each count's p50, the best (fewest threads within 3 % of the fastest) and ORT's default marked. */
function sweepTable(runs: readonly SweptRun[]): HTMLElement {
  const first = runs[0]!.run;
  const rows = sweepRows(
    runs.map(({ run: r, threads }) => ({ threads, p50Ms: r.state === 'completed' ? (r.timings.latency?.p50Ms ?? null) : null, n: r.timings.latency?.n ?? 0 })),
    runs[0]!.ortDefault,
  );
  const body = rows.map((row) => {
    const marks = [row.best ? 'best' : '', row.ortDefault ? 'onnxruntime-web’s default' : ''].filter(Boolean).join(', ');
    return el(
      'tr',
      row.best ? { class: 'best' } : {},
      el('td', {}, String(row.threads)),
      el('td', {}, row.p50Ms === null ? '—' : formatMs(row.p50Ms)),
      el('td', {}, marks),
    );
  });
  return el(
    'figure',
    {},
    el('figcaption', {}, `Thread sweep: ${first.model.id} ${first.model.dtype} on ${first.device}`),
    el('table', { class: 'sweep' }, el('thead', {}, el('tr', {}, el('th', {}, 'threads'), el('th', {}, 'p50'), el('th', {}, ''))), el('tbody', {}, ...body)),
  );
}

export function mountThreads(controller: Controller): { show(results: readonly RunResult[]): void } {
  const line = $('threads-choice');
  const sweeps = $('threads-sweep');
  const say = (text: string | null) => {
    line.hidden = text === null;
    line.textContent = text ?? '';
  };
  const button = $<HTMLButtonElement>('recalibrate');
  button.addEventListener('click', async () => {
    button.disabled = true;
    say('threads: calibrating (one worker per thread count on the reference model)…');
    try {
      const outcome = await controller.calibrateThreads({ recalibrate: true });
      say(threadChoiceLine(outcome.choice) ?? outcome.choice.reason);
    } catch (err) {
      say(`threads: the calibration did not finish (${(err as Error).message}); the cached choice, if any, stands.`);
    } finally {
      button.disabled = false;
    }
  });
  return {
    show(results) {
      const lines = threadChoiceLines(results.map((r) => r.env?.threads));
      say(lines.length ? lines.join(' · ') : null);
      const groups = new Map<string, SweptRun[]>();
      for (const r of results) {
        const t = r.env?.threads;
        if (t?.requested !== 'sweep' || t.chosen === null) continue;
        const key = `${r.model.id} ${r.model.dtype} ${r.device} ${r.engine}`;
        groups.set(key, [...(groups.get(key) ?? []), { run: r, threads: t.chosen, ortDefault: t.ortDefault }]);
      }
      sweeps.replaceChildren(...[...groups.values()].map(sweepTable));
    },
  };
}
