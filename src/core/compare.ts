/** Side-by-side views over result sets: the two engines on the same language model; the same specs on several devices. Pure. */
import { tokenFidelity } from './fidelity.ts';
import type { RunResult } from './schema.ts';
import { runKey } from './plan.ts';
import type { Device, Dtype, Engine, RunState } from './vocab.ts';

/** One engine's figures in the comparison; `outsideRunMs`: median time of a decode step outside session.run. */
export interface EngineSide {
  ttftMs: number | null;
  decodeTokPerS: number | null;
  tpotP50Ms: number | null;
  outsideRunMs: number | null;
}

const sideOf = (g: NonNullable<RunResult['generation']>): EngineSide => ({
  ttftMs: g.ttftMs,
  decodeTokPerS: g.decodeTokPerS,
  tpotP50Ms: g.tpot?.p50Ms ?? null,
  outsideRunMs: g.stepMs?.outsideRunMs ?? null,
});

export interface EngineComparison {
  model: string;
  dtype: Dtype;
  device: Device;
  ort: EngineSide;
  transformers: EngineSide;
  /** Our ORT loop's decode tok/s ÷ transformers.js's on the same model, level and backend. */
  decodeRatio: number | null;
  /** Fraction of positions where both engines chose the same greedy token; 1 means identical output. */
  tokenAgreement: number | null;
}

const key = (r: RunResult) => `${r.model.id}\u0000${r.model.dtype}\u0000${r.device}`;

/**
 * Pair each completed ORT generation with the transformers.js one of the same model, level and backend (the last
 * of each when a spec repeated). Context-length runs have no tokens to compare and are left out.
 */
export function engineComparison(results: readonly RunResult[]): EngineComparison[] {
  const pairs = new Map<string, Partial<Record<RunResult['engine'], RunResult>>>();
  for (const r of results) {
    if (r.state !== 'completed' || !r.generation || r.generation.contexts) continue;
    const pair = pairs.get(key(r)) ?? {};
    pair[r.engine] = r;
    pairs.set(key(r), pair);
  }
  const rows: EngineComparison[] = [];
  for (const { ort, transformers } of pairs.values()) {
    if (!ort?.generation || !transformers?.generation) continue;
    const [a, b] = [ort.generation, transformers.generation];
    rows.push({
      model: ort.model.id,
      dtype: ort.model.dtype,
      device: ort.device,
      ort: sideOf(a),
      transformers: sideOf(b),
      decodeRatio: a.decodeTokPerS && b.decodeTokPerS ? a.decodeTokPerS / b.decodeTokPerS : null,
      tokenAgreement: a.tokens.length || b.tokens.length ? tokenFidelity(ort.id, a.tokens, b.tokens).tokenAgreement : null,
    });
  }
  return rows;
}

/** The group of runs made by the CLI's own browser (and the app): records without `remote`. */
export const LOCAL_DEVICE = 'local';

/** Results grouped by the browser that ran them (`remote.label`, else LOCAL_DEVICE; src/core/machine.ts groups by what the env says instead), devices in order of first appearance. */
export function groupByRemote(results: readonly RunResult[]): Map<string, RunResult[]> {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const label = r.remote?.label ?? LOCAL_DEVICE;
    if (!groups.has(label)) groups.set(label, []);
    groups.get(label)!.push(r);
  }
  return groups;
}

/** One device's figure for a spec: p50 latency, or decode tok/s for language models; the state when it did not complete. */
export interface DeviceFigure {
  state: RunState;
  p50Ms: number | null;
  decodeTokPerS: number | null;
}

export interface DeviceComparisonRow {
  model: string;
  dtype: Dtype;
  device: Device;
  engine: Engine;
  /** True for language models: compare `decodeTokPerS` (higher is better), else `p50Ms` (lower is better). */
  generative: boolean;
  /** Per device label; null where that device has no record of the spec. */
  byDevice: Record<string, DeviceFigure | null>;
}

/**
 * The same spec (model, level, backend, engine) on each device, side by side. A repeated spec shows its last
 * completed run (else its last record). Context-length runs are left out (their figures are per length).
 */
export function deviceComparison(groups: ReadonlyMap<string, readonly RunResult[]>): { devices: string[]; rows: DeviceComparisonRow[] } {
  const rows = new Map<string, DeviceComparisonRow>();
  const chosen = new Map<string, RunResult>();
  for (const [label, results] of groups) {
    for (const r of results) {
      if (r.generation?.contexts) continue;
      const key = runKey(r);
      if (!rows.has(key))
        rows.set(key, { model: r.model.id, dtype: r.model.dtype, device: r.device, engine: r.engine, generative: r.task === 'text-generation', byDevice: {} });
      const cell = `${label}\u0000${key}`;
      const previous = chosen.get(cell);
      if (!previous || r.state === 'completed' || previous.state !== 'completed') chosen.set(cell, r);
    }
  }
  const devices = [...groups.keys()];
  for (const [key, row] of rows) {
    for (const label of devices) {
      const r = chosen.get(`${label}\u0000${key}`);
      row.byDevice[label] = r ? { state: r.state, p50Ms: r.timings.latency?.p50Ms ?? null, decodeTokPerS: r.generation?.decodeTokPerS ?? null } : null;
    }
  }
  return { devices, rows: [...rows.values()] };
}
