/**
 * The suite plans the claims need: each claim's groups of runs (Claim.runs) become workloads, and every (model,
 * level, workload) is planned once however many claims need it. Pure: no DOM, no worker, no onnxruntime.
 */
import { findReplica, ggufReplicable, isReplicaName, REPLICA_PREFIX, type Catalog } from '../core/catalog.ts';
import { GGUF_TWIN } from '../core/engine-sides.ts';
import type { Claim, ClaimRuns } from './types.ts';
import type { SuitePlan } from '../core/plan.ts';
import { DEFAULT_WORKLOAD, type InputOverride, type Workload } from '../core/spec.ts';
import { DTYPES, InvalidInputError, type Device, type Dtype } from '../core/vocab.ts';

/** Replicas take one prompt token per 4 UTF-8 bytes (src/engines/ort-lm.ts): an ASCII prompt of 4·n characters is n tokens. */
export function promptOfTokens(tokens: number): string {
  const sentence = 'Small models run on the device in your hand, and this prompt measures how fast they answer. ';
  return sentence.repeat(Math.ceil((4 * tokens) / sentence.length)).slice(0, 4 * tokens);
}

/** New tokens per generation when a claim does not say. */
const CLAIM_NEW_TOKENS = 8;

/**
 * The workload of a group of claim runs, with its keys in a fixed order (so equal workloads stringify equally).
 * Warm-up is at least the first run, then until steady (none for language models, below). An `inspect` group is run as
 * one timed inference: the run records the graph's parameters, FLOPs and input shapes, which is what it asks.
 */
function workloadOf(g: ClaimRuns): Workload {
  const lm = g.kind === 'generation' || g.kind === 'context';
  const w: Workload = {
    iterations: g.kind === 'inspect' ? 1 : (g.iterations ?? DEFAULT_WORKLOAD.iterations),
    // Language models: no warm-up generation (a 3.8 B model's 128-token prefill on wasm takes minutes; the one
    // measured generation is then cold: its TTFT includes first-run costs, as a user's first question would).
    warmup: lm ? 0 : 1,
    timeBudgetMs: DEFAULT_WORKLOAD.timeBudgetMs ?? null,
  };
  // The timed claims (latency): warm up until steady, or the JIT's tier-up is what the verdict measures.
  if (!lm && g.kind !== 'inspect') w.warmupCapMs = DEFAULT_WORKLOAD.warmupCapMs ?? null;
  if (g.inputs)
    w.inputs = Object.fromEntries(
      Object.keys(g.inputs)
        .sort()
        .map((k) => [k, sortedOverride(g.inputs![k]!)]),
    );
  if (lm) {
    w.generation = {
      prompt: promptOfTokens(g.promptTokens ?? 128),
      maxNewTokens: g.maxNewTokens ?? CLAIM_NEW_TOKENS,
      contextLengths: g.kind === 'context' ? [...(g.contextLengths ?? [])] : null,
    };
  }
  return w;
}

const sortedOverride = (o: InputOverride): InputOverride => ({
  ...(o.shape ? { shape: [...o.shape] } : {}),
  ...(o.fill !== undefined ? { fill: o.fill } : {}),
});

/**
 * The GGUF levels a generation group also runs a replica at, beside the ONNX levels it names (q4 → q4_0): those of
 * decoders with a GGUF replica builder, so wllama runs beside onnxruntime-web and the claim judges the fastest engine.
 * Context sweeps stay on the levels named.
 */
export function ggufTwins(g: ClaimRuns, model: string, catalog: Catalog): Dtype[] {
  if (g.kind !== 'generation' || !isReplicaName(model)) return [];
  const entry = findReplica(model, catalog);
  if (!entry || !ggufReplicable(entry)) return [];
  return g.dtypes.flatMap((d) => GGUF_TWIN[d] ?? []);
}

/** A model a claim names must be the id results will carry: a catalog id, or `replica:` + the replica's catalog id. */
function checkModel(claim: Claim, model: string, catalog: Catalog): void {
  if (isReplicaName(model)) {
    const entry = findReplica(model, catalog);
    if (!entry)
      throw new InvalidInputError(
        `Claim "${claim.id}" needs "${model}", which the catalog's replicas lack. Replicas: ${(catalog.replicas ?? []).map((r) => `${REPLICA_PREFIX}${r.id}`).join(', ')}.`,
      );
    if (model !== `${REPLICA_PREFIX}${entry.id}`) {
      throw new InvalidInputError(
        `Claim "${claim.id}" names "${model}": write the replica's catalog id, ${REPLICA_PREFIX}${entry.id}, the id its results carry.`,
      );
    }
  } else if (!catalog.models.some((m) => m.id === model)) {
    throw new InvalidInputError(`Claim "${claim.id}" needs "${model}", which is not in the catalog. Models: ${catalog.models.map((m) => m.id).join(', ')}.`);
  }
}

/**
 * The suite plans that cover every run the claims need, each (model, level, workload) once however many claims
 * need it: runs are grouped by workload, and within a workload the models that need the same levels share a plan.
 */
export function claimRunPlans(claims: readonly Claim[], devices: readonly Device[], catalog: Catalog): SuitePlan[] {
  const byWorkload = new Map<string, { workload: Workload; levels: Map<string, Set<Dtype>> }>();
  for (const claim of claims) {
    for (const g of claim.runs) {
      const workload = workloadOf(g);
      const key = JSON.stringify(workload);
      const entry = byWorkload.get(key) ?? { workload, levels: new Map<string, Set<Dtype>>() };
      byWorkload.set(key, entry);
      for (const model of g.models) {
        checkModel(claim, model, catalog);
        const levels = entry.levels.get(model) ?? new Set<Dtype>();
        for (const d of g.dtypes) levels.add(d);
        for (const d of ggufTwins(g, model, catalog)) levels.add(d);
        entry.levels.set(model, levels);
      }
    }
  }
  const plans: SuitePlan[] = [];
  for (const { workload, levels } of byWorkload.values()) {
    const byLevels = new Map<string, { dtypes: Dtype[]; models: string[] }>();
    for (const [model, set] of levels) {
      const dtypes = DTYPES.filter((d) => set.has(d));
      const key = dtypes.join(',');
      const group = byLevels.get(key) ?? { dtypes, models: [] };
      group.models.push(model);
      byLevels.set(key, group);
    }
    for (const { dtypes, models } of byLevels.values()) plans.push({ models, devices: [...devices], dtypes, workload });
  }
  return plans;
}
