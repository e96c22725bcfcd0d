/** Expanding a suite plan (models × devices × dtypes) into run specs; what cannot be resolved becomes a result. */
import { resolveModel, type Catalog } from './catalog.ts';
import { emptyResult, finish, toErrorInfo } from './result.ts';
import type { RunResult } from './schema.ts';
import type { ModelRef, RunSpec, Workload } from './spec.ts';
import { DTYPES, type Device, type Dtype, type Engine } from './vocab.ts';

export interface SuitePlan {
  /** Catalog ids or URLs (resolved at each dtype), or ready references (run once, at their own dtype). */
  models: (string | ModelRef)[];
  devices: Device[];
  /** Levels to run catalog models at; "shipped" runs each at every level it ships. */
  dtypes: Dtype[] | 'shipped';
  workload: Workload;
  engine?: Engine;
  suiteId?: string;
  /** Run each spec this many times in a row (the leak check); default 1. */
  repeat?: number;
}

/** A spec to run, or a result already decided (a level the model lacks, an unknown model). */
export type PlannedRun = { kind: 'run'; spec: RunSpec } | { kind: 'decided'; result: RunResult };

export function expandPlan(plan: SuitePlan, catalog: Catalog, newId: () => string): PlannedRun[] {
  const out: PlannedRun[] = [];
  const engine = plan.engine ?? 'ort';
  // Backend outermost: every wasm run finishes before any WebGPU run starts, so a GPU that is still busy
  // (SwiftShader runs on the same CPU cores) cannot slow the wasm figures. Within a backend, fp32 comes
  // first for each model: it is the reference the other levels' fidelity is computed against.
  for (const device of plan.devices) {
    for (const model of plan.models) {
      const wanted = typeof model !== 'string' ? [model.dtype] : plan.dtypes === 'shipped' ? shippedLevels(catalog, model) : plan.dtypes;
      for (const dtype of DTYPES.filter((d) => wanted.includes(d))) for (let rep = 0; rep < (plan.repeat ?? 1); rep++) {
        const base = { id: newId(), suiteId: plan.suiteId ?? null, engine, device, workload: plan.workload };
        if (typeof model !== 'string') {
          if (model.unavailable) {
            const result = finish(emptyResult({ ...base, model }), 'unsupported', { name: 'UnsupportedError', message: model.unavailable });
            out.push({ kind: 'decided', result });
          } else out.push({ kind: 'run', spec: { ...base, model } });
          continue;
        }
        try {
          out.push({ kind: 'run', spec: { ...base, model: resolveModel(model, dtype, catalog) } });
        } catch (err) {
          const known = catalog.models.some((m) => m.id === model);
          const placeholder: ModelRef = { id: model, source: known ? 'bundled' : 'url', url: '', dtype, task: 'unknown' };
          const result = emptyResult({ ...base, model: placeholder });
          out.push({ kind: 'decided', result: finish(result, known ? 'unsupported' : 'errored', toErrorInfo(err)) });
        }
      }
    }
  }
  return out;
}

/** Levels a catalog model ships, in canonical order; fp32 for a name the catalog lacks (a URL). */
export function shippedLevels(catalog: Catalog, id: string): Dtype[] {
  const entry = catalog.models.find((m) => m.id === id);
  return entry ? DTYPES.filter((d) => entry.levels.includes(d)) : ['fp32'];
}

