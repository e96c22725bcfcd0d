/** The model catalog to browse: bundled models, replicas, hub ids; filtered by task, kind and a search box. */
import { browseEntries, filterEntries, tasksOf, type BrowseEntry, type EntryKind } from './model/catalog-browse.ts';
import { findReplica, isReplicaName, REPLICA_PREFIX, type Catalog } from '../core/catalog.ts';
import { GGUF_DTYPES, ONNX_DTYPES } from '../core/vocab.ts';
import { $, el } from './dom.ts';
import { formatCount } from '../text/format.ts';

export interface CatalogView {
  /** The model names ticked, in catalog order (bundled, replicas, then hub ids and URLs). */
  selected(): string[];
  /** Tick exactly these models (hub ids and URLs are added to the list); returns the names it could not place. */
  select(models: readonly string[]): { missing: string[]; unbuildable: string[] };
}

/** "all 9 levels" when a model ships every ONNX level, else their names; GGUF levels (wllama's files) after them. */
const levelsText = (levels: readonly string[]): string => {
  const onnx = ONNX_DTYPES.filter((d) => levels.includes(d));
  const gguf = GGUF_DTYPES.filter((d) => levels.includes(d));
  const onnxText = onnx.length === ONNX_DTYPES.length ? `all ${ONNX_DTYPES.length} levels` : onnx.join(' · ');
  return [onnxText, gguf.length ? `GGUF ${gguf.join(' · ')}` : ''].filter(Boolean).join(' · ');
};

function entryRow(e: BrowseEntry): HTMLElement {
  const box = el('input', { type: 'checkbox', name: 'model', value: e.ref });
  box.disabled = e.unbuildable !== null;
  const [org, base] =
    e.kind === 'replica' && e.name.includes('/')
      ? [`${e.name.slice(0, e.name.lastIndexOf('/') + 1)}`, e.name.slice(e.name.lastIndexOf('/') + 1)]
      : ['', e.name];
  const facts = [
    e.family,
    e.params ? `${formatCount(e.params)} params` : null,
    e.releaseDate ? `released ${e.releaseDate.slice(0, 7)}` : null,
    levelsText(e.levels),
  ].filter((x): x is string => Boolean(x));
  const title = el('span', { class: 'entry-title' }, org ? el('span', { class: 'org' }, org) : '', el('strong', {}, base), ' ');
  if (e.kind === 'replica')
    title.append(el('span', { class: 'badge replica', title: 'Synthetic weights: real timings and memory, meaningless outputs' }, 'replica'));
  const label = el(
    'label',
    { class: `entry${e.unbuildable ? ' unbuildable' : ''}`, 'data-kind': e.kind, 'data-task': e.task, title: e.notes ?? '' },
    box,
    el(
      'span',
      { class: 'entry-body' },
      title,
      el('span', { class: 'entry-meta' }, el('span', { class: 'task' }, e.task), ...facts.map((f) => el('span', {}, f))),
      e.kind === 'bundled' ? el('code', { class: 'entry-id' }, e.ref) : '',
      e.unbuildable ? el('span', { class: 'entry-reason' }, `Cannot be built: ${e.unbuildable}`) : '',
    ),
  );
  return label;
}

const HUB_ID = /^[\w.-]+\/[\w.-]+$/;

