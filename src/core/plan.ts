/** Expanding a suite plan (models × devices × dtypes) into run specs; what cannot be resolved becomes a result. */
import { DEFAULT_HUB_HOST, findReplica, ggufReplicable, hubModel, isReplicaName, REPLICA_PREFIX, resolveModel, type Catalog } from './catalog.ts';
import { emptyResult, finish, toErrorInfo } from './result.ts';
import type { RunResult } from './schema.ts';
import type { ModelRef, RunSpec, Workload } from './spec.ts';
import { DTYPES, ENGINES, engineRunsDtype, isGgufDtype, type Device, type Dtype, type Engine } from './vocab.ts';

export interface SuitePlan {
  /** Catalog ids or URLs (resolved at each dtype), or ready references (run once, at their own dtype). */
  models: (string | ModelRef)[];
  devices: Device[];
  /** Levels to run catalog models at; "shipped" runs each at every level it ships. */
  dtypes: Dtype[] | 'shipped';
  workload: Workload;
  /**
   * Engines to run each model on; "auto" (the default): both for models in the Hugging Face layout (transformers.js
   * needs config and tokenizer files), ort for single ONNX files.
   */
  engines?: Engine[] | 'auto';
  suiteId?: string;
  /** Run each spec this many times in a row (the leak check); default 1. */
  repeat?: number;
  /** Where `hub:ORG/NAME` models come from (default the Hugging Face Hub). */
  hubHost?: string;
  /** Task of `hub:` models (default text-generation). */
  task?: string;
  /**
   * Measure (or take from the per-device cache) each backend's roofline before the runs, record it in each run's
   * env, and give each run its utilisation. `quick` measures with fewer repeats and a smaller matmul.
   */
  roofline?: boolean | 'quick';
  /**
   * Run only these runs (their `plannedKeys`), leaving the rest of the plan out: how `--resume` runs just what a
   * log lacks. Absent: the whole plan.
   */
  only?: string[];
}

/** A spec to run, or a result already decided (a level the model lacks, an unknown model). */
export type PlannedRun = { kind: 'run'; spec: RunSpec } | { kind: 'decided'; result: RunResult };

/** What identifies a spec across runs of a suite (one device's): model, level, backend, engine. */
export const runKey = (r: { model: { id: string; dtype: string }; device: string; engine: string }): string =>
  `${r.model.id}\u0000${r.model.dtype}\u0000${r.device}\u0000${r.engine}`;

const runOf = (p: PlannedRun) => (p.kind === 'run' ? p.spec : p.result);

/**
 * Each planned run's key with its repeat index (`runKey` + "#n"): a spec's repeats are planned one after another,
 * so the n-th time a key occurs is repeat n. Records carry no repeat index; a log is matched the same way, by count.
 */
export function plannedKeys(planned: readonly PlannedRun[]): string[] {
  const seen = new Map<string, number>();
  return planned.map((p) => {
    const key = runKey(runOf(p));
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return `${key}#${n}`;
  });
}

/**
 * Several plans run as one suite (the claims suite is the plans its claims need): each expanded, then backend by
 * backend across all of them, in the order the plans name the backends, as within one plan (see expandAll); stable
 * otherwise. `only` applies to each.
 */
export function expandPlans(plans: readonly SuitePlan[], catalog: Catalog, newId: () => string): PlannedRun[] {
  return expandPlansKeyed(plans, catalog, newId).map((x) => x.run);
}

/** A planned run with the index of the plan it comes from and its key within that plan (`plannedKeys`). */
export interface KeyedRun {
  run: PlannedRun;
  plan: number;
  key: string;
}

/**
 * `expandPlans`, each run with its plan and its key in that plan: two plans of one suite (the claims suite's) may
 * both run a spec, so a key alone does not say which run it is; the plan and the key together do.
 */
export function expandPlansKeyed(plans: readonly SuitePlan[], catalog: Catalog, newId: () => string): KeyedRun[] {
  const order = [...new Set(plans.flatMap((p) => p.devices))];
  return plans
    .flatMap((p, plan) => expandPlanKeyed(p, catalog, newId).map((x) => ({ ...x, plan })))
    .map((x, i) => ({ x, order: i, device: order.indexOf(runOf(x.run).device) }))
    .sort((a, b) => a.device - b.device || a.order - b.order)
    .map(({ x }) => x);
}

export function expandPlan(plan: SuitePlan, catalog: Catalog, newId: () => string): PlannedRun[] {
  return expandPlanKeyed(plan, catalog, newId).map((x) => x.run);
}

/** The plan's runs with their keys (counted over the whole plan, so a key means the same with or without `only`). */
function expandPlanKeyed(plan: SuitePlan, catalog: Catalog, newId: () => string): { run: PlannedRun; key: string }[] {
  const all = expandAll(plan, catalog, newId);
  const keys = plannedKeys(all);
  const keyed = all.map((run, i) => ({ run, key: keys[i]! }));
  if (!plan.only) return keyed;
  const only = new Set(plan.only);
  return keyed.filter((x) => only.has(x.key));
}

