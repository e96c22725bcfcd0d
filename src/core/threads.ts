/** WASM thread counts: what is valid on a device, which counts a calibration tries, and which one it picks. */
import { InvalidInputError } from './vocab.ts';

/** What a run asks for: a count, `auto` (calibrated per device) or `sweep` (one model at every count). */
export type ThreadsRequest = number | 'auto' | 'sweep';

/** The most threads a calibration or a sweep tries: past 8, onnxruntime's small-model kernels gain nothing. */
export const MAX_SWEEP_THREADS = 8;

/** Counts a flag or link may name before the device is known (emscripten's pthread pool is sized at start). */
export const MAX_THREADS = 256;

/**
 * Two counts whose p50s differ by no more than this share are a tie, and the fewer threads win: fewer threads
 * leave cores to the rest of the machine, and onnxruntime's spinning pool loses badly when the machine is busy.
 */
export const THREAD_TOLERANCE = 0.03;

/**
 * The calibration's reference workload: PP-OCRv4's text detector at fp32, a real convolutional network (the kind of
 * vision model people ship) at tens of ms per run on wasm. It was PP-OCR's direction classifier (1–1.5 ms), but on
 * 2 cores that model's 2-thread runs are bimodal (1.0 or 1.5 ms, by how fast the pool's second thread wakes up), so
 * the choice flipped between benches: bench:config (3 rounds) measured 1 thread chosen while 2 threads were 1.7×
 * faster on PP-OCRv4 det and rec, the MobileNetV2 and ResNet-50 replicas and SmolLM2-135M q8. Larger parallel
 * sections make wake-up latency small beside the work, as it is for the models that matter. mlp-1m (0.1 ms) would
 * measure thread start-up only.
 */
export const CALIBRATION_MODEL = Object.freeze({ id: 'ppocr-v4-det', dtype: 'fp32' as const });

export interface ThreadTiming {
  threads: number;
  p50Ms: number;
  /** Samples the p50 is of. */
  n: number;
}

/** What a calibration measured and chose; kept per device fingerprint, written once when it completes. */
export interface ThreadCalibration {
  fingerprint: string;
  /** The reference workload, e.g. "ppocr-v2-cls fp32". */
  reference: string;
  timings: ThreadTiming[];
  chosen: number;
  ortDefault: number;
  tolerance: number;
  rounds: number;
  /** Loading the workers (onnxruntime's wasm compiled in each), side by side: most of a calibration's time. */
  loadMs?: number;
  /** The warm-up (counts taking turns until their runs stop getting faster) and its runs per count. */
  warmupMs?: number;
  warmupRuns?: number[];
  /** Wall time of the whole calibration, loading the workers included. */
  elapsedMs: number;
  measuredAt: string;
}

/** The count a run used and why: recorded in every result (env.threads). `chosen` is null when the run never started. */
export interface ThreadChoice {
  requested: ThreadsRequest;
  chosen: number | null;
  /** onnxruntime-web's own default on this device, for comparison. */
  ortDefault: number;
  reason: string;
  /** The calibration behind an `auto` choice (null otherwise). */
  calibration: { reference: string; timings: ThreadTiming[]; measuredAt: string; elapsedMs: number; cached: boolean } | null;
}

/** What thread choices depend on: the device as the page sees it. */
export interface ThreadDevice {
  hardwareConcurrency: number | null;
  /** WASM threads are possible (cross-origin isolated, SharedArrayBuffer present). */
  threads: boolean;
}

/** onnxruntime-web's default numThreads: min(4, ceil(cores / 2)), and 1 without cross-origin isolation. */
export function ortDefaultThreads(device: ThreadDevice): number {
  if (!device.threads) return 1;
  return Math.min(4, Math.ceil((device.hardwareConcurrency || 1) / 2));
}

/** The most threads a run may ask for here: every core when threads are possible, else 1. */
export function maxThreads(device: ThreadDevice): number {
  return device.threads ? Math.max(1, device.hardwareConcurrency ?? 1) : 1;
}

/** The valid values, as messages name them: "1–2, auto or sweep". */
export function validThreadsText(device: ThreadDevice): string {
  const max = maxThreads(device);
  return `${max === 1 ? '1' : `1–${max}`}, auto or sweep`;
}

/** The counts a calibration or a sweep tries: 1 to min(cores, 8), always with onnxruntime-web's default. */
export function threadCandidates(device: ThreadDevice): number[] {
  const top = Math.min(maxThreads(device), MAX_SWEEP_THREADS);
  const counts = new Set(Array.from({ length: top }, (_, i) => i + 1));
  counts.add(ortDefaultThreads(device));
  return [...counts].sort((a, b) => a - b);
}

/**
 * The count to use: the fastest p50, or the fewest threads whose p50 is within `tolerance` of it. Throws on no
 * timings: a choice of nothing is a bug, not a default.
 */