export function mountCatalog(catalog: Catalog, onChange: () => void): CatalogView {
  const entries = browseEntries(catalog);
  const rows = new Map(entries.map((e) => [e.ref, entryRow(e)]));
  $('models').append(...entries.filter((e) => e.kind === 'bundled').map((e) => rows.get(e.ref)!));
  $('replicas').append(...entries.filter((e) => e.kind === 'replica').map((e) => rows.get(e.ref)!));
  const task = $<HTMLSelectElement>('catalog-task');
  task.append(...tasksOf(entries).map((t) => el('option', { value: t }, t)));
  const search = $<HTMLInputElement>('catalog-search');
  const selectedButton = $('catalog-kind').querySelector<HTMLButtonElement>('[data-kind=selected]')!;
  const boxes = () => [...document.querySelectorAll<HTMLInputElement>('#catalog input[name=model]')];
  const selected = () =>
    boxes()
      .filter((b) => b.checked && !b.disabled)
      .map((b) => b.value);
  // A kind, or "selected": only what is ticked (the way to find what a preset or a link chose).
  let kind: EntryKind | 'selected' | null = null;

  function applyFilter(): void {
    const only = kind === 'selected' ? new Set(selected()) : null;
    const shown = new Set(
      filterEntries(entries, { task: task.value || null, kind: kind === 'selected' ? null : kind, query: search.value, only }).map((e) => e.ref),
    );
    for (const [ref, row] of rows) row.hidden = !shown.has(ref);
    for (const id of ['models', 'replicas']) $(id).hidden = ![...$(id).querySelectorAll<HTMLElement>('label.entry')].some((r) => !r.hidden);
    $('catalog-empty').hidden = shown.size > 0;
    $('catalog-empty').textContent = kind === 'selected' && !search.value && !task.value ? 'Nothing selected yet.' : 'No model matches the search.';
    selectedButton.textContent = `Selected (${selected().length})`;
    $('catalog-count').textContent = shown.size === entries.length ? `${entries.length} models` : `${shown.size} of ${entries.length} shown`;
  }
  search.addEventListener('input', applyFilter);
  task.addEventListener('change', applyFilter);
  for (const b of $('catalog-kind').querySelectorAll<HTMLButtonElement>('button')) {
    b.addEventListener('click', () => {
      kind = (b.dataset.kind || null) as EntryKind | 'selected' | null;
      for (const o of $('catalog-kind').querySelectorAll('button')) o.setAttribute('aria-pressed', String(o === b));
      applyFilter();
    });
  }
  applyFilter();

  const hubList = $('hub-list');
  function addCustom(ref: string): HTMLInputElement {
    const existing = hubList.querySelector<HTMLInputElement>(`input[value="${CSS.escape(ref)}"]`);
    if (existing) return existing;
    const box = Object.assign(el('input', { type: 'checkbox', name: 'model', value: ref }), { checked: true });
    const remove = el('button', { type: 'button', class: 'link', 'aria-label': `Remove ${ref}` }, 'remove');
    const row = el(
      'label',
      { class: 'entry' },
      box,
      el(
        'span',
        { class: 'entry-body' },
        el('span', { class: 'entry-title' }, el('strong', {}, ref.replace(/^hub:/, ''))),
        el('span', { class: 'entry-meta' }, el('span', { class: 'task' }, ref.startsWith('hub:') ? 'hub' : 'url'), el('span', {}, 'fetched when run')),
        remove,
      ),
    );
    remove.addEventListener('click', (ev) => {
      ev.preventDefault();
      row.remove();
      changed();
    });
    hubList.append(row);
    return box;
  }
  const hubInput = $<HTMLInputElement>('hub-id');
  const addHub = () => {
    const raw = hubInput.value
      .trim()
      .replace(/^hub:/, '')
      .replace(/^https:\/\/huggingface\.co\//, '');
    const status = $('hub-status');
    if (/^https?:\/\//i.test(raw)) addCustom(raw);
    else if (HUB_ID.test(raw)) addCustom(`hub:${raw}`);
    else {
      status.textContent = `"${hubInput.value}" is not a hub id: it should look like ORG/NAME (e.g. Xenova/gpt2), or be an http(s) URL of an .onnx file.`;
      status.classList.add('problem');
      return;
    }
    status.textContent = '';
    status.classList.remove('problem');
    hubInput.value = '';
    changed();
  };
  $('hub-add').addEventListener('click', addHub);
  hubInput.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      addHub();
    }
  });

  // The count on "Selected" follows every tick; the list itself is re-filtered only when asked, so a row
  // does not vanish under the pointer while "Selected" is on.
  const changed = () => {
    selectedButton.textContent = `Selected (${selected().length})`;
    onChange();
  };
  for (const box of boxes()) box.addEventListener('change', changed);
  hubList.addEventListener('change', changed);

  return {
    selected,
    select(names) {
      // A link may name a replica by alias (replica:gpt2); the list knows it by its id.
      const models = names.map((m) => (isReplicaName(m) ? `${REPLICA_PREFIX}${findReplica(m, catalog)?.id ?? m.slice(REPLICA_PREFIX.length)}` : m));
      const wanted = new Set(models);
      const missing: string[] = [];
      for (const m of models) if (!rows.has(m) && (m.startsWith('hub:') || /^https?:\/\//i.test(m))) addCustom(m);
      for (const box of boxes()) box.checked = wanted.has(box.value) && !box.disabled;
      const placed = new Set(
        boxes()
          .filter((b) => b.checked)
          .map((b) => b.value),
      );
      const greyed = new Set(
        boxes()
          .filter((b) => b.disabled)
          .map((b) => b.value),
      );
      const unbuildable: string[] = [];
      for (const m of models) if (!placed.has(m)) (greyed.has(m) ? unbuildable : missing).push(m);
      if (kind === 'selected') applyFilter();
      else selectedButton.textContent = `Selected (${selected().length})`;
      return { missing, unbuildable };
    },
  };
}
