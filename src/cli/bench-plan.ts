/**
 * The flags that shape the suite → its plans: levels, engines, inputs, context lengths, the workload and the claims
 * suite, checked before the browser starts; the plans themselves are made once the catalog, the app server and the
 * backends are known (model names → catalog ids, replicas, hub: names, URLs, or files to serve).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_HUB_HOST, findReplica, hubModel, isReplicaName, type Catalog } from '../core/catalog.ts';
import type { Claim } from '../claims/types.ts';
import type { SuitePlan } from '../core/plan.ts';
import { DEFAULT_CONTEXT_LENGTHS, DEFAULT_GENERATION, DEFAULT_WORKLOAD, type GenerationWorkload, type InputOverride, type ModelRef } from '../core/spec.ts';
import {
  DEVICES,
  DTYPES,
  ENGINES,
  ORT_BUILDS,
  InvalidInputError,
  dtypeFromFileName,
  parseList,
  parseOne,
  type Device,
  type Dtype,
  type Engine,
} from '../core/vocab.ts';
import { PROFILE_ENGINES } from '../core/profile.ts';
import { claimRunPlans } from '../claims/plan.ts';
import type { AppServer } from './serve.ts';
import { SUITES, type BenchOptions } from './bench-args.ts';

/** "x=1,3,48,320" or "sr=16000" with --input: a shape (commas/x) or, with a leading "=", a fill value ("sr==16000"). */
export function parseInputFlag(flag: string): [string, InputOverride] {
  const m = /^([^=]+)=(=?)(.+)$/.exec(flag);
  if (!m) throw new InvalidInputError(`--input "${flag}" should look like NAME=1,3,224,224 (a shape) or NAME==16000 (a fill value).`);
  const [, name, isFill, value] = m as unknown as [string, string, string, string];
  if (isFill) {
    const fill = Number(value);
    if (!Number.isFinite(fill)) throw new InvalidInputError(`--input "${flag}": the fill value "${value}" is not a number.`);
    return [name, { fill }];
  }
  const dims = value.split(/[,x]/).map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0))
    throw new InvalidInputError(`--input "${flag}": shape "${value}" should be whole numbers separated by commas, e.g. 1,3,224,224.`);
  return [name, { shape: dims }];
}

/**
 * What the user named → a plan entry: catalog ids and URLs as strings, disk paths as served file refs. A file's
 * level is what its name says (model_q4.onnx → q4, as transformers.js names files), else fp32; the app makes
 * the other levels --dtype asks for from an fp32 file.
 */
