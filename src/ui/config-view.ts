/** The run form as a RunConfig: read it, fill it from a preset or a share link, and show what is selected. */
import { levelNotes } from '../core/level-note.ts';
import type { RunConfig } from './model/run-config.ts';
import { DEVICES, DTYPES, ENGINES, type Device, type Dtype, type Engine } from '../core/vocab.ts';
import type { CatalogView } from './catalog-view.ts';
import { $, el } from './dom.ts';

const SHIPPED = 'shipped';

/** Builds the level and backend checkboxes; the form starts at fp32 on wasm and WebGPU. */
export function mountConfigFields(): void {
  $('levels').append(
    ...DTYPES.map((d) =>
      el('label', { class: 'chip' }, Object.assign(el('input', { type: 'checkbox', name: 'dtype', value: d }), { checked: d === 'fp32' }), ` ${d}`),
    ),
    el(
      'label',
      { class: 'chip wide', title: 'Each catalog model at every level it ships' },
      el('input', { type: 'checkbox', name: 'dtype', value: SHIPPED }),
      ' every level each model ships',
    ),
  );
  $('devices').append(
    ...DEVICES.map((d) =>
      el('label', { class: 'chip' }, Object.assign(el('input', { type: 'checkbox', name: 'device', value: d }), { checked: d !== 'webnn' }), ` ${d}`),
    ),
  );
  // What the chosen levels mean on the chosen backends (4-bit on wasm, q4dq), under the pickers.
  $('devices').after(el('div', { id: 'level-notes', class: 'hint', 'aria-live': 'polite' }));
  // "Every level" and single levels exclude each other: the plan takes one or the other.
  const form = $<HTMLFormElement>('run-form');
  const shipped = form.querySelector<HTMLInputElement>(`input[name=dtype][value=${SHIPPED}]`)!;
  const levels = [...form.querySelectorAll<HTMLInputElement>('input[name=dtype]')].filter((b) => b !== shipped);
  shipped.addEventListener('change', () => levels.forEach((b) => (b.disabled = shipped.checked)));
}

const num = (v: FormDataEntryValue | null): number | null => (v === null || String(v).trim() === '' ? null : Number(v));

/** The Threads field: empty or "auto" → auto (null), "sweep", or a count (the run checks it against the device). */
function threadsOf(v: FormDataEntryValue | null): RunConfig['threads'] {
  const text = String(v ?? '').trim();
  if (text === 'sweep') return 'sweep';
  const n = Number(text);
  return text !== '' && text !== 'auto' && Number.isFinite(n) && n > 0 ? Math.round(n) : null;
}

export function readConfig(form: HTMLFormElement, catalog: CatalogView): RunConfig {
  const data = new FormData(form);
  const dtypes = data.getAll('dtype').map(String);
  const engine = String(data.get('engine') ?? 'auto');
  const budget = num(data.get('budget'));
  return {
    models: catalog.selected(),
    dtypes: dtypes.includes(SHIPPED) ? 'shipped' : (dtypes as Dtype[]),
    devices: data.getAll('device').map(String) as Device[],
    engines: engine === 'auto' ? 'auto' : [engine as Engine],
    iterations: Math.max(1, Math.round(num(data.get('iterations')) ?? 20)),
    warmup: Math.max(0, Math.round(num(data.get('warmup')) ?? 0)),
    threads: threadsOf(data.get('threads')),
    timeBudgetMs: budget && budget > 0 ? budget : null,
    profile: data.get('profile') !== null,
  };
}

/** Fill the form with the fields given; returns messages for what the form cannot show (models it lacks, an engine pair). */
export function applyConfig(form: HTMLFormElement, catalog: CatalogView, config: Partial<RunConfig>): string[] {
  const problems: string[] = [];
  const field = <T extends HTMLInputElement | HTMLSelectElement>(name: string) => form.querySelector<T>(`[name=${name}]`)!;
  if (config.models) {
    const { missing, unbuildable } = catalog.select(config.models);
    if (missing.length) problems.push(`Not in this app’s catalog: ${missing.join(', ')}.`);
    if (unbuildable.length)
      problems.push(`Left out, no replica builder for their architecture yet: ${unbuildable.map((m) => m.replace(/^replica:/, '')).join(', ')}.`);
  }
  if (config.dtypes) {
    for (const box of form.querySelectorAll<HTMLInputElement>('input[name=dtype]')) {
      box.checked = config.dtypes === 'shipped' ? box.value === SHIPPED : (config.dtypes as string[]).includes(box.value);
      box.disabled = config.dtypes === 'shipped' && box.value !== SHIPPED;
    }
  }
  if (config.devices)
    for (const box of form.querySelectorAll<HTMLInputElement>('input[name=device]')) box.checked = (config.devices as string[]).includes(box.value);
  if (config.engines) {
    const engines = config.engines;
    // The form offers one engine or both; a list of every engine is "both".
    field<HTMLSelectElement>('engine').value = engines === 'auto' || ENGINES.every((e) => engines.includes(e)) ? 'auto' : (engines[0] ?? 'auto');
  }
  if (config.iterations !== undefined) field('iterations').value = String(config.iterations);
  if (config.warmup !== undefined) field('warmup').value = String(config.warmup);
  if (config.threads !== undefined) field('threads').value = config.threads === null ? '' : String(config.threads);
  if (config.profile !== undefined) field<HTMLInputElement>('profile').checked = config.profile;
  if (config.timeBudgetMs !== undefined) field('budget').value = config.timeBudgetMs === null ? '' : String(config.timeBudgetMs);
  return problems;
}

/** The models and the number of runs a configuration stands for, above the Run button. */
export function renderSelection(config: RunConfig, extra: string[], runs: number): void {
  const levels = config.dtypes === 'shipped' ? DTYPES : config.dtypes;
  $('level-notes').replaceChildren(...levelNotes(levels.flatMap((d) => config.devices.map((dev) => [d, dev] as const))).map((n) => el('p', {}, n)));
  const models = [...config.models.map((m) => m.replace(/^replica:/, '')), ...extra];
  const box = $('selection');
  if (!models.length) {
    box.replaceChildren(el('p', { class: 'empty' }, 'No model selected: tick some on the left, or pick a preset.'));
    return;
  }
  const shown = models.slice(0, 12);
  box.replaceChildren(
    el(
      'p',
      { class: 'selection-head' },
      el('strong', {}, `${models.length} model${models.length === 1 ? '' : 's'}`),
      ` × ${config.dtypes === 'shipped' ? 'every level each ships' : `${config.dtypes.length} level${config.dtypes.length === 1 ? '' : 's'}`}`,
      ` × ${config.devices.length} backend${config.devices.length === 1 ? '' : 's'}`,
      el('span', { class: 'runs' }, ` → ${runs} run${runs === 1 ? '' : 's'}`),
    ),
    el(
      'p',
      { class: 'selection-models' },
      ...shown.map((m) => el('span', { class: 'pill' }, m)),
      models.length > shown.length ? el('span', { class: 'hint' }, ` and ${models.length - shown.length} more`) : '',
    ),
  );
}
