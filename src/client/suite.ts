/** Running a suite: plan → one worker per run → append each result to the log before the next run starts. */
import type { Catalog } from '../core/catalog.ts';
import { fidelityBlock, tokenFidelity } from '../core/fidelity.ts';
import { expandPlans, type PlannedRun, type SuitePlan } from '../core/plan.ts';
import type { RunResult } from '../core/schema.ts';
import type { Progress, RunSpec } from '../core/spec.ts';
import { appendResult } from '../store/results-db.ts';
import { withModelStats } from './model-stats.ts';
import { runInWorker } from './runner-client.ts';
import { deviceRoofline } from '../roofline/client.ts';
import { ROOFLINE_DEVICES, rooflineSummary, utilisationOf, type RooflineResult } from '../roofline/roofline.ts';

export type SuiteEvent =
  | { type: 'prepare'; message: string; done: number; total: number }
  | { type: 'suite-start'; suiteId: string; total: number }
  | { type: 'run-start'; index: number; total: number; spec: RunSpec }
  | { type: 'run-progress'; index: number; total: number; progress: Progress }
  /** The run's worker is gone and its figures are in: what follows (counting FLOPs) is not the run's. */
  | { type: 'run-measured'; index: number; total: number }
  /** `countMs`: what counting the model's parameters and FLOPs after the run took (0 when counted before). */
  | { type: 'run-end'; index: number; total: number; result: RunResult; countMs: number }
  | { type: 'suite-end'; suiteId: string; results: RunResult[] };

export interface SuiteOptions {
  catalog: Catalog;
  onEvent?: (e: SuiteEvent) => void;
  /** Aborts the run in progress (logged as `aborted`) and starts no further run. */
  signal?: AbortSignal;
}

/** A version-4 UUID from getRandomValues: the fallback where randomUUID is missing. */
function randomUuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// NOTE: crypto.randomUUID exists only in secure contexts; a remote browser that opens the app over plain http on
// another host (--host 0.0.0.0) has getRandomValues alone, and its wasm runs are still worth having.
export const newId = (): string => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : randomUuid());

const groupKey = (spec: RunSpec): string => `${spec.model.id}\u0000${spec.device}\u0000${spec.engine}`;

/** Groups (model × device) that run at fp32 and at another level: their outputs are needed for fidelity. */
function comparedGroups(planned: readonly PlannedRun[]): Set<string> {
  const levels = new Map<string, Set<string>>();
  for (const p of planned) {
    // A replica's outputs come from synthetic weights: comparing them to fp32 would measure nothing.
    if (p.kind !== 'run' || p.spec.model.source === 'replica') continue;
    const key = groupKey(p.spec);
    if (!levels.has(key)) levels.set(key, new Set());
    levels.get(key)!.add(p.spec.model.dtype);
  }
  return new Set([...levels].filter(([, l]) => l.has('fp32') && l.size > 1).map(([k]) => k));
}

/** The roofline of each backend the plans use, measured once (or cached) before their runs; a reason where none. */
async function rooflines(plans: readonly SuitePlan[], emit: (e: SuiteEvent) => void): Promise<Map<string, RooflineResult>> {
  const out = new Map<string, RooflineResult>();
  const asked = plans.find((p) => p.roofline)?.roofline;
  if (!asked) return out;
  const devices = ROOFLINE_DEVICES.filter((d) => plans.some((p) => p.roofline && p.devices.includes(d)));
  for (const [i, device] of devices.entries()) {
    emit({ type: 'prepare', message: `measuring the ${device} roofline (bandwidth, GFLOP/s)`, done: i, total: devices.length });
    const result = await deviceRoofline(device, {
      quick: asked === 'quick',
      onProgress: (p) => emit({ type: 'prepare', message: `${device} roofline: ${p.phase}${p.detail ? ` ${p.detail}` : ''}`, done: i, total: devices.length }),
    });
    out.set(device, result);
  }
  if (devices.length) emit({ type: 'prepare', message: 'roofline measured', done: devices.length, total: devices.length });
  return out;
}

