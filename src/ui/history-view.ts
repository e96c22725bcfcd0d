/** The IndexedDB log as a table, filtered by model, level, backend, engine, state and date; export and import. */
import type { Controller } from '../client/controller.ts';
import { filterHistory, HISTORY_FACETS, historyFacets, type HistoryFacet, type HistoryFilter } from './model/history-filter.ts';
import type { RunResult } from '../core/schema.ts';
import { $, download, el } from './dom.ts';
import { historyTable } from './tables.ts';

const FACET_LABEL: Readonly<Record<HistoryFacet, string>> = { model: 'model', dtype: 'level', device: 'backend', engine: 'engine', state: 'state' };

export interface HistoryView {
  refresh(): Promise<void>;
}

export function mountHistory(controller: Controller): HistoryView {
  let log: RunResult[] = [];
  const filters = $('history-filters');
  const selects = Object.fromEntries(
    HISTORY_FACETS.map((f) => [f, el('select', { name: `history-${f}`, 'aria-label': `Filter by ${FACET_LABEL[f]}` })]),
  ) as Record<HistoryFacet, HTMLSelectElement>;
  const from = el('input', { type: 'date', name: 'history-from', 'aria-label': 'From day' });
  const to = el('input', { type: 'date', name: 'history-to', 'aria-label': 'To day' });
  const reset = el('button', { type: 'button', class: 'link', id: 'history-reset' }, 'reset filters');
  filters.append(
    ...HISTORY_FACETS.map((f) => el('label', {}, FACET_LABEL[f], ' ', selects[f])),
    el('label', {}, 'from ', from),
    el('label', {}, 'to ', to),
    reset,
  );

  const filter = (): HistoryFilter => ({
    ...Object.fromEntries(HISTORY_FACETS.map((f) => [f, selects[f].value]).filter(([, v]) => v)),
    ...(from.value ? { from: from.value } : {}),
    ...(to.value ? { to: to.value } : {}),
  });

  function render(): void {
    const facets = historyFacets(log);
    // Choices follow the log; a chosen value the log no longer has stays, so the filter never changes under the reader.
    for (const f of HISTORY_FACETS) {
      const chosen = selects[f].value;
      const values = facets[f].includes(chosen) || !chosen ? facets[f] : [chosen, ...facets[f]];
      selects[f].replaceChildren(el('option', { value: '' }, `every ${FACET_LABEL[f]}`), ...values.map((v) => el('option', { value: v }, v)));
      selects[f].value = chosen;
    }
    const shown = filterHistory(log, filter());
    $('history-count').textContent =
      shown.length === log.length ? `${log.length} run${log.length === 1 ? '' : 's'} logged` : `${shown.length} of ${log.length} runs shown`;
    reset.hidden = shown.length === log.length && !from.value && !to.value && HISTORY_FACETS.every((f) => !selects[f].value);
    $('history-table').replaceChildren(log.length && !shown.length ? el('p', { class: 'empty' }, 'No logged run matches these filters.') : historyTable(shown));
  }
  for (const input of [...Object.values(selects), from, to]) input.addEventListener('change', render);
  reset.addEventListener('click', () => {
    for (const s of Object.values(selects)) s.value = '';
    from.value = to.value = '';
    render();
  });

  const refresh = async () => {
    log = await controller.results();
    render();
  };

  $('export-jsonl').addEventListener('click', async () => download('ondevice-results.jsonl', await controller.exportJsonl(), 'application/x-ndjson'));
  $('export-csv').addEventListener('click', async () => download('ondevice-results.csv', await controller.exportCsv(), 'text/csv'));
  $('clear').addEventListener('click', async () => {
    if (!confirm('Delete every logged run from this browser?')) return;
    await controller.clearResults();
    await refresh();
  });
  $<HTMLInputElement>('import').addEventListener('change', async (ev) => {
    const input = ev.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const status = $('history-status');
    const { added, skipped, problems } = await controller.importJsonl(await file.text());
    status.className = problems.length ? 'notice problem' : 'notice';
    status.replaceChildren(el('p', {}, `${file.name}: ${added} runs imported, ${skipped} already in the log, ${problems.length} lines rejected.`));
    if (problems.length) {
      status.append(el('ul', { class: 'problems' }, ...problems.slice(0, 20).map((p) => el('li', {}, p.message))));
      if (problems.length > 20) status.append(el('p', {}, `… and ${problems.length - 20} more.`));
    }
    input.value = '';
    await refresh();
  });
  return { refresh };
}
