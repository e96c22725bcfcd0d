/**
 * The one engine interface: what the runtime (runtime.ts) asks of every engine in its table (table.ts). An engine
 * says what it takes (its capabilities: a run outside them ends unsupported with `unsupportedBy`'s reason), loads a
 * model into something to time — one unit of work (`Runnable.run`) or a language model (`LanguageModel.generate`),
 * which measure.ts times with the same code for every engine — and the loaded model disposes of itself. A new
 * engine is one file that exports an `Engine` and one line in table.ts (its name and label are in core/vocab.ts).
 */
import type { Capabilities } from '../core/capabilities.ts';
import type { OutputRecord, RunResult } from '../core/schema.ts';
import type { Progress, RunSpec } from '../core/spec.ts';
import { buildHasDevice, ENGINE_LABEL, type Device, type Dtype, type Engine as EngineName, type ModelSource } from '../core/vocab.ts';
import { notInHfLayout } from './hf-files.ts';
import type { LanguageModel } from './lm.ts';

/** What an engine takes. Every field is checked before anything is fetched (`unsupportedBy`). */
export interface EngineCapabilities {
  devices: readonly Device[];
  dtypes: readonly Dtype[];
  /** Model tasks it runs; 'any': whatever the model's task (a non-generative one is timed per call). */
  tasks: readonly string[] | 'any';
  sources: readonly ModelSource[];
  /** The tasks for which a model must be a folder in the Hugging Face layout, not a single .onnx file ('any': all). A replica brings its own. */
  hfLayoutFor: readonly string[] | 'any';
  /** Whether a run may choose onnxruntime-web's build (`workload.ortBuild`); otherwise the engine loads its own. */
  ortBuildChoice: boolean;
}

/** One timed unit of work (an inference, a pipeline call), and its release. */
export interface Runnable {
  run(capture: boolean): Promise<OutputRecord[] | null>;
  dispose(): Promise<void>;
}

/** A loaded model: timed per `run`, or a language model timed per generated token. */
export type Loaded = { kind: 'runnable'; model: Runnable } | { kind: 'lm'; model: LanguageModel };

/** What a load gets: the run's thread count (already checked), the device, the record to fill, and the run's hooks. */
export interface LoadContext {
  threads: number;
  caps: Capabilities;
  result: RunResult;
  onProgress: (p: Progress) => void;
  aborted: () => boolean;
}

/** A profiled iteration (RunnerApi.profile): what it ran, and the profiler's trace in onnxruntime's format. */
export interface ProfileRun {
  workload: string;
  text: string;
  /** Session runs in the trace before the profiled ones (warm-up). */
  skipRuns: number;
  /** Session runs per profiled repeat, when there were several; null for one. */
  repeatRuns: number | null;
}

export interface Engine {
  name: EngineName;
  capabilities: EngineCapabilities;
  /**
   * Load the spec's model: fills `result.env.ortBuild`, the load timings (`timings.loadMs`, and the fetch, build
   * and session parts it can tell apart), `model.bytes`, and for a runnable `workload.inputs`.
   */
  load(spec: RunSpec, ctx: LoadContext): Promise<Loaded>;
  /**
   * One more iteration with a per-operator profiler, on a second session (after the measured one is gone).
   * Absent: the engine has no profiler (core/profile.ts says why to the page).
   */
  profile?(spec: RunSpec, measuredP50Ms: number | null, aborted: () => boolean): Promise<ProfileRun>;
}

/** The run cannot happen here; it ends `unsupported` with this message (thrown during a load, e.g. a replica too big). */
export class UnsupportedError extends Error {
  override name = 'UnsupportedError';
}

const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(' or ');

/**
 * Why `engine` cannot run `spec` (its source, layout, task, onnxruntime-web build, device or level), or null;
 * `table`: every engine, to name the ones that can. Whether this device has the backend is core/capabilities.ts's.
 */
export function unsupportedBy(spec: RunSpec, engine: Engine, table: readonly Engine[]): string | null {
  const c = engine.capabilities;
  const { source, task } = spec.model;
  const label = ENGINE_LABEL[engine.name];
  const takers = (ok: (e: EngineCapabilities) => boolean) => quoted(table.filter((e) => ok(e.capabilities)).map((e) => e.name));
  if (!c.sources.includes(source)) {
    return source === 'replica'
      ? `Replicas run on engine ${takers((e) => e.sources.includes('replica'))} only: ${label} needs the real model's files (tokenizer, config, weights), and a replica has only its architecture.`
      : `Models from source "${source}" run on engine ${takers((e) => e.sources.includes(source))} only.`;
  }
  if (!spec.model.repo && !spec.model.replica) {
    if (c.hfLayoutFor === 'any')
      return notInHfLayout(spec.model.id, {
        engine: engine.name,
        instead: table
          .filter((e) => e.capabilities.hfLayoutFor !== 'any' && (e.capabilities.tasks === 'any' || e.capabilities.tasks.includes(task)))
          .map((e) => e.name),
      });
    if (c.hfLayoutFor.includes(task)) return notInHfLayout(spec.model.id, { task });
  }
  const build = spec.workload.ortBuild;
  if (build && !buildHasDevice(build, spec.device)) {
    return `onnxruntime-web's ${build} build has no ${spec.device} execution provider (it is CPU only). Use build asyncify or jsep for ${spec.device}, or device "wasm".`;
  }
  if (build && !c.ortBuildChoice)
    return `Choosing the onnxruntime-web build works on engine ${takers((e) => e.ortBuildChoice)} only; ${label} loads its own (${engine.name}).`;
  if (c.tasks !== 'any' && !c.tasks.includes(task)) return `Engine "${engine.name}" (${label}) does not run ${task} models; it runs ${c.tasks.join(', ')}.`;
  if (!c.devices.includes(spec.device)) return `Engine "${engine.name}" (${label}) does not run on ${spec.device}; use device ${quoted(c.devices)}.`;
  if (!c.dtypes.includes(spec.model.dtype))
    return `Engine "${engine.name}" (${label}) does not run ${spec.model.dtype} models; it runs ${c.dtypes.join(', ')}.`;
  return null;
}
