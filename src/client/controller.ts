/**
 * The app's one controller: the UI's buttons and the CLI's automation entry (`window.ondevice`) call the same
 * functions, so the headless runner exercises exactly what a person clicks.
 */
import { defaultDevices, threadDevice, type Capabilities } from '../core/capabilities.ts';
import { threadPlans, wantsAutoThreads } from '../core/threads.ts';
import { parseClaims, selectClaims } from '../claims/claims.ts';
import { evaluateClaims } from '../claims/evaluate.ts';
import { claimRunPlans } from '../claims/plan.ts';
import type { Claim, ThresholdOverrides, Verdict } from '../claims/types.ts';
import { resolveModel, type Catalog } from '../core/catalog.ts';
import type { SuitePlan } from '../core/plan.ts';
import type { RunResult } from '../core/schema.ts';
import type { ModelRef, RunSpec } from '../core/spec.ts';
import { DTYPE_FILE_SUFFIX, DTYPES, type Device, type Dtype } from '../core/vocab.ts';
import type { InspectResult, ReplicaBuild } from '../engines/contract.ts';
import type { QuantizeReport } from '../onnx/quantize.ts';
import { parseJsonl, toCsv, toJsonl, type ImportProblem } from '../store/export.ts';
import { appendResults, clearResults, listResults, onStorageProblem, storageProblem, type StorageProblem } from '../store/results-db.ts';
import { bareLoopInWorker, buildReplicaInWorker, clearReplicaCacheInWorker, inspectInWorker, probeCapabilities, quantizeInWorker } from './runner-client.ts';
import { runSuite, type SuiteEvent } from './suite.ts';
import { runTasks, type TaskRequestWire } from './task-runs.ts';
import { renderTextLines, type RenderedText } from './render-text.ts';
import { OCR_SAMPLE_LINES, type TextLine } from '../core/task/ocr-sample.ts';
import { calibrateThreads, clearThreadCache, type CalibrationOutcome } from './thread-calibration.ts';
import { deviceRoofline } from '../roofline/client.ts';
import type { RooflineDevice, RooflineOptions, RooflineResult } from '../roofline/roofline.ts';

export interface Controller {
  catalog(): Promise<Catalog>;
  capabilities(): Promise<Capabilities>;
  /** Runs the plan (or several as one suite); rejects only if another suite is already running. */
  runSuite(plan: SuitePlan | SuitePlan[]): Promise<RunResult[]>;
  /** Abort the suite in progress: the current run ends `aborted`, no further run starts. */
  abort(): boolean;
  isRunning(): boolean;
  results(): Promise<RunResult[]>;
  clearResults(): Promise<void>;
  exportJsonl(): Promise<string>;
  exportCsv(): Promise<string>;
  importJsonl(text: string): Promise<{ added: number; skipped: number; problems: ImportProblem[] }>;
  /** Why results are not being saved (quota exceeded, storage evicted), with how many are held in this page only; null when all are saved. */
  storageProblem(): StorageProblem | null;
  onStorageProblem(listener: (p: StorageProblem | null) => void): () => void;
  bareLoop(spec: RunSpec, iterations: number): Promise<number[]>;
  /** Inspect a catalog model (its fp32 file) or any model reference. */
  inspect(model: string | ModelRef): Promise<InspectResult>;
  /** Build a replica (`replica:NAME` at a level, or a reference) into the cache without running it. */
  buildReplica(model: string | ModelRef, dtype?: Dtype): Promise<ReplicaBuild>;
  /** Empty the replica cache; returns how many files were removed. */
  clearReplicaCache(): Promise<number>;
  /** Make quantized levels of an fp32 model in a worker; each is a model reference (blob URL) and a download. */
  makeLevels(model: ModelRef, levels: Dtype[]): Promise<LevelVariant[]>;
  subscribe(listener: (e: SuiteEvent) => void): () => void;
  /**
   * A task pipeline (OCR, VAD) on one input at each level asked, fp32 first; logged like any run. Rejects only if a
   * suite is already running.
   */
  runTask(request: TaskRequestWire): Promise<RunResult[]>;
  /** Text lines drawn on a canvas as a PNG, with the text they hold (OCR's ground truth; default: the bundled sample). */
  renderText(lines?: readonly TextLine[]): Promise<RenderedText>;
  /** The articles' claims (models/claims.json), checked. */
  claims(): Promise<Claim[]>;
  /**
   * Run every run the claims need (on `devices`, else wasm and — when it is a real GPU — webgpu) as one suite,
   * logged like any other, and judge each claim on this device.
   */
  checkClaims(options?: { devices?: Device[]; overrides?: ThresholdOverrides; only?: string[] }): Promise<ClaimsCheck>;
  /**
   * The thread count `auto` stands for here: the cached calibration, or a new one (one worker per count on the
   * reference workload; `recalibrate` forces one). Aborted by `abort()`, it caches nothing.
   */
  calibrateThreads(options?: { recalibrate?: boolean; budgetMs?: number }): Promise<CalibrationOutcome>;
  /** Forget this browser's thread calibrations: the next `auto` run calibrates again. */
  clearThreadCalibration(): void;
  /** This device's roofline for a backend: the cached figure, or a new measurement (`refresh` forces one). */
  roofline(device: RooflineDevice, options?: Omit<RooflineOptions, 'device'> & { refresh?: boolean }): Promise<RooflineResult & { cached: boolean }>;
}

