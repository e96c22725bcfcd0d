/**
 * Run configurations as URLs: `?models=mlp-1m,replica:gpt2&dtypes=fp32,q4&devices=wasm&iterations=5…`, so a link
 * re-creates a run (and `&autorun=1` starts it). Bad parameters become messages; the good ones still apply.
 */
import { findReplica, isReplicaName, type Catalog } from '../../core/catalog.ts';
import type { RunConfig } from './run-config.ts';
import { MAX_THREADS, parseThreads } from '../../core/threads.ts';
import { FIELD_RULES } from './fields.ts';
import { DEVICES, DTYPES, ENGINES } from '../../core/vocab.ts';

/** Query parameter names, in the order a shared URL lists them. */
export const SHARE_PARAMS = ['models', 'dtypes', 'devices', 'engines', 'iterations', 'warmup', 'threads', 'budget', 'profile', 'autorun'] as const;

export interface ParsedShare {
  /** Only the fields the URL named and that were valid (a list keeps its valid items). */
  config: Partial<RunConfig>;
  autorun: boolean;
  /** One message per bad value, naming it and what would have been valid. */
  problems: string[];
}

const list = (v: readonly string[]): string => v.join(',');

/** The query string (with its `?`) for a configuration; every field is written, so the link does not depend on defaults. */
export function shareQuery(config: RunConfig, options: { autorun?: boolean } = {}): string {
  const q = new URLSearchParams();
  q.set('models', list(config.models));
  q.set('dtypes', config.dtypes === 'shipped' ? 'shipped' : list(config.dtypes));
  q.set('devices', list(config.devices));
  q.set('engines', config.engines === 'auto' ? 'auto' : list(config.engines));
  q.set('iterations', String(config.iterations));
  q.set('warmup', String(config.warmup));
  q.set('threads', config.threads === null ? 'auto' : String(config.threads));
  q.set('budget', config.timeBudgetMs === null ? 'none' : String(config.timeBudgetMs));
  // Written only when on: links made before profiling existed stay the same.
  if (config.profile) q.set('profile', '1');
  if (options.autorun) q.set('autorun', '1');
  // Commas, colons and slashes are legal in a query and keep the link readable.
  return `?${q.toString().replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%2F/g, '/')}`;
}

const items = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Keep the items of a vocabulary; one message per item outside it. */
function vocabulary<T extends string>(what: string, param: string, valid: readonly T[], value: string, problems: string[], extra: string[] = []): T[] {
  const out: T[] = [];
  for (const item of items(value)) {
    if ((valid as readonly string[]).includes(item)) {
      if (!out.includes(item as T)) out.push(item as T);
    } else problems.push(`Unknown ${what} "${item}" in the link (${param}=). Should be one of: ${[...valid, ...extra].join(', ')}.`);
  }
  return out;
}

function integer(param: string, value: string, min: number, max: number, problems: string[]): number | undefined {
  const n = Number(value);
  if (value.trim() !== '' && Number.isInteger(n) && n >= min && n <= max) return n;
  problems.push(`Bad ${param}= "${value}" in the link. Should be a whole number from ${min} to ${max}${param === 'budget' ? ', or none' : ''}.`);
  return undefined;
}

/** Whether the app can resolve a model name: a catalog id, a replica, a hub id or an http(s) URL. */
export function knownModel(name: string, catalog: Catalog): boolean {
  if (isReplicaName(name)) return findReplica(name, catalog) !== undefined;
  if (name.startsWith('hub:')) return /^hub:[\w.-]+\/[\w.-]+$/.test(name);
  return catalog.models.some((m) => m.id === name) || /^https?:\/\//i.test(name);
}