export function chooseThreads(timings: readonly ThreadTiming[], tolerance = THREAD_TOLERANCE): { chosen: number; fastest: number } {
  if (timings.length === 0) throw new Error('chooseThreads: no timings to choose from');
  const fastest = timings.reduce((a, b) => (b.p50Ms < a.p50Ms || (b.p50Ms === a.p50Ms && b.threads < a.threads) ? b : a));
  const within = timings.filter((t) => t.p50Ms <= fastest.p50Ms * (1 + tolerance));
  return { chosen: Math.min(...within.map((t) => t.threads)), fastest: fastest.threads };
}

/** A p50 in a reason: three significant figures, as the tables print it. */
const ms = (v: number): string => `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;
const plural = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;

/** "calibrated on ppocr-v2-cls fp32: 1 thread 12.1 ms, 2 threads 14.8 ms; cached from 2026-12-02 17:40 UTC". */
export function calibrationReason(cal: Pick<ThreadCalibration, 'reference' | 'timings' | 'chosen' | 'tolerance' | 'measuredAt'>, cached: boolean): string {
  const figures = cal.timings.map((t) => `${plural(t.threads)} ${ms(t.p50Ms)}`).join(', ');
  const fastest = chooseThreads(cal.timings, 0).fastest;
  const tie = fastest !== cal.chosen ? `; ${plural(cal.chosen)} is within ${Math.round(cal.tolerance * 100)} % of the fastest, and fewer` : '';
  const when = cached ? `; cached from ${cal.measuredAt.slice(0, 16).replace('T', ' ')} UTC` : '';
  return `calibrated on ${cal.reference}: ${figures}${tie}${when}`;
}

/** The choice for `auto` where no calibration is needed (one count possible) or none was made; null: calibrate. */
export function fixedAutoChoice(device: ThreadDevice, calibrated: boolean): ThreadChoice | null {
  const ortDefault = ortDefaultThreads(device);
  if (!device.threads)
    return {
      requested: 'auto',
      chosen: 1,
      ortDefault,
      reason: 'the page is not cross-origin isolated, so WASM runs on 1 thread (threads need SharedArrayBuffer)',
      calibration: null,
    };
  if (maxThreads(device) === 1) return { requested: 'auto', chosen: 1, ortDefault, reason: 'the device has one core', calibration: null };
  if (!calibrated)
    return {
      requested: 'auto',
      chosen: ortDefault,
      ortDefault,
      reason: `not calibrated: onnxruntime-web's default, min(4, ceil(${device.hardwareConcurrency} cores / 2))`,
      calibration: null,
    };
  return null;
}

/** The choice a calibration makes for `auto`. */
export function calibratedChoice(cal: ThreadCalibration, cached: boolean): ThreadChoice {
  return {
    requested: 'auto',
    chosen: cal.chosen,
    ortDefault: cal.ortDefault,
    reason: calibrationReason(cal, cached),
    calibration: { reference: cal.reference, timings: cal.timings, measuredAt: cal.measuredAt, elapsedMs: cal.elapsedMs, cached },
  };
}

/** Why a count cannot run on this device (named with the valid values), or null when it can. */
export function threadsProblem(requested: number, device: ThreadDevice): string | null {
  const max = maxThreads(device);
  if (Number.isInteger(requested) && requested >= 1 && requested <= max) return null;
  const why = !device.threads
    ? 'the page is not cross-origin isolated, so WASM runs on 1 thread'
    : `this device has ${device.hardwareConcurrency ?? 1} core${device.hardwareConcurrency === 1 ? '' : 's'}`;
  return `Threads ${requested} cannot run here: ${why}. Should be ${validThreadsText(device)}.`;
}

/** Why a sweep plan cannot run as asked (it runs one model), or null. */
export function sweepProblem(plan: { models: readonly unknown[] }): string | null {
  if (plan.models.length !== 1) {
    return `threads=sweep runs one model at every thread count; this run names ${plan.models.length} models. Pick one, or use threads auto or a number.`;
  }
  return null;
}

/** A sweep's runs on a backend other than wasm: WebGPU (and WebNN) run their kernels off the CPU. */
export const SWEEP_WEBGPU_PROBLEM =
  'threads=sweep is for WASM: WebGPU runs its kernels on the GPU, so a sweep there would time the CPU fallback. Run webgpu with threads auto or a number, or sweep on wasm.';

/**
 * Parse a threads value from a flag or a link: a whole number from 1 to `max`, `auto` or `sweep`. `max` is the
 * device's cores where the caller knows them, else MAX_THREADS; the message names the input and the valid values.
 */