export interface ClaimsCheck {
  results: RunResult[];
  verdicts: Verdict[];
  devices: Device[];
  /** Why a backend was left out, when one was. */
  note: string | null;
}

export interface LevelVariant {
  model: ModelRef;
  /** transformers.js's file name for the level, e.g. model_q4.onnx. */
  fileName: string;
  bytes: number;
  report: QuantizeReport;
}

export function createController(catalogUrl = 'catalog.json'): Controller {
  const listeners = new Set<(e: SuiteEvent) => void>();
  let running: AbortController | null = null;
  let catalog: Promise<Catalog> | null = null;

  const loadCatalog = (): Promise<Catalog> => {
    catalog ??= fetch(new URL(catalogUrl, location.href)).then(async (r) => {
      if (!r.ok) throw new Error(`Could not load the model catalog from ${r.url}: HTTP ${r.status}. Run \`npm run models\`.`);
      return (await r.json()) as Catalog;
    });
    return catalog;
  };

  const emit = (e: SuiteEvent) => listeners.forEach((l) => l(e));

  let claims: Promise<Claim[]> | null = null;
  const loadClaims = (): Promise<Claim[]> => {
    claims ??= fetch(new URL('claims.json', location.href)).then(async (r) => {
      if (!r.ok) throw new Error(`Could not load the claims from ${r.url}: HTTP ${r.status}.`);
      return parseClaims(await r.json()).claims;
    });
    return claims;
  };

  async function makeLevels(model: ModelRef, levels: Dtype[]): Promise<LevelVariant[]> {
    const wanted = levels.filter((l) => l !== 'fp32');
    const variants = await quantizeInWorker(model, wanted, (done, total, level) =>
      emit({ type: 'prepare', message: done < total ? `quantizing ${model.id} to ${level}` : `quantized ${model.id}`, done, total }),
    );
    return variants.map((v) => {
      const unavailable =
        v.level !== 'fp16' && v.report.quantized.length === 0
          ? `The quantizer found nothing to make ${v.level} from in "${model.id}" (${
              Object.entries(v.report.untouchedOps)
                .map(([op, n]) => `${n} ${op}`)
                .join(', ') || 'no MatMul, Gemm or Conv with constant weights'
            }).`
          : undefined;
      const url = URL.createObjectURL(new Blob([v.bytes as BlobPart], { type: 'application/octet-stream' }));
      return {
        model: { ...model, dtype: v.level, url, ...(unavailable ? { unavailable } : {}) },
        fileName: `model${DTYPE_FILE_SUFFIX[v.level]}.onnx`,
        bytes: v.bytes.byteLength,
        report: v.report,
      };
    });
  }

  /** Files and URLs are single fp32 files: when a plan asks for more levels, make them first. */
  async function withLevels(plan: SuitePlan): Promise<SuitePlan> {
    const levels = plan.dtypes === 'shipped' ? [...DTYPES] : plan.dtypes;
    if (!levels.some((l) => l !== 'fp32')) return plan;
    const models: SuitePlan['models'] = [];
    for (const m of plan.models) {
      if (typeof m === 'string' || m.dtype !== 'fp32') {
        models.push(m);
        continue;
      }
      models.push(m);
      try {
        for (const v of await makeLevels(m, levels)) models.push(v.model);
      } catch (err) {
        const message = `Could not make the quantized levels of "${m.id}": ${(err as Error).message}`;
        for (const level of levels.filter((l) => l !== 'fp32')) models.push({ ...m, dtype: level, unavailable: message });
      }
    }
    return { ...plan, models };
  }

  /** Every plan with its threads decided: `auto` calibrated (or cached) once for the suite, `sweep` one plan per count. */
  async function withThreads(plans: SuitePlan[], signal: AbortSignal): Promise<SuitePlan[]> {
    if (!plans.some((p) => p.workload.numThreads === 'sweep' || wantsAutoThreads(p))) return plans;
    const caps = await probeCapabilities();
    // WebGPU runs keep onnxruntime's CPU threads too, but a calibration (timed on wasm) is only worth its seconds for wasm runs.
    const measure = plans.some((p) => wantsAutoThreads(p) && p.devices.includes('wasm'));
    // An abort during calibration leaves the suite nothing to run (it stops before its first run): no choice needed.
    const auto = plans.some(wantsAutoThreads)
      ? await calibrate({ signal, measure }, caps).then(
          (c) => c.choice,
          (err: Error) => {
            if (err.name === 'AbortError') return null;
            throw err;
          },
        )
      : null;
    return plans.flatMap((p) => threadPlans(p, threadDevice(caps), auto));
  }

  async function calibrate(
    options: { recalibrate?: boolean; budgetMs?: number; signal?: AbortSignal; measure?: boolean },
    caps?: Capabilities,
  ): Promise<CalibrationOutcome> {
    return calibrateThreads({
      ...options,
      catalog: await loadCatalog(),
      caps: caps ?? (await probeCapabilities()),
      onProgress: (message, done, total) => emit({ type: 'prepare', message, done, total }),
    });
  }

  const api: Controller = {
    catalog: loadCatalog,
    capabilities: probeCapabilities,
    async runSuite(plan) {
      if (running) throw new Error('A suite is already running: abort it or wait for it to end.');
      const controller = new AbortController();
      running = controller;
      try {
        const prepared: SuitePlan[] = [];
        try {
          for (const p of Array.isArray(plan) ? plan : [plan]) prepared.push(await withLevels(p));
          const threaded = await withThreads(prepared, controller.signal);
          return await runSuite(threaded, { catalog: await loadCatalog(), signal: controller.signal, onEvent: emit });
        } finally {
          for (const m of prepared.flatMap((p) => p.models)) if (typeof m !== 'string' && m.url.startsWith('blob:')) URL.revokeObjectURL(m.url);
        }
      } finally {
        running = null;
      }
    },
    abort() {
      if (!running) return false;
      running.abort();
      return true;
    },
    isRunning: () => running !== null,
    results: listResults,
    clearResults,
    exportJsonl: async () => toJsonl(await listResults()),
    exportCsv: async () => toCsv(await listResults()),
    async importJsonl(text) {
      const { results, problems } = parseJsonl(text);
      const { added, skipped } = await appendResults(results);
      return { added, skipped, problems };
    },
    storageProblem,
    onStorageProblem,
    bareLoop: bareLoopInWorker,
    async inspect(model) {
      return inspectInWorker(typeof model === 'string' ? resolveModel(model, 'fp32', await loadCatalog()) : model);
    },
    async buildReplica(model, dtype = 'fp32') {
      const ref = typeof model === 'string' ? resolveModel(model, dtype, await loadCatalog()) : model;
      if (ref.unavailable) throw new Error(ref.unavailable);
      return buildReplicaInWorker(ref, (written, total) => emit({ type: 'prepare', message: `building ${ref.id} (${ref.dtype})`, done: written, total }));
    },
    clearReplicaCache: clearReplicaCacheInWorker,
    makeLevels,
    roofline: (device, options = {}) =>
      deviceRoofline(device, {
        ...options,
        onProgress: (p) => emit({ type: 'prepare', message: `${device} roofline: ${p.phase}${p.detail ? ` ${p.detail}` : ''}`, done: p.done, total: p.total }),
      }),
    async calibrateThreads(options = {}) {
      if (running) throw new Error('A suite is already running: abort it or wait for it to end.');
      const controller = new AbortController();
      running = controller;
      try {
        return await calibrate({ ...options, signal: controller.signal });
      } finally {
        running = null;
      }
    },
    clearThreadCalibration: () => clearThreadCache(),
    claims: loadClaims,
    async checkClaims(options = {}) {
      const [file, cat] = await Promise.all([loadClaims(), loadCatalog()]);
      const all = selectClaims(file, options.only);
      const chosen = options.devices?.length ? { devices: options.devices, note: null } : defaultDevices(await probeCapabilities(), 'app');
      const results = await api.runSuite(claimRunPlans(all, chosen.devices, cat));
      return { results, verdicts: evaluateClaims(all, results, options.overrides), ...chosen };
    },
    async runTask(request) {
      if (running) throw new Error('A suite is already running: abort it or wait for it to end.');
      const controller = new AbortController();
      running = controller;
      try {
        return await runTasks(request, { catalog: await loadCatalog(), signal: controller.signal, onEvent: emit });
      } finally {
        running = null;
      }
    },
    renderText: (lines = OCR_SAMPLE_LINES) => renderTextLines(lines),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return api;
}
