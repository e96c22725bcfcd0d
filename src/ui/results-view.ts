/**
 * The Results panel: a headline figure first, then the comparison table, the setup and the charts, for the suite
 * running now or, after a reload, the last suite in the log.
 */
import type { RunResult } from '../core/schema.ts';
import { setupLines } from '../text/setup.ts';
import { formatMs } from '../text/format.ts';
import { formatReason } from '../text/errors.ts';
import { renderGenerationChart, renderLatencyChart, renderResultsSizeChart, renderRooflineChart } from './charts.ts';
import { $, el } from './dom.ts';
import { headlineOf, keptFigures } from './model/results.ts';
import { comparisonTable, engineSidesTable } from './tables.ts';
import type { mountThreads } from './threads-view.ts';

const runName = (r: RunResult) =>
  `${r.model.id.replace(/^replica:/, '')} · ${r.model.dtype} · ${r.device}${r.engine === 'transformers' ? ' · transformers.js' : ''}`;

export interface ResultsView {
  /** Show these runs (a suite's so far, or the last logged one); `from` says where they come from when not live. */
  show(results: readonly RunResult[], from?: string): void;
}

export function mountResults(threadsView: ReturnType<typeof mountThreads>): ResultsView {
  function headline(results: readonly RunResult[], from: string | undefined): void {
    const box = $('headline');
    const best = headlineOf(results);
    const kept = keptFigures(results);
    box.hidden = results.length === 0;
    const lines: HTMLElement[] = [];
    if (from) lines.push(el('p', { class: 'hint' }, from));
    if (best) {
      const figure = best.kind === 'decode' ? `${best.value.toFixed(1)} tok/s` : formatMs(best.value);
      const what = best.kind === 'decode' ? 'decode speed' : 'p50 latency';
      lines.push(
        el(
          'p',
          {},
          el('span', { class: 'figure' }, figure),
          `${what}, ${runName(best.result)}`,
          best.runs > 1
            ? el(
                'span',
                { class: 'hint' },
                ` — the ${best.kind === 'decode' ? 'fastest' : 'lowest'} of ${best.completed} completed run${best.completed === 1 ? '' : 's'} (${best.runs} in all)`,
              )
            : '',
        ),
      );
    } else if (results.length)
      lines.push(el('p', {}, el('strong', {}, 'No run completed.'), ` ${results.length} run${results.length === 1 ? '' : 's'}: see each row’s reason.`));
    // An aborted run keeps what it measured: say it here, whatever the table shows for the state.
    for (const r of kept) {
      const latency = r.timings.latency;
      const decode = r.generation?.decodeTokPerS ?? null;
      lines.push(
        el(
          'p',
          { class: 'kept', 'data-run-id': r.id },
          `Aborted: ${runName(r)} kept `,
          el('strong', {}, latency ? `p50 ${formatMs(latency.p50Ms)} over ${latency.n} iteration${latency.n === 1 ? '' : 's'}` : `${decode!.toFixed(1)} tok/s`),
          el('span', { class: 'hint' }, ` (${formatReason(r)})`),
        ),
      );
    }
    box.replaceChildren(...lines);
  }

  return {
    show(results, from) {
      headline(results, from);
      const sides = engineSidesTable(results);
      $('latest-table').replaceChildren(comparisonTable(results), ...(sides ? [sides] : []));
      const lines = setupLines(results);
      const list = $('latest-setup');
      list.hidden = lines.length === 0;
      list.replaceChildren(...lines.map((l) => el('li', {}, l)));
      threadsView.show(results);
      renderLatencyChart($<HTMLCanvasElement>('latency-chart'), results);
      renderResultsSizeChart('latency-chart', results);
      renderGenerationChart($<HTMLCanvasElement>('generation-chart'), results);
      renderRooflineChart($<HTMLCanvasElement>('roofline-chart'), results);
    },
  };
}