export function parseThreads(value: string, what: string, max = MAX_THREADS, where = ''): ThreadsRequest {
  const v = value.trim();
  if (v === 'auto' || v === 'sweep') return v;
  const n = Number(v);
  if (v !== '' && Number.isInteger(n) && n >= 1 && n <= max) return n;
  const range = max === 1 ? '1' : `a whole number from 1 to ${max}`;
  const cores = max === MAX_THREADS ? '' : ` (this device has ${max} core${max === 1 ? '' : 's'})`;
  throw new InvalidInputError(`Bad ${what} "${value}"${where}. Should be ${range}${cores}, auto or sweep.`);
}

export interface SweepRow {
  threads: number;
  p50Ms: number | null;
  best: boolean;
  ortDefault: boolean;
}

/** A sweep's rows (one per count, in order), the best marked by the calibration's rule; null p50 where a run failed. */
export function sweepRows(runs: readonly { threads: number; p50Ms: number | null; n: number }[], ortDefault: number, tolerance = THREAD_TOLERANCE): SweepRow[] {
  const timed = runs.filter((r): r is ThreadTiming => r.p50Ms !== null);
  const best = timed.length ? chooseThreads(timed, tolerance).chosen : null;
  return [...runs]
    .sort((a, b) => a.threads - b.threads)
    .map((r) => ({ threads: r.threads, p50Ms: r.p50Ms, best: r.threads === best, ortDefault: r.threads === ortDefault }));
}

/**
 * What the worker runs with: the page's choice where it made one (`auto` calibrated, a sweep's count), else the
 * spec's count checked against the device, else (auto, not resolved by a page) onnxruntime-web's default. `problem`
 * set: the run ends unsupported with it.
 */
export function runThreads(
  numThreads: number | 'sweep' | null | undefined,
  pageChoice: ThreadChoice | null | undefined,
  device: ThreadDevice,
): { choice: ThreadChoice; problem: string | null } {
  const ortDefault = ortDefaultThreads(device);
  if (numThreads === 'sweep') {
    const problem =
      pageChoice?.chosen === null && pageChoice.reason
        ? pageChoice.reason
        : "threads=sweep is run by the page as one run per thread count (the app, or the CLI's --threads sweep); a single run needs a count or auto.";
    return { choice: { requested: 'sweep', chosen: null, ortDefault, reason: problem, calibration: null }, problem };
  }
  const count = numThreads ?? pageChoice?.chosen ?? null;
  if (count === null) return { choice: pageChoice ?? fixedAutoChoice(device, false)!, problem: null };
  const problem = threadsProblem(count, device);
  const choice: ThreadChoice = pageChoice ?? { requested: count, chosen: count, ortDefault, reason: 'asked for', calibration: null };
  return problem ? { choice: { ...choice, chosen: null, reason: problem }, problem } : { choice, problem: null };
}

/** The part of a suite plan threads change (structural, so this module needs no import of the plan's). */
interface ThreadPlan {
  models: readonly unknown[];
  devices: readonly string[];
  workload: { numThreads?: number | 'sweep' | null; threadChoice?: ThreadChoice | null };
}

/** Whether a plan leaves threads to `auto` (and so needs the calibration's choice). */
export const wantsAutoThreads = (plan: ThreadPlan): boolean => plan.workload.numThreads == null;

/**
 * A plan with its threads decided by the page: `auto` carries the calibrated choice; `sweep` becomes one plan per
 * count on wasm (and, for other backends or more than one model, plans whose runs end unsupported with the reason);
 * a number is left for the worker to check against the device.
 */
export function threadPlans<P extends ThreadPlan>(plan: P, device: ThreadDevice, auto: ThreadChoice | null): P[] {
  const n = plan.workload.numThreads;
  if (n == null) return [auto ? { ...plan, workload: { ...plan.workload, threadChoice: auto } } : plan];
  if (n !== 'sweep') return [plan];
  const ortDefault = ortDefaultThreads(device);
  const refused = (p: P, reason: string): P => ({
    ...p,
    workload: { ...p.workload, numThreads: 'sweep', threadChoice: { requested: 'sweep', chosen: null, ortDefault, reason, calibration: null } },
  });
  const problem = sweepProblem(plan);
  if (problem) return [refused(plan, problem)];
  const out: P[] = [];
  if (plan.devices.includes('wasm')) {
    const counts = threadCandidates(device);
    for (const k of counts) {
      const choice: ThreadChoice = { requested: 'sweep', chosen: k, ortDefault, reason: `sweep: ${plural(k)} of ${counts.join(', ')}`, calibration: null };
      out.push({ ...plan, devices: ['wasm'], workload: { ...plan.workload, numThreads: k, threadChoice: choice } });
    }
  }
  const others = plan.devices.filter((d) => d !== 'wasm');
  if (others.length) out.push(refused({ ...plan, devices: others }, SWEEP_WEBGPU_PROBLEM));
  return out;
}