export function modelEntry(name: string, catalogIds: readonly string[], server: AppServer): string | ModelRef {
  if (catalogIds.includes(name) || /^https?:\/\//i.test(name) || name.startsWith('hub:') || isReplicaName(name)) return name;
  const path = resolve(name);
  return { id: name, source: 'file', url: server.serveFile(path), dtype: dtypeFromFileName(path), task: 'unknown' };
}

/**
 * Every --model (or inspect argument) in a form the suite can run, checked before anything is built or launched: a
 * bundled id, replica:NAME the catalog knows, hub:ORG/NAME, an http(s) URL, a file path, or a file that exists.
 * Anything else (a typo of an id) is a usage error that lists the valid ids.
 */
export function checkModelNames(names: readonly string[], catalog: Catalog, what = '--model'): void {
  const ids = catalog.models.map((m) => m.id);
  const replicas = (catalog.replicas ?? []).map((r) => `replica:${r.aliases[0] ?? r.id}`);
  for (const name of names) {
    if (ids.includes(name) || /^https?:\/\//i.test(name)) continue;
    if (name.startsWith('hub:')) {
      hubModel(name.slice('hub:'.length), 'fp32', DEFAULT_HUB_HOST, 'text-generation');
      continue;
    }
    if (isReplicaName(name)) {
      if (findReplica(name, catalog)) continue;
      throw new InvalidInputError(
        `Unknown replica "${name}" (${what}). Should be one of: ${replicas.join(', ')} (or a catalog id, an alias, or the id's last part).`,
      );
    }
    // A path (a separator, or a model file's extension) is the user's file: one that is missing ends its run errored
    // with the reason, as any file that fails does. A bare word is an id unless such a file exists.
    if (/[\\/]/.test(name) || /\.(onnx|ort)$/i.test(name)) continue;
    const path = resolve(name);
    if (existsSync(path) && statSync(path).isFile()) continue;
    throw new InvalidInputError(
      `Unknown model "${name}" (${what}): not a bundled model and no such file. Should be one of: ${ids.join(', ')}; or replica:NAME (${replicas.join(', ')}), hub:ORG/NAME, an http(s) URL, or a path to an .onnx file.`,
    );
  }
}

/** --engine: "auto" (both engines where a model has the Hugging Face layout, else ort) or a list. */
export function parseEngines(flag: string): Engine[] | 'auto' {
  return flag.trim() === 'auto' ? 'auto' : parseList('engine', ENGINES, flag);
}

/** --context [list]: absent → null (normal generation); bare → the default lengths; else whole numbers ≥ 1. */
export function parseContext(flag: string | boolean | undefined): number[] | null {
  if (flag === undefined || flag === false) return null;
  if (flag === true) return [...DEFAULT_CONTEXT_LENGTHS];
  const lengths = flag.split(',').map((x) => Number(x.trim()));
  if (lengths.length === 0 || lengths.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidInputError(`--context "${flag}" should be context lengths in tokens, e.g. 128,512,2048 (whole numbers ≥ 1).`);
  }
  return lengths;
}

/** --dtype: absent → fp32; "all" → every level each model ships (and every level for an fp32 file). */
export function parseDtypes(flag: string | undefined): Dtype[] | 'shipped' {
  if (!flag) return ['fp32'];
  return flag.trim() === 'all' ? 'shipped' : parseList('dtype', DTYPES, flag);
}

/** The suite the flags ask for, made once the catalog, the app server and the backends are known. */
export interface PlanMaker {
  /** Null: no --device; the backends depend on the browser (defaultDevices). */
  devices: Device[] | null;
  /** Without --device on remote browsers, which are not probed before planning: the claims suite wasm, else both. */
  remoteDevices: Device[];
  make(catalog: Catalog, server: AppServer, devices: Device[]): SuitePlan[];
}

/** The flags that shape the suite → its plans, once the model names can be resolved (catalog ids, served files). */
export function planFromOptions(opts: BenchOptions, claims: readonly Claim[]): PlanMaker {
  const claimsSuite = parseOne('suite', SUITES, opts.suite) === 'claims';
  const sweep = opts.threads === 'sweep';
  const devices = opts.device ? parseList('device', DEVICES, opts.device) : null;
  if (sweep) {
    const models = claimsSuite
      ? 'the claims suite'
      : opts.model.length === 1
        ? null
        : opts.model.length
          ? `${opts.model.length} models`
          : 'every bundled model (no --model)';
    if (models)
      throw new InvalidInputError(
        `--threads sweep runs one model at every thread count; this run names ${models}. Give one --model, or use --threads auto or a count.`,
      );
    const other = devices?.filter((d) => d !== 'wasm') ?? [];
    if (other.length)
      throw new InvalidInputError(
        `--threads sweep is for --device wasm: ${other.join(', ')} runs its kernels off the CPU, so a sweep there would time the CPU fallback. Use --device wasm, or --threads auto or a count.`,
      );
  }
  const dtypes = parseDtypes(opts.dtype);
  const inputs = Object.fromEntries(opts.input.map(parseInputFlag));
  const engines = parseEngines(opts.engine ?? 'auto');
  const contextLengths = parseContext(opts.context);
  if (opts.maxNewTokens !== undefined && opts.maxNewTokens < 1) throw new InvalidInputError(`--max-new-tokens should be ≥ 1, got ${opts.maxNewTokens}.`);
  const generation: GenerationWorkload = {
    prompt: opts.prompt ?? DEFAULT_GENERATION.prompt,
    maxNewTokens: opts.maxNewTokens ?? (contextLengths ? 16 : DEFAULT_GENERATION.maxNewTokens),
    contextLengths,
  };
  const workload = {
    ...DEFAULT_WORKLOAD,
    generation,
    iterations: opts.iterations,
    warmup: opts.warmup,
    warmupCapMs: opts.warmupCap === 0 ? null : (opts.warmupCap ?? DEFAULT_WORKLOAD.warmupCapMs ?? null),
    timeBudgetMs: opts.timeBudget ?? DEFAULT_WORKLOAD.timeBudgetMs,
    numThreads: opts.threads === 'auto' ? null : (opts.threads ?? null),
    ...(opts.ortBuild ? { ortBuild: parseOne('onnxruntime-web build', ORT_BUILDS, opts.ortBuild) } : {}),
    inputs,
    ...(opts.profile ? { profile: true } : {}),
  };
  if (opts.profile && engines !== 'auto' && !engines.some((e) => PROFILE_ENGINES.includes(e))) {
    throw new InvalidInputError(
      `--profile works on the ort engine only (onnxruntime-web's profiler); --engine ${engines.join(',')} has none. Use --engine ort (or auto: its ort runs are profiled, its transformers runs say why not).`,
    );
  }
  const roofline = opts.roofline ? { roofline: opts.roofline === 'quick' ? ('quick' as const) : true } : {};
  return {
    devices,
    remoteDevices: claimsSuite ? ['wasm'] : ['wasm', 'webgpu'],
    make(catalog, server, chosen) {
      // The claims suite's runs are what its claims need, with their own workloads.
      if (claimsSuite) return claimRunPlans(claims, chosen, catalog).map((p) => ({ ...p, ...roofline }));
      const ids = catalog.models.map((m) => m.id);
      return [
        {
          models: (opts.model.length ? opts.model : ids).map((n) => modelEntry(n, ids, server)),
          devices: chosen,
          dtypes,
          workload,
          repeat: opts.repeat,
          engines,
          ...(opts.hubHost ? { hubHost: opts.hubHost } : {}),
          ...(opts.task ? { task: opts.task } : {}),
          ...roofline,
        },
      ];
    },
  };
}