function expandAll(plan: SuitePlan, catalog: Catalog, newId: () => string): PlannedRun[] {
  const out: PlannedRun[] = [];
  // Backend outermost: every wasm run finishes before any WebGPU run starts, so a GPU that is still busy
  // (SwiftShader runs on the same CPU cores) cannot slow the wasm figures. Within a backend, fp32 comes
  // first for each model: it is the reference the other levels' fidelity is computed against.
  for (const device of plan.devices) {
    for (const model of plan.models) {
      const wanted = typeof model !== 'string' ? [model.dtype] : plan.dtypes === 'shipped' ? shippedLevels(catalog, model) : plan.dtypes;
      // `auto` pairs each level with the engines that run its files (GGUF levels: wllama; ONNX levels: the others);
      // an engine named outright keeps every level, and one it cannot run ends unsupported with the reason.
      const auto = !plan.engines || plan.engines === 'auto';
      for (const engine of enginesFor(plan, catalog, model))
        for (const dtype of DTYPES.filter((d) => wanted.includes(d) && (!auto || engineRunsDtype(engine, d))))
          for (let rep = 0; rep < (plan.repeat ?? 1); rep++) {
            const base = { id: newId(), suiteId: plan.suiteId ?? null, engine, device, workload: plan.workload };
            if (typeof model !== 'string') {
              if (model.unavailable) {
                const result = finish(emptyResult({ ...base, model }), 'unsupported', { name: 'UnsupportedError', message: model.unavailable });
                out.push({ kind: 'decided', result });
              } else out.push({ kind: 'run', spec: { ...base, model } });
              continue;
            }
            try {
              const ref = model.startsWith('hub:')
                ? hubModel(model.slice(4), dtype, plan.hubHost ?? DEFAULT_HUB_HOST, plan.task ?? 'text-generation')
                : resolveModel(model, dtype, catalog);
              if (ref.unavailable)
                out.push({
                  kind: 'decided',
                  result: finish(emptyResult({ ...base, model: ref }), 'unsupported', { name: 'UnsupportedError', message: ref.unavailable }),
                });
              else out.push({ kind: 'run', spec: { ...base, model: ref } });
            } catch (err) {
              const replica = findReplica(model, catalog);
              const known = catalog.models.some((m) => m.id === model) || model.startsWith('hub:') || replica !== undefined;
              const source = replica ? 'replica' : known ? 'bundled' : 'url';
              const placeholder: ModelRef = {
                id: replica ? `${REPLICA_PREFIX}${replica.id}` : model,
                source,
                url: '',
                dtype,
                task: replica?.task ?? 'unknown',
              };
              const result = emptyResult({ ...base, model: placeholder });
              out.push({ kind: 'decided', result: finish(result, known ? 'unsupported' : 'errored', toErrorInfo(err)) });
            }
          }
    }
  }
  return out;
}

/** The engines a model runs on in this plan (see SuitePlan.engines). */
export function enginesFor(plan: Pick<SuitePlan, 'engines'>, catalog: Catalog, model: string | ModelRef): Engine[] {
  if (plan.engines && plan.engines !== 'auto') return ENGINES.filter((e) => (plan.engines as Engine[]).includes(e));
  // Replicas have no tokenizer or model files for transformers.js: they run on ort, and decoders wllama runs on it too.
  if (typeof model === 'string' ? isReplicaName(model) : model.source === 'replica') {
    const entry = typeof model === 'string' ? findReplica(model, catalog) : undefined;
    return entry && ggufReplicable(entry) ? ['ort', 'wllama'] : ['ort'];
  }
  const hfLayout =
    typeof model === 'string' ? model.startsWith('hub:') || catalog.models.find((m) => m.id === model)?.layout === 'hf' : model.repo !== undefined;
  if (!hfLayout) return ['ort'];
  // A bundled language model with GGUF files also runs on wllama (at its GGUF levels only: see expandAll).
  const entry = typeof model === 'string' ? catalog.models.find((m) => m.id === model) : undefined;
  return entry?.task === 'text-generation' && entry.levels.some(isGgufDtype) ? ['ort', 'transformers', 'wllama'] : ['ort', 'transformers'];
}

/** Levels a catalog model ships, in canonical order; fp32 for a name the catalog lacks (a URL). */
export function shippedLevels(catalog: Catalog, id: string): Dtype[] {
  const entry = isReplicaName(id) ? findReplica(id, catalog) : catalog.models.find((m) => m.id === id);
  return entry ? DTYPES.filter((d) => entry.levels.includes(d)) : ['fp32'];
}