/** Read a configuration from a query string (`location.search`); parameters it does not name are left out. */
export function parseShare(search: string, catalog: Catalog): ParsedShare {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  const config: Partial<RunConfig> = {};
  const models = q.get('models');
  if (models !== null) {
    config.models = [];
    for (const m of items(models)) {
      if (knownModel(m, catalog)) config.models.push(m);
      else
        problems.push(
          `Unknown model "${m}" in the link (models=). Should be a catalog id (${catalog.models.map((x) => x.id).join(', ')}), replica:NAME, hub:ORG/NAME or an http(s) URL.`,
        );
    }
  }
  const dtypes = q.get('dtypes');
  if (dtypes !== null) config.dtypes = dtypes.trim() === 'shipped' ? 'shipped' : vocabulary('level', 'dtypes', DTYPES, dtypes, problems, ['shipped']);
  const devices = q.get('devices');
  if (devices !== null) config.devices = vocabulary('backend', 'devices', DEVICES, devices, problems);
  const engines = q.get('engines');
  if (engines !== null) config.engines = engines.trim() === 'auto' ? 'auto' : vocabulary('engine', 'engines', ENGINES, engines, problems, ['auto']);
  const numbers = [
    ['iterations', FIELD_RULES.iterations.min, FIELD_RULES.iterations.max],
    ['warmup', FIELD_RULES.warmup.min, FIELD_RULES.warmup.max],
  ] as const;
  for (const [param, min, max] of numbers) {
    const v = q.get(param);
    if (v === null) continue;
    const n = integer(param, v, min, max, problems);
    if (n !== undefined) config[param] = n;
  }
  const threads = q.get('threads');
  if (threads !== null) {
    // The device's own limit (its cores) is checked by the run, which ends unsupported naming the valid counts.
    try {
      const t = parseThreads(threads, 'threads=', MAX_THREADS, ' in the link');
      config.threads = t === 'auto' ? null : t;
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const budget = q.get('budget');
  if (budget !== null) {
    if (budget === 'none') config.timeBudgetMs = null;
    else {
      const n = integer('budget', budget, FIELD_RULES.budget.min, FIELD_RULES.budget.max, problems);
      if (n !== undefined) config.timeBudgetMs = n > 0 ? n : null;
    }
  }
  const profile = q.get('profile');
  if (profile !== null) {
    if (['1', 'true'].includes(profile)) config.profile = true;
    else if (['0', 'false'].includes(profile)) config.profile = false;
    else problems.push(`Bad profile= "${profile}" in the link. Should be 1 (profile one more iteration per run) or 0.`);
  }
  const known = new Set<string>(SHARE_PARAMS);
  const keys = new Set(q.keys());
  // A URL with none of ours is not a share link: its parameters are someone else's business.
  if ([...keys].some((k) => known.has(k)))
    for (const key of keys) if (!known.has(key)) problems.push(`Unknown parameter "${key}" in the link. Should be one of: ${SHARE_PARAMS.join(', ')}.`);
  const autorun = q.get('autorun');
  return { config, autorun: autorun === '1' || autorun === 'true', problems };
}

/**
 * What writing the form's link over the page's address changed in the link it was opened with: one line per
 * parameter the link named whose value is now different (a bad value replaced, a model left out), so the address is
 * never rewritten silently. Order and spacing inside a list, and a replica's alias for its id (given the catalog),
 * are not changes; `autorun` is dropped on purpose.
 */
export function linkRewrites(opened: string, written: string, catalog?: Catalog): string[] {
  const before = new URLSearchParams(opened);
  const after = new URLSearchParams(written);
  // A replica's alias is written as its id: the same model, not a change.
  const canonical = (item: string) => (catalog && isReplicaName(item) ? `replica:${findReplica(item, catalog)?.id ?? item.slice(8)}` : item);
  const same = (a: string, b: string) => items(a).map(canonical).sort().join(',') === items(b).map(canonical).sort().join(',');
  const out: string[] = [];
  for (const [key, value] of before) {
    if (key === 'autorun' || !(SHARE_PARAMS as readonly string[]).includes(key)) continue;
    const now = after.get(key);
    if (now === null) out.push(`${key}=${value} dropped`);
    else if (!same(value, now)) out.push(`${key}=${value} → ${key}=${now}`);
  }
  return out;
}
