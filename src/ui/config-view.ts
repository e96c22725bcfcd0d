/** The run form as a RunConfig: read it, fill it from a preset or a share link, and show what is selected. */
import { levelNotes } from '../core/level-note.ts';
import { DEFAULT_CONFIG, type RunConfig } from './model/run-config.ts';
import { checkInteger, checkLengths, checkThreads, FIELD_RULES } from './model/fields.ts';
import { DEFAULT_GENERATION, type GenerationWorkload } from '../core/spec.ts';
import { DEVICES, DTYPES, ENGINES, type Device, type Dtype, type Engine } from '../core/vocab.ts';
import type { CatalogView } from './catalog-view.ts';
import { $, el } from './dom.ts';
import { formatDuration } from '../text/format.ts';

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

/** Every number field of the form that holds a bad value, by field name: the message names it and the valid range. */
export function fieldProblems(form: HTMLFormElement): Map<string, string> {
  const problems = new Map<string, string>();
  const text = (name: string) => form.querySelector<HTMLInputElement>(`[name=${name}]`)?.value ?? '';
  for (const rule of Object.values(FIELD_RULES)) {
    const check = checkInteger(rule, text(rule.name));
    if (!check.ok) problems.set(rule.name, check.problem);
  }
  const threads = checkThreads(text('threads'));
  if (!threads.ok) problems.set('threads', threads.problem);
  // Lengths matter only when the sweep is ticked.
  const lengths = checkLengths(text('contexts'));
  if (!lengths.ok && form.querySelector<HTMLInputElement>('[name=sweep]')?.checked) problems.set('contexts', lengths.problem);
  return problems;
}

/** Each bad field's message under it (and the field marked invalid); fixed fields lose theirs. */
export function showFieldProblems(form: HTMLFormElement, problems: ReadonlyMap<string, string>): void {
  for (const input of form.querySelectorAll<HTMLInputElement>('input[type=text][name]')) {
    const problem = problems.get(input.name);
    const label = input.closest('label')!;
    let box = label.querySelector<HTMLElement>('.field-problem');
    if (problem) {
      if (!box) label.append((box = el('span', { class: 'field-problem', id: `problem-${input.name}`, role: 'alert' })));
      box.textContent = problem;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', box.id);
    } else {
      box?.remove();
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
  }
}

const valueOr = <T>(check: { ok: true; value: T } | { ok: false }, fallback: T): T => (check.ok ? check.value : fallback);

/**
 * The form as a configuration. A bad field reads as the default here: callers check fieldProblems first, and
 * neither run nor write a link while one is bad.
 */
export function readConfig(form: HTMLFormElement, catalog: CatalogView): RunConfig {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '');
  const dtypes = data.getAll('dtype').map(String);
  const engine = String(data.get('engine') ?? 'auto');
  const budget = valueOr(checkInteger(FIELD_RULES.budget, text('budget')), DEFAULT_CONFIG.timeBudgetMs);
  return {
    models: catalog.selected(),
    dtypes: dtypes.includes(SHIPPED) ? 'shipped' : (dtypes as Dtype[]),
    devices: data.getAll('device').map(String) as Device[],
    engines: engine === 'auto' ? 'auto' : [engine as Engine],
    iterations: valueOr(checkInteger(FIELD_RULES.iterations, text('iterations')), DEFAULT_CONFIG.iterations) ?? DEFAULT_CONFIG.iterations,
    warmup: valueOr(checkInteger(FIELD_RULES.warmup, text('warmup')), DEFAULT_CONFIG.warmup) ?? DEFAULT_CONFIG.warmup,
    threads: valueOr(checkThreads(text('threads')), null),
    timeBudgetMs: budget && budget > 0 ? budget : null,
    profile: data.get('profile') !== null,
  };
}

/** The language-model fields: prompt, new tokens, and the context lengths when the sweep is ticked. */
export function readGeneration(form: HTMLFormElement): GenerationWorkload {
  const data = new FormData(form);
  const lengths = checkLengths(String(data.get('contexts') ?? ''));
  return {
    prompt: String(data.get('prompt') ?? '') || DEFAULT_GENERATION.prompt,
    maxNewTokens:
      valueOr(checkInteger(FIELD_RULES.maxNewTokens, String(data.get('maxNewTokens') ?? '')), DEFAULT_GENERATION.maxNewTokens) ??
      DEFAULT_GENERATION.maxNewTokens,
    contextLengths: data.get('sweep') && lengths.ok ? lengths.value : null,
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

/** What a selection comes to, for the run bar: "3 runs · ~20 s". */
export const runsSummary = (runs: number, estimateMs: number): string =>
  `${runs} run${runs === 1 ? '' : 's'}${runs ? ` · ~${formatDuration(Math.max(1000, estimateMs))}` : ''}`;

/** The models and the number of runs a configuration stands for, above the levels and in the run bar. */
export function renderSelection(config: RunConfig, extra: string[], runs: number, estimateMs: number): void {
  const levels = config.dtypes === 'shipped' ? DTYPES : config.dtypes;
  $('level-notes').replaceChildren(...levelNotes(levels.flatMap((d) => config.devices.map((dev) => [d, dev] as const))).map((n) => el('p', {}, n)));
  const models = [...config.models.map((m) => m.replace(/^replica:/, '')), ...extra];
  const box = $('selection');
  const levelText = config.dtypes === 'shipped' ? 'every level each ships' : config.dtypes.join(', ');
  $('run-summary').replaceChildren(
    el('strong', {}, runsSummary(runs, estimateMs)),
    el(
      'span',
      { class: 'hint' },
      models.length
        ? ` ${models.slice(0, 2).join(', ')}${models.length > 2 ? ` +${models.length - 2}` : ''} · ${levelText} · ${config.devices.join(', ')}`
        : ' no model selected',
    ),
  );
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
      el('span', { class: 'hint' }, runs ? ` · about ${formatDuration(Math.max(1000, estimateMs))}` : ''),
    ),
    el(
      'p',
      { class: 'selection-models' },
      ...shown.map((m) => el('span', { class: 'pill' }, m)),
      models.length > shown.length ? el('span', { class: 'hint' }, ` and ${models.length - shown.length} more`) : '',
    ),
  );
}