/** Record the backend's roofline in the run's env and the run's utilisation of it. */
function withUtilisation(result: RunResult, spec: RunSpec, roofs: Map<string, RooflineResult>): void {
  const roof = roofs.get(spec.device);
  if (!roof) {
    if (roofs.size) result.utilisationReason = `no roofline for ${spec.device}`;
    return;
  }
  if (!roof.roofline) {
    result.utilisationReason = `no ${spec.device} roofline: ${roof.reason}`;
    return;
  }
  if (result.env) result.env.roofline = rooflineSummary(roof.roofline);
  const lm = spec.model.task === 'text-generation';
  const { utilisation, reason } = utilisationOf(
    {
      state: result.state,
      modelBytes: result.model.bytes,
      weightBytesPerToken: result.model.weightBytesPerToken,
      decodeTokPerS: result.generation?.decodeTokPerS ?? null,
      p50Ms: result.timings.latency?.p50Ms ?? null,
      flops: lm ? null : result.model.flops,
      isLanguageModel: lm,
    },
    roof.roofline,
  );
  result.utilisation = utilisation;
  result.utilisationReason = reason;
}

/**
 * Run a suite: one plan, or several run as one suite (one id, one progress count, one log) — the claims suite is
 * the plans its claims need, each with its own workload.
 */
export async function runSuite(plan: SuitePlan | readonly SuitePlan[], options: SuiteOptions): Promise<RunResult[]> {
  const plans: readonly SuitePlan[] = Array.isArray(plan) ? plan : [plan as SuitePlan];
  const suiteId = plans[0]?.suiteId ?? newId();
  const planned = expandPlans(
    plans.map((p) => ({ ...p, suiteId })),
    options.catalog,
    newId,
  );
  const emit = options.onEvent ?? (() => undefined);
  const total = planned.length;
  const results: RunResult[] = [];
  const compared = comparedGroups(planned);
  const references = new Map<string, RunResult>();
  const roofs = await rooflines(plans, emit);
  emit({ type: 'suite-start', suiteId, total });
  for (const [index, item] of planned.entries()) {
    if (options.signal?.aborted) break;
    let result: RunResult;
    let countMs = 0;
    if (item.kind === 'decided') {
      result = item.result;
    } else {
      const spec = item.spec;
      const key = groupKey(spec);
      const keepOutputs = spec.workload.captureOutputs === true;
      // Language models are compared by their greedy tokens, which every generation record carries.
      const generative = spec.model.task === 'text-generation';
      const needOutputs = compared.has(key) && !generative;
      emit({ type: 'run-start', index, total, spec });
      result = await runInWorker(needOutputs ? { ...spec, workload: { ...spec.workload, captureOutputs: true } } : spec, {
        signal: options.signal,
        onProgress: (progress) => emit({ type: 'run-progress', index, total, progress }),
      });
      if (generative && compared.has(key) && result.generation?.tokens.length) {
        const reference = references.get(key);
        if (spec.model.dtype === 'fp32') references.set(key, result);
        else if (reference?.generation?.tokens.length) result.fidelity = tokenFidelity(reference.id, reference.generation.tokens, result.generation.tokens);
      } else if (needOutputs && result.outputs) {
        const reference = references.get(key);
        if (spec.model.dtype === 'fp32') references.set(key, result);
        else if (reference?.outputs) {
          // A variant whose outputs do not line up with fp32's has no fidelity figure; the run itself stands.
          try {
            result.fidelity = fidelityBlock(reference.id, reference.outputs, result.outputs);
          } catch {
            result.fidelity = null;
          }
        }
      }
      // Outputs taken only for fidelity are not logged: they would make every record tens of kilobytes.
      if (!keepOutputs) result = { ...result, outputs: null };
      // Counted now, with the run's worker gone (its memory already measured) and the CLI's OS sampling ended.
      emit({ type: 'run-measured', index, total });
      countMs = await withModelStats(result, spec);
      withUtilisation(result, spec, roofs);
    }
    // Logged before the next run starts: a crash later loses nothing already measured.
    await appendResult(result);
    results.push(result);
    emit({ type: 'run-end', index, total, result, countMs });
  }
  emit({ type: 'suite-end', suiteId, results });
  return results;
}
