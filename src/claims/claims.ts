/**
 * The articles' claims (models/claims.json): the file's schema, threshold overrides, the suite plans the claims
 * need, and one verdict per claim computed from run results. Pure: no DOM, no worker, no onnxruntime.
 */
import { z } from 'zod';
import { findReplica, isReplicaName, REPLICA_PREFIX, type Catalog } from '../core/catalog.ts';
import type { Claim, ClaimRuns, ClaimsFile, Evidence, QuotedFigures, Threshold, ThresholdOverrides, Verdict, VerdictKind } from './types.ts';
import { deviceIdentity } from '../core/machine.ts';
import type { SuitePlan } from '../core/plan.ts';
import type { RunResult } from '../core/schema.ts';
import { DEFAULT_WORKLOAD, type InputOverride, type Workload } from '../core/spec.ts';
import { DEVICES, DTYPES, InvalidInputError, type Device, type Dtype } from '../core/vocab.ts';

export const CLAIMS_SCHEMA = 'ondevice.claims/1' as const;

// ---------------------------------------------------------------------------------------------------------------
// The file

const ThresholdSchema = z.object({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a threshold name is letters and digits (it is addressed as CLAIM_ID.NAME)'),
  value: z.number().finite(),
  unit: z.string(),
  label: z.string().min(1),
  direction: z.enum(['max', 'min']),
});

const InputOverrideSchema = z.object({ shape: z.array(z.number().int().nonnegative()).optional(), fill: z.number().optional() });

const ClaimRunsSchema = z.object({
  models: z.array(z.string().min(1)).min(1),
  dtypes: z.array(z.enum(DTYPES)).min(1),
  kind: z.enum(['inference', 'generation', 'context', 'inspect']),
  iterations: z.number().int().positive().optional(),
  promptTokens: z.number().int().positive().optional(),
  maxNewTokens: z.number().int().positive().optional(),
  contextLengths: z.array(z.number().int().positive()).min(1).optional(),
  inputs: z.record(z.string(), InputOverrideSchema).optional(),
});

const ClaimSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a claim id is lower-case words joined by "-"'),
  source: z.object({ document: z.string().min(1), title: z.string().min(1), date: z.string().regex(/^\d{4}(-\d{2}){0,2}$/, 'a date is YYYY, YYYY-MM or YYYY-MM-DD') }),
  quote: z.string().min(1),
  english: z.string().min(1),
  check: z.string().min(1),
  metric: z.string().min(1),
  rule: z.string().min(1),
  thresholds: z.array(ThresholdSchema),
  runs: z.array(ClaimRunsSchema),
  notMeasurable: z.string().min(1).optional(),
  unmeasuredParts: z.array(z.object({ part: z.string().min(1), reason: z.string().min(1) })).optional(),
  roles: z.record(z.string(), z.array(z.string().min(1)).min(1)).optional(),
  quoted: z.object({ params: z.number().positive().optional(), flops: z.number().positive().optional(), inputShape: z.array(z.number().int().positive()).optional() }).optional(),
});

/** models/claims.json. Beyond each field's shape: ids unique, a known rule with the roles, thresholds and quoted figures it reads. */
export const ClaimsFileSchema = z
  .object({ schema: z.literal(CLAIMS_SCHEMA), claims: z.array(ClaimSchema) })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.claims.forEach((c, i) => {
      const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: ['claims', i, ...path], message });
      if (seen.has(c.id)) issue(['id'], `duplicate claim id "${c.id}"`);
      seen.add(c.id);
      const rule = RULES[c.rule];
      if (!rule) return issue(['rule'], `unknown rule "${c.rule}". Should be one of: ${Object.keys(RULES).join(', ')}`);
      const names = c.thresholds.map((t) => t.name);
      names.forEach((n, j) => names.indexOf(n) !== j && issue(['thresholds', j, 'name'], `duplicate threshold "${n}"`));
      for (const n of rule.thresholds) if (!names.includes(n)) issue(['thresholds'], `rule "${c.rule}" needs a threshold named "${n}"`);
      const models = new Set(c.runs.flatMap((r) => r.models));
      for (const role of rule.roles) {
        if (!c.roles?.[role]) issue(['roles'], `rule "${c.rule}" needs the role "${role}" (the models it plays)`);
      }
      for (const [role, ms] of Object.entries(c.roles ?? {})) {
        ms.forEach((m, j) => !models.has(m) && issue(['roles', role, j], `"${m}" is not among the claim's runs' models (${[...models].join(', ')})`));
      }
      for (const q of rule.quoted ?? []) if (q !== 'flops' && c.quoted?.[q] === undefined) issue(['quoted', q], `rule "${c.rule}" needs the quoted figure "${q}"`);
      const measurable = c.rule !== 'not-measurable';
      if (measurable && c.runs.length === 0) issue(['runs'], 'a measurable claim needs at least one group of runs');
      if (!measurable && c.notMeasurable === undefined) issue(['notMeasurable'], 'a not-measurable claim says why');
      if (!measurable && c.runs.length > 0) issue(['runs'], 'a not-measurable claim has no runs');
      for (const [field, message] of rule.validate?.(c) ?? []) issue([field], message);
      c.runs.forEach((r, j) => {
        if (r.kind === 'context' && !r.contextLengths) issue(['runs', j, 'contextLengths'], 'a context run needs the lengths to fill the context to');
      });
    });
  });

/** Parse and check a claims file; an error names the claim (by id where it has one) and the field. */
export function parseClaims(json: unknown): ClaimsFile {
  const parsed = ClaimsFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const raw = (json as { claims?: unknown } | null)?.claims;
  const problems = parsed.error.issues.map((issue) => {
    const [head, index, ...rest] = issue.path;
    if (head !== 'claims' || typeof index !== 'number') return `field ${issue.path.join('.') || '(top level)'}: ${issue.message}`;
    const id = Array.isArray(raw) ? (raw[index] as { id?: unknown } | undefined)?.id : undefined;
    const who = typeof id === 'string' ? `claim "${id}"` : `claim #${index + 1}`;
    const field = rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    return `${who}, field ${field || '(the claim)'}: ${issue.message}`;
  });
  throw new InvalidInputError(`Invalid claims file: ${problems.join('; ')}.`);
}

/** The claims with these ids, in the file's order (all of them when `ids` is empty); an unknown id lists the valid ones. */
export function selectClaims(claims: readonly Claim[], ids: readonly string[] = []): Claim[] {
  const known = new Set(claims.map((c) => c.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new InvalidInputError(`Unknown claim${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}. Should be one of: ${[...known].join(', ')}.`);
  return ids.length ? claims.filter((c) => ids.includes(c.id)) : [...claims];
}

// ---------------------------------------------------------------------------------------------------------------
// Thresholds

const thresholdKeys = (claims: readonly Claim[]): string[] => claims.flatMap((c) => c.thresholds.map((t) => `${c.id}.${t.name}`));

/** The claims with overridden threshold values (the rest unchanged); an unknown key lists the valid ones. */
export function applyThresholds(claims: readonly Claim[], overrides: ThresholdOverrides = {}): Claim[] {
  const valid = new Set(thresholdKeys(claims));
  for (const [key, value] of Object.entries(overrides)) {
    if (!valid.has(key)) throw new InvalidInputError(`Unknown threshold "${key}". Should be one of: ${[...valid].join(', ')}.`);
    if (!Number.isFinite(value)) throw new InvalidInputError(`Threshold "${key}" needs a number; got ${String(value)}.`);
  }
  return claims.map((c) => ({
    ...c,
    thresholds: c.thresholds.map((t) => {
      const v = overrides[`${c.id}.${t.name}`];
      return v === undefined ? t : { ...t, value: v };
    }),
  }));
}

/** One `--threshold CLAIM_ID.NAME=VALUE` flag, checked against the claims: unknown names and non-numbers are errors. */
export function parseThresholdFlag(flag: string, claims: readonly Claim[]): { key: string; value: number } {
  const eq = flag.indexOf('=');
  const key = (eq < 0 ? flag : flag.slice(0, eq)).trim();
  const text = eq < 0 ? '' : flag.slice(eq + 1).trim();
  const dot = key.lastIndexOf('.');
  if (eq < 0 || dot < 0) throw new InvalidInputError(`Threshold "${flag}" should look like CLAIM_ID.NAME=VALUE, e.g. mobilenet-on-device.p50Ms=40.`);
  const claim = claims.find((c) => c.id === key.slice(0, dot));
  if (!claim) throw new InvalidInputError(`Unknown claim "${key.slice(0, dot)}" in threshold "${flag}". Thresholds are: ${thresholdKeys(claims).join(', ')}.`);
  const name = key.slice(dot + 1);
  if (!claim.thresholds.some((t) => t.name === name)) {
    const own = claim.thresholds.map((t) => `${claim.id}.${t.name}`);
    throw new InvalidInputError(`Unknown threshold "${name}" of claim "${claim.id}". Should be one of: ${own.length ? own.join(', ') : '(this claim has none)'}.`);
  }
  // Number("") is 0 and Number(" 1e3 ") is 1000: require the text to look like a number.
  const value = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) throw new InvalidInputError(`Threshold "${key}" needs a number (e.g. ${key}=40); got "${text}".`);
  return { key, value };
}

/** Several `--threshold` flags as overrides (a later flag for the same key wins). */
export function parseThresholdFlags(flags: readonly string[], claims: readonly Claim[]): ThresholdOverrides {
  return Object.fromEntries(flags.map((f) => { const { key, value } = parseThresholdFlag(f, claims); return [key, value] as const; }));
}

// ---------------------------------------------------------------------------------------------------------------
// The runs the claims need

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
    iterations: g.kind === 'inspect' ? 1 : g.iterations ?? DEFAULT_WORKLOAD.iterations,
    // Language models: no warm-up generation (a 3.8 B model's 128-token prefill on wasm takes minutes; the one
    // measured generation is then cold: its TTFT includes first-run costs, as a user's first question would).
    warmup: lm ? 0 : 1,
    timeBudgetMs: DEFAULT_WORKLOAD.timeBudgetMs ?? null,
  };
  // The timed claims (latency): warm up until steady, or the JIT's tier-up is what the verdict measures.
  if (!lm && g.kind !== 'inspect') w.warmupCapMs = DEFAULT_WORKLOAD.warmupCapMs ?? null;
  if (g.inputs) w.inputs = Object.fromEntries(Object.keys(g.inputs).sort().map((k) => [k, sortedOverride(g.inputs![k]!)]));
  if (lm) {
    w.generation = {
      prompt: promptOfTokens(g.promptTokens ?? 128),
      maxNewTokens: g.maxNewTokens ?? CLAIM_NEW_TOKENS,
      contextLengths: g.kind === 'context' ? [...(g.contextLengths ?? [])] : null,
    };
  }
  return w;
}

const sortedOverride = (o: InputOverride): InputOverride => ({ ...(o.shape ? { shape: [...o.shape] } : {}), ...(o.fill !== undefined ? { fill: o.fill } : {}) });

/** A model a claim names must be the id results will carry: a catalog id, or `replica:` + the replica's catalog id. */
function checkModel(claim: Claim, model: string, catalog: Catalog): void {
  if (isReplicaName(model)) {
    const entry = findReplica(model, catalog);
    if (!entry) throw new InvalidInputError(`Claim "${claim.id}" needs "${model}", which the catalog's replicas lack. Replicas: ${(catalog.replicas ?? []).map((r) => `${REPLICA_PREFIX}${r.id}`).join(', ')}.`);
    if (model !== `${REPLICA_PREFIX}${entry.id}`) {
      throw new InvalidInputError(`Claim "${claim.id}" names "${model}": write the replica's catalog id, ${REPLICA_PREFIX}${entry.id}, the id its results carry.`);
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

// ---------------------------------------------------------------------------------------------------------------
// Numbers in sentences (the verdicts' summaries and margins); everything else leaves formatting to the UI.

const num = (x: number): string => {
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return String(Number(a < 0.01 && a > 0 ? x.toPrecision(2) : x.toFixed(digits)));
};
const withUnit = (x: number, unit: string): string => (unit === '×' || unit === '%' || unit === '' ? `${num(x)}${unit}` : `${num(x)} ${unit}`);
/** Large counts with 4 significant digits ("304.7 M", "3.821 B"): the gaps the size claims are about are small. */
const count = (n: number): string => (n >= 1e9 ? `${Number((n / 1e9).toPrecision(4))} B` : n >= 1e6 ? `${Number((n / 1e6).toPrecision(4))} M` : `${Math.round(n)}`);
const signedPct = (x: number): string => `${x >= 0 ? '+' : '−'}${Number(Math.abs(x).toFixed(2))} %`;
const op = (t: Threshold): string => (t.direction === 'min' ? '≥' : '≤');
const ratio = (x: number): string => `${num(x)}×`;

/** How far a value misses a bar: a factor for ratios, points for percentages, a difference otherwise. */
function gap(value: number, t: Threshold): string {
  const word = t.direction === 'min' ? 'short' : 'over';
  if (t.unit === '×') return `${ratio(t.direction === 'min' ? t.value / value : value / t.value)} ${word}`;
  const d = Math.abs(value - t.value);
  return t.unit === '%' ? `${num(d)} points ${word}` : `${withUnit(d, t.unit)} ${word}`;
}

interface Bar {
  ok: boolean;
  /** "Phi-3.5-mini decode 7.1 tok/s (≥ 5 tok/s)". */
  text: string;
  /** "Phi-3.5-mini decode 3.2 tok/s against ≥ 5 tok/s (1.8 tok/s short)"; null when met. */
  margin: string | null;
}

function bar(what: string, value: number, t: Threshold): Bar {
  const ok = t.direction === 'min' ? value >= t.value : value <= t.value;
  const shown = `${what} ${withUnit(value, t.unit)}`;
  return { ok, text: `${shown} (${op(t)} ${withUnit(t.value, t.unit)})`, margin: ok ? null : `${shown} against ${op(t)} ${withUnit(t.value, t.unit)} (${gap(value, t)})` };
}

// ---------------------------------------------------------------------------------------------------------------
// Finding a claim's runs in results

/** A model as people say it: the last part of its id ("replica:torchvision/googlenet" → "googlenet"). */
const nameOf = (model: string): string => (isReplicaName(model) ? model.slice(REPLICA_PREFIX.length) : model).split('/').pop()!;

/** What the runs of one model at one level came to in the results. */
interface Found {
  model: string;
  dtype: Dtype;
  completed: RunResult[];
  /** Errored, unsupported or aborted runs: their errors are the reasons a claim cannot be checked. */
  failed: RunResult[];
}

/**
 * Whether a completed run is of the kind a claim group asks for: generation vs context (both are text-generation
 * runs; only the context kind has `contexts`), inference at the input shapes the group sets. Failed runs carry
 * none of this (they stopped before generating or resolving inputs) and count for every kind of their model and level.
 */
function sameKind(r: RunResult, g: ClaimRuns): boolean {
  if (r.state !== 'completed') return true;
  if (g.kind === 'generation') return r.generation !== null && r.generation.contexts === null;
  if (g.kind === 'context') return r.generation?.contexts != null;
  if (r.generation !== null) return false;
  return Object.entries(g.inputs ?? {}).every(([name, o]) => {
    if (!o.shape) return true;
    const fed = r.workload.inputs.find((i) => i.name === name);
    return fed !== undefined && fed.dims.join(',') === o.shape.join(',');
  });
}

/** Runs sorted by device (wasm first), in their order within a device. */
const byDevice = (runs: RunResult[]): RunResult[] => [...runs].sort((a, b) => DEVICES.indexOf(a.device) - DEVICES.indexOf(b.device));

function findRuns(claim: Claim, results: readonly RunResult[], model: string, dtype: Dtype): Found {
  const groups = claim.runs.filter((g) => g.models.includes(model) && g.dtypes.includes(dtype));
  const mine = results.filter((r) => r.model.id === model && r.model.dtype === dtype && groups.some((g) => sameKind(r, g)));
  return { model, dtype, completed: byDevice(mine.filter((r) => r.state === 'completed')), failed: byDevice(mine.filter((r) => r.state !== 'completed')) };
}

type Figure = (r: RunResult) => number | null;
interface Best {
  run: RunResult;
  value: number;
}

/** The run with the best figure ("best backend": the completed run with the best figure among the devices present). */
function best(runs: readonly RunResult[], figure: Figure, direction: 'max' | 'min'): Best | null {
  let out: Best | null = null;
  for (const run of runs) {
    const value = figure(run);
    if (value === null || !Number.isFinite(value)) continue;
    if (!out || (direction === 'max' ? value > out.value : value < out.value)) out = { run, value };
  }
  return out;
}

const p50: Figure = (r) => r.timings.latency?.p50Ms ?? null;
const decode: Figure = (r) => r.generation?.decodeTokPerS ?? null;
const ttft: Figure = (r) => r.generation?.ttftMs ?? null;
const bytes: Figure = (r) => r.model.bytes;
const flops: Figure = (r) => r.model.flops;
/** Peak memory of a run: the WASM heap, plus live GPU buffers on WebGPU (where the weights are). */
const peakBytes: Figure = (r) => {
  const heap = r.memory.wasmHeapPeakBytes;
  if (heap === null) return null;
  if (r.device !== 'webgpu') return heap;
  return r.memory.gpuBufferPeakBytes === null ? null : heap + r.memory.gpuBufferPeakBytes;
};
/**
 * Parameters counted in the built graph. NOTE: a replica run starts with the catalog's published count in
 * `model.params` (emptyResult copies the reference's); the runtime replaces it with the graph's count when it builds
 * the graph, just before the fit check records `memory.predicted`. So a replica run with a prediction carries the
 * graph's count whatever its state (a run that did not fit still counted its graph); one without carries only the
 * published figure, which must not be taken for a measurement.
 */
const graphParams: Figure = (r) => (r.model.source === 'replica' ? (r.memory.predicted !== null ? r.model.params : null) : r.state === 'completed' ? r.model.params : null);

/** The devices on which both runs lists have a completed run with the figure, with each side's best run there. */
function pairs(a: Found, b: Found, fa: Figure, fb: Figure, direction: 'max' | 'min'): { device: Device; a: Best; b: Best }[] {
  const out: { device: Device; a: Best; b: Best }[] = [];
  for (const device of DEVICES) {
    const x = best(a.completed.filter((r) => r.device === device), fa, direction);
    const y = best(b.completed.filter((r) => r.device === device), fb, direction);
    if (x && y) out.push({ device, a: x, b: y });
  }
  return out;
}

const ev = (label: string, value: number | null, unit: string, run: RunResult | null): Evidence => ({ label, value, unit, runId: run?.id ?? null });
const failure = (r: RunResult): string => `${nameOf(r.model.id)} at ${r.model.dtype} on ${r.device}: ${r.error?.message ?? `the run ended ${r.state}`}`;
const absent = (f: Pick<Found, 'model' | 'dtype'>): string => `no run of ${f.model} at ${f.dtype} on this device in these results`;
/** Why a model at a level gave a check nothing: its runs' errors, or that it has no run at all. */
const reasonsFor = (f: Found): string[] =>
  f.failed.length ? f.failed.map(failure) : f.completed.length ? [`${nameOf(f.model)} at ${f.dtype} completed only on ${[...new Set(f.completed.map((r) => r.device))].join(', ')}`] : [absent(f)];

// ---------------------------------------------------------------------------------------------------------------
// Rules

/** What a rule decides; evaluateClaims adds the claim's id, thresholds, devices and parts not measured. */
interface Outcome {
  verdict: VerdictKind;
  summary: string;
  margin: string | null;
  evidence: Evidence[];
  runIds: string[];
  reasons: string[];
}

interface RuleContext {
  claim: Claim;
  results: readonly RunResult[];
  /** A threshold as used (the override applied). */
  t(name: string): Threshold;
  role(name: string): string[];
  /** Runs of a model at a level, of the kind the claim asks for. */
  find(model: string, dtype: Dtype): Found;
  /** Runs of a model at each level the claim asks for it at. */
  levels(model: string): Found[];
  /** Every model of the claim's runs, in order. */
  models(): string[];
}

interface Rule {
  /** Roles the claim must assign (Claim.roles). */
  roles: readonly string[];
  /** Thresholds the claim must define. */
  thresholds: readonly string[];
  /** Figures the claim must quote (flops is optional: checked when quoted). */
  quoted?: readonly (keyof QuotedFigures)[];
  /** Further checks of a claim that uses this rule: problems as [field, message]. */
  validate?(claim: z.infer<typeof ClaimSchema>): [string, string][];
  evaluate(ctx: RuleContext): Outcome;
}

/**
 * The verdict when what the check needs did not complete: each missing run's error (or that there was no run at
 * all). Runs that did complete are listed too: their figures are in the evidence.
 */
function cannotRun(lacking: readonly Found[], done: readonly RunResult[] = [], evidence: Evidence[] = [], extra: string[] = []): Outcome {
  const reasons = [...extra, ...lacking.flatMap(reasonsFor)];
  const names = [...new Set(lacking.map((f) => `${nameOf(f.model)} at ${f.dtype}`))];
  return {
    verdict: 'cannot-run-here',
    summary: `Cannot be checked on this device: ${names.length ? `no completed run of ${names.join(', ')}` : 'a figure the check needs was not recorded'}.`,
    margin: null,
    evidence,
    runIds: [...new Set([...lacking.flatMap((f) => f.failed.map((r) => r.id)), ...done.map((r) => r.id)])],
    reasons,
  };
}

/** held / not-held from bars: the summary lists every bar, the margin the missed ones. */
function judged(bars: readonly Bar[], lead: string, evidence: Evidence[], runs: readonly RunResult[], extraMargins: string[] = []): Outcome {
  const missed = [...extraMargins, ...bars.filter((b) => !b.ok).map((b) => b.margin!)];
  return {
    verdict: missed.length ? 'not-held' : 'held',
    summary: `${lead}${bars.length ? ` ${bars.map((b) => b.text).join('; ')}.` : ''}`,
    margin: missed.length ? missed.join('; ') : null,
    evidence,
    runIds: [...new Set(runs.map((r) => r.id))],
    reasons: [],
  };
}

const need = (...found: Found[]): Found[] => found.filter((f) => f.completed.length === 0);

const RULES: Readonly<Record<string, Rule>> = Object.freeze({
  /** The largest size ratio of the compared models to the reference (model bytes at fp32) against the bar; latency ratios alongside. */
  'cnn-shrink-100x': {
    roles: ['reference', 'compared'],
    thresholds: ['sizeRatio'],
    evaluate(ctx) {
      const ref = ctx.find(ctx.role('reference')[0]!, 'fp32');
      const compared = ctx.role('compared').map((m) => ctx.find(m, 'fp32'));
      const lacking = need(ref, ...compared);
      if (lacking.length) return cannotRun(lacking);
      const refBytes = best(ref.completed, bytes, 'max');
      const sizes = compared.map((f) => ({ f, b: best(f.completed, bytes, 'max') }));
      if (!refBytes || sizes.some((s) => !s.b)) return cannotRun([], [...ref.completed, ...compared.flatMap((f) => f.completed)], [], ['a completed run recorded no model bytes']);
      const ratios = sizes.map((s) => ({ ...s, ratio: s.b!.value / refBytes.value }));
      const top = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
      const evidence = [ev(`${nameOf(ref.model)} fp32 model bytes`, refBytes.value / 1e6, 'MB', refBytes.run)];
      for (const r of ratios) evidence.push(ev(`${nameOf(r.f.model)} fp32 model bytes`, r.b!.value / 1e6, 'MB', r.b!.run), ev(`${nameOf(r.f.model)} ÷ ${nameOf(ref.model)} model bytes`, r.ratio, '×', null));
      const latency: string[] = [];
      const used = [refBytes.run, ...ratios.map((r) => r.b!.run)];
      for (const r of ratios) {
        // Latency on the backend where the reference is fastest among those that ran both.
        const pair = pairs(r.f, ref, p50, p50, 'min').sort((a, b) => a.b.value - b.b.value)[0];
        if (!pair) continue;
        evidence.push(ev(`${nameOf(r.f.model)} ÷ ${nameOf(ref.model)} p50 latency on ${pair.device}`, pair.a.value / pair.b.value, '×', null));
        latency.push(`${nameOf(r.f.model)} ${ratio(pair.a.value / pair.b.value)} on ${pair.device}`);
        used.push(pair.a.run, pair.b.run);
      }
      const others = ratios.filter((r) => r !== top).map((r) => `${nameOf(r.f.model)} ${ratio(r.ratio)}`);
      const b = bar(`size ratio ${nameOf(top.f.model)} ÷ ${nameOf(ref.model)}`, top.ratio, ctx.t('sizeRatio'));
      const lead = `At fp32, ${nameOf(top.f.model)} is ${num(top.b!.value / 1e6)} MB and ${nameOf(ref.model)} ${num(refBytes.value / 1e6)} MB: ${nameOf(ref.model)} is ${ratio(top.ratio)} smaller${others.length ? ` (${others.join(', ')})` : ''}${latency.length ? `; latency ratio ${latency.join(', ')}` : ''}.`;
      return judged([b], lead, evidence, used);
    },
  },

  /** Each subject: parameters within the ratio of the reference's or below the ceiling's, and FLOPs and p50 above the reference's (same backend). */
  'resnet-moderate-compute': {
    roles: ['subjects', 'reference', 'ceiling'],
    thresholds: ['paramsRatio'],
    evaluate(ctx) {
      const ref = ctx.find(ctx.role('reference')[0]!, 'fp32');
      const ceiling = ctx.find(ctx.role('ceiling')[0]!, 'fp32');
      const subjects = ctx.role('subjects').map((m) => ctx.find(m, 'fp32'));
      const lacking = need(ref, ceiling, ...subjects);
      if (lacking.length) return cannotRun(lacking);
      const t = ctx.t('paramsRatio');
      const figure = (f: Found, fig: Figure) => best(f.completed, fig, 'max');
      const [refP, ceilP, refF] = [figure(ref, graphParams), figure(ceiling, graphParams), figure(ref, flops)];
      const evidence: Evidence[] = [];
      const used: RunResult[] = [];
      const missing: string[] = [];
      if (!refP || !ceilP) missing.push('a completed run recorded no parameter count');
      if (!refF) missing.push(`run ${ref.completed[0]!.id} recorded no FLOPs (model.flops)`);
      const texts: string[] = [];
      const misses: string[] = [];
      for (const s of subjects) {
        const [p, f] = [figure(s, graphParams), figure(s, flops)];
        const pair = pairs(s, ref, p50, p50, 'min').sort((a, b) => a.a.value - b.a.value)[0];
        if (!p) missing.push(`no completed run of ${nameOf(s.model)} recorded a parameter count`);
        if (!f) missing.push(`run ${s.completed[0]!.id} recorded no FLOPs (model.flops)`);
        if (!pair) missing.push(`no backend ran both ${nameOf(s.model)} and ${nameOf(ref.model)} to completion`);
        if (!p || !f || !pair || !refP || !ceilP || !refF) continue;
        const pr = p.value / refP.value;
        const paramsOk = pr <= t.value || p.value < ceilP.value;
        const n = nameOf(s.model);
        evidence.push(
          ev(`${n} parameters`, p.value / 1e6, 'M params', p.run), ev(`${n} ÷ ${nameOf(ref.model)} parameters`, pr, '×', null),
          ev(`${n} FLOPs`, f.value / 1e9, 'GFLOP', f.run), ev(`${n} p50 latency on ${pair.device}`, pair.a.value, 'ms', pair.a.run),
        );
        used.push(p.run, f.run, pair.a.run, pair.b.run);
        texts.push(`${n}: ${count(p.value)} parameters (${ratio(pr)} ${nameOf(ref.model)}'s, ${op(t)} ${ratio(t.value)} or below ${nameOf(ceiling.model)}'s ${count(ceilP.value)}), ${num(f.value / 1e9)} GFLOP against ${nameOf(ref.model)}'s ${num(refF.value / 1e9)}, p50 ${withUnit(pair.a.value, 'ms')} against ${nameOf(ref.model)}'s ${withUnit(pair.b.value, 'ms')} on ${pair.device}`);
        if (!paramsOk) misses.push(`${n} parameters ${ratio(pr)} ${nameOf(ref.model)}'s against ${op(t)} ${ratio(t.value)} (${gap(pr, t)}) and not below ${nameOf(ceiling.model)}'s`);
        if (!(f.value > refF.value)) misses.push(`${n} FLOPs ${num(f.value / 1e9)} G not above ${nameOf(ref.model)}'s ${num(refF.value / 1e9)} G`);
        if (!(pair.a.value > pair.b.value)) misses.push(`${n} p50 ${withUnit(pair.a.value, 'ms')} not above ${nameOf(ref.model)}'s ${withUnit(pair.b.value, 'ms')} on ${pair.device}`);
      }
      if (missing.length) return cannotRun([], [...ref.completed, ...ceiling.completed, ...subjects.flatMap((s) => s.completed)], evidence, missing);
      evidence.unshift(ev(`${nameOf(ref.model)} parameters`, refP!.value / 1e6, 'M params', refP!.run), ev(`${nameOf(ref.model)} FLOPs`, refF!.value / 1e9, 'GFLOP', refF!.run), ev(`${nameOf(ceiling.model)} parameters`, ceilP!.value / 1e6, 'M params', ceilP!.run));
      used.push(refP!.run, refF!.run, ceilP!.run);
      return judged([], `${texts.join('; ')}.`, evidence, used, misses);
    },
  },

  /** Best p50 over backends and levels against the latency bar; model bytes at fp32 and at q8 against the size bars; peak memory reported. */
  'mobilenet-on-device': {
    roles: ['subject'],
    thresholds: ['p50Ms', 'fp32MB', 'q8MB'],
    evaluate(ctx) {
      const model = ctx.role('subject')[0]!;
      const [fp32, q8] = [ctx.find(model, 'fp32'), ctx.find(model, 'q8')];
      const lacking = need(fp32, q8);
      if (lacking.length) return cannotRun(lacking);
      const fast = best([...fp32.completed, ...q8.completed], p50, 'min');
      const [b32, b8] = [best(fp32.completed, bytes, 'max'), best(q8.completed, bytes, 'max')];
      if (!fast || !b32 || !b8) return cannotRun([], [...fp32.completed, ...q8.completed], [], ['a completed run recorded no p50 latency or model bytes']);
      const n = nameOf(model);
      const evidence = [
        ev(`${n} ${fast.run.model.dtype} p50 on ${fast.run.device} (best backend and level)`, fast.value, 'ms', fast.run),
        ev(`${n} fp32 model bytes`, b32.value / 1e6, 'MB', b32.run),
        ev(`${n} q8 model bytes`, b8.value / 1e6, 'MB', b8.run),
      ];
      for (const r of [...fp32.completed, ...q8.completed]) {
        if (r !== fast.run) evidence.push(ev(`${n} ${r.model.dtype} p50 on ${r.device}`, p50(r), 'ms', r));
        evidence.push(ev(`${n} ${r.model.dtype} peak memory on ${r.device}`, peakBytes(r) === null ? null : peakBytes(r)! / 1e6, 'MB', r));
      }
      const bars = [
        bar(`p50 latency (${fast.run.model.dtype} on ${fast.run.device})`, fast.value, ctx.t('p50Ms')),
        bar('fp32 size', b32.value / 1e6, ctx.t('fp32MB')),
        bar('q8 size', b8.value / 1e6, ctx.t('q8MB')),
      ];
      return judged(bars, `${n} at 224×224, batch 1:`, evidence, [...fp32.completed, ...q8.completed]);
    },
  },

  /** Any of the claim's models loads and decodes at or above the bar on its best backend. */
  'decode-bar': {
    roles: [],
    thresholds: ['decodeTokPerS'],
    evaluate(ctx) {
      const t = ctx.t('decodeTokPerS');
      const found = ctx.models().flatMap((m) => ctx.levels(m));
      if (found.every((f) => f.completed.length === 0)) return cannotRun(found);
      const evidence: Evidence[] = [];
      const used: RunResult[] = [];
      const texts: string[] = [];
      let top: (Best & { f: Found }) | null = null;
      for (const f of found) {
        const b = best(f.completed, decode, 'max');
        const n = `${nameOf(f.model)} at ${f.dtype}`;
        if (!b) {
          const why = f.failed.length ? f.failed.map(failure).join('; ') : f.completed.length ? 'no decode speed recorded' : absent(f);
          evidence.push(ev(`${n} decode (could not run: ${why})`, null, 'tok/s', f.failed[0] ?? null));
          texts.push(`${n} could not run (${why})`);
          used.push(...f.failed);
          continue;
        }
        evidence.push(ev(`${n} decode on ${b.run.device} (best backend)`, b.value, 'tok/s', b.run));
        texts.push(`${n} decodes ${withUnit(b.value, 'tok/s')} on ${b.run.device}`);
        used.push(b.run);
        if (!top || b.value > top.value) top = { ...b, f };
      }
      if (!top) return cannotRun(found, [], evidence, ['no completed run recorded a decode speed']);
      const b = bar(`${nameOf(top.f.model)} at ${top.f.dtype} decode on ${top.run.device}`, top.value, t);
      return judged([], `${texts.join('; ')} (bar ${op(t)} ${withUnit(t.value, t.unit)}).`, evidence, used, b.ok ? [] : [b.margin!]);
    },
  },

  /** Parameters counted in the graph (and, when quoted, FLOPs under the closer of the two conventions) within a percentage of the quote. */
  'graph-size': {
    roles: ['subject'],
    thresholds: ['paramsPct'],
    quoted: ['params', 'flops'],
    validate: (c) => (c.quoted?.flops !== undefined && !c.thresholds.some((t) => t.name === 'flopsPct') ? [['thresholds', 'a quoted FLOPs figure needs a threshold named "flopsPct"']] : []),
    evaluate(ctx) {
      const model = ctx.role('subject')[0]!;
      const found = ctx.levels(model);
      const runs = found.flatMap((f) => [...f.completed, ...f.failed]);
      const p = best(runs, graphParams, 'max');
      const q = ctx.claim.quoted!;
      const n = nameOf(model);
      if (!p) {
        const reasons = found.flatMap((f) => (f.failed.length ? f.failed.map(failure) : f.completed.length ? [`${n} at ${f.dtype}: no run recorded the parameter count of the built graph`] : [absent(f)]));
        return { ...cannotRun([], runs, [], reasons), summary: `Cannot be checked on this device: no run of ${n} counted its graph.` };
      }
      const evidence = [ev(`${n} parameters counted in the graph`, p.value / 1e6, 'M params', p.run)];
      const pctParams = (p.value / q.params! - 1) * 100;
      const bars = [bar(`parameter gap to the quoted ${count(q.params!)}`, Math.abs(pctParams), ctx.t('paramsPct'))];
      let lead = `The ${n} graph has ${count(p.value)} parameters against the quoted ${count(q.params!)} (${signedPct(pctParams)}).`;
      const used = [p.run];
      if (q.flops !== undefined) {
        const f = best(runs, flops, 'max');
        if (!f) return cannotRun([], [p.run], evidence, [`no run of ${model} recorded FLOPs (model.flops): the builder counts them only at the input shapes it was built for`]);
        const macs = f.value / 2;
        const [gMacs, gFlops] = [(macs / q.flops - 1) * 100, (f.value / q.flops - 1) * 100];
        const once = Math.abs(gMacs) <= Math.abs(gFlops);
        const shown = once ? gMacs : gFlops;
        const at = f.run.workload.inputs.map((i) => `${i.name} [${i.dims.join(',')}]`).join(', ');
        evidence.push(ev(`${n} FLOPs at ${at} (multiply-add = 2)`, f.value / 1e9, 'GFLOP', f.run), ev(`${n} multiply-adds (MACs)`, macs / 1e9, 'GMAC', f.run));
        lead += ` At ${at} it does ${num(macs / 1e9)} G multiply-adds (${num(f.value / 1e9)} GFLOP counting each as 2): the quoted ${num(q.flops / 1e9)} G ${once ? 'counts a multiply-add once (MACs)' : 'counts a multiply-add as two operations'} (${signedPct(shown)}).`;
        bars.push(bar(`compute gap to the quoted ${num(q.flops / 1e9)} G`, Math.abs(shown), ctx.t('flopsPct')));
        used.push(f.run);
      }
      const out = judged(bars, lead, evidence, used);
      if (p.run.state !== 'completed') out.summary += ` (Counted from the graph built for run ${p.run.id}, which itself ended ${p.run.state}.)`;
      return out;
    },
  },

  /** On the backend where the small model decodes fastest (among those that ran both): decode ratio and peak-memory ratio against the bars. */
  'small-100m-advantage': {
    roles: ['small', 'large'],
    thresholds: ['speedRatio', 'memoryRatio'],
    evaluate(ctx) {
      const small = ctx.levels(ctx.role('small')[0]!)[0]!;
      const large = ctx.levels(ctx.role('large')[0]!)[0]!;
      const lacking = need(small, large);
      if (lacking.length) return cannotRun(lacking, [...small.completed, ...large.completed]);
      const pair = pairs(small, large, decode, decode, 'max').sort((a, b) => b.a.value - a.a.value)[0];
      if (!pair) return cannotRun([], [...small.completed, ...large.completed], [], [`no backend ran both ${nameOf(small.model)} and ${nameOf(large.model)} at ${small.dtype} to completion with a decode speed`]);
      const [ms, ml] = [peakBytes(pair.a.run), peakBytes(pair.b.run)];
      if (ms === null || ml === null) return cannotRun([], [pair.a.run, pair.b.run], [], [`peak memory not recorded on ${pair.device} (${[pair.a.run, pair.b.run].map((r) => r.memory.unknown.wasmHeapPeakBytes ?? r.memory.unknown.gpuBufferPeakBytes).filter(Boolean).join('; ') || 'no reason given'})`]);
      const [a, b] = [nameOf(small.model), nameOf(large.model)];
      const evidence = [
        ev(`${a} decode on ${pair.device}`, pair.a.value, 'tok/s', pair.a.run), ev(`${b} decode on ${pair.device}`, pair.b.value, 'tok/s', pair.b.run),
        ev(`${a} peak memory on ${pair.device}`, ms / 1e6, 'MB', pair.a.run), ev(`${b} peak memory on ${pair.device}`, ml / 1e6, 'MB', pair.b.run),
        ev(`${a} ÷ ${b} decode speed`, pair.a.value / pair.b.value, '×', null), ev(`${b} ÷ ${a} peak memory`, ml / ms, '×', null),
      ];
      const bars = [bar('decode speed ratio', pair.a.value / pair.b.value, ctx.t('speedRatio')), bar('peak memory ratio', ml / ms, ctx.t('memoryRatio'))];
      return judged(bars, `${a} against ${b} at ${small.dtype} on ${pair.device}: ${withUnit(pair.a.value, 'tok/s')} against ${withUnit(pair.b.value, 'tok/s')}, peak memory ${num(ms / 1e6)} MB against ${num(ml / 1e6)} MB:`, evidence, [pair.a.run, pair.b.run]);
    },
  },

  /** A completed run fed the quoted input shape and recorded FLOPs at it. */
  'resnet-input': {
    roles: ['subject'],
    thresholds: [],
    quoted: ['inputShape'],
    evaluate(ctx) {
      const model = ctx.role('subject')[0]!;
      const found = ctx.levels(model);
      const done = found.flatMap((f) => f.completed);
      if (!done.length) return cannotRun(found);
      const want = ctx.claim.quoted!.inputShape!.join(',');
      const image = (r: RunResult) => r.workload.inputs.find((i) => i.dims.length === 4) ?? r.workload.inputs[0];
      const run = done.find((r) => image(r)?.dims.join(',') === want && r.model.flops !== null) ?? done.find((r) => image(r)?.dims.join(',') === want) ?? done[0]!;
      const input = image(run);
      const n = nameOf(model);
      const shape = input ? `${input.name} [${input.dims.join(',')}]` : 'no recorded input';
      const evidence = [ev(`${n} FLOPs at ${shape}`, run.model.flops === null ? null : run.model.flops / 1e9, 'GFLOP', run)];
      const misses: string[] = [];
      if (input?.dims.join(',') !== want) misses.push(`the input is ${shape}, not [${want}]`);
      if (run.model.flops === null) misses.push('no FLOPs recorded for it');
      const flopsText = run.model.flops === null ? 'no FLOPs recorded' : `${num(run.model.flops / 1e9)} GFLOP (${num(run.model.flops / 2e9)} G multiply-adds)`;
      return judged([], `${n} ran with input ${shape}: ${flopsText}, against the quoted [${want}].`, evidence, [run], misses);
    },
  },

  /** Subject against rival on the same backend (subject's best): decode ratio and lower TTFT; subject's best run against the absolute bars; the small SLMs reported against the same bars. */
  'slm-on-phone': {
    roles: ['subject', 'rival', 'small'],
    thresholds: ['speedRatio', 'decodeTokPerS', 'ttftMs'],
    evaluate(ctx) {
      const subject = ctx.levels(ctx.role('subject')[0]!)[0]!;
      const rival = ctx.levels(ctx.role('rival')[0]!)[0]!;
      const small = ctx.role('small').flatMap((m) => ctx.levels(m));
      const [tDecode, tTtft, tRatio] = [ctx.t('decodeTokPerS'), ctx.t('ttftMs'), ctx.t('speedRatio')];
      const [s, r] = [nameOf(subject.model), nameOf(rival.model)];
      const top = best(subject.completed, decode, 'max');
      if (!top || ttft(top.run) === null) return cannotRun([{ ...subject, completed: [] }], [], [], top ? [`run ${top.run.id} recorded no time to first token`] : []);
      const evidence = [ev(`${s} decode on ${top.run.device} (best backend)`, top.value, 'tok/s', top.run), ev(`${s} TTFT on ${top.run.device}`, ttft(top.run), 'ms', top.run)];
      const used: RunResult[] = [top.run];
      const absolute = [bar(`${s} decode on ${top.run.device}`, top.value, tDecode), bar(`${s} TTFT`, ttft(top.run)!, tTtft)];
      // The smallest SLMs against the same absolute bars (reported, not part of the verdict).
      const smallTexts: string[] = [];
      for (const f of small) {
        const b = best(f.completed, decode, 'max');
        if (!b) {
          evidence.push(ev(`${nameOf(f.model)} decode (could not run: ${f.failed.length ? f.failed.map(failure).join('; ') : absent(f)})`, null, 'tok/s', f.failed[0] ?? null));
          smallTexts.push(`${nameOf(f.model)} did not run`);
          continue;
        }
        const t = ttft(b.run);
        const meets = b.value >= tDecode.value && t !== null && t <= tTtft.value;
        evidence.push(ev(`${nameOf(f.model)} decode on ${b.run.device}`, b.value, 'tok/s', b.run), ev(`${nameOf(f.model)} TTFT on ${b.run.device}`, t, 'ms', b.run));
        used.push(b.run);
        smallTexts.push(`${nameOf(f.model)} ${withUnit(b.value, 'tok/s')}, TTFT ${t === null ? '?' : withUnit(t, 'ms')} on ${b.run.device} (${meets ? 'meets' : 'misses'} the absolute bars)`);
      }
      const smallText = smallTexts.length ? ` Smallest SLMs: ${smallTexts.join('; ')}.` : '';
      const pair = pairs(subject, rival, decode, decode, 'max').filter((p) => ttft(p.a.run) !== null && ttft(p.b.run) !== null).sort((a, b) => b.a.value - a.a.value)[0];
      if (!pair) {
        const missedAbsolute = absolute.filter((b) => !b.ok);
        const lead = `${s} at ${subject.dtype}: ${absolute.map((b) => b.text).join('; ')}; ${r} did not complete on any backend ${s} ran on, so the comparison is not measured.${smallText}`;
        if (missedAbsolute.length) return { ...judged(absolute, lead, evidence, used), summary: lead };
        const out = cannotRun([rival], used, evidence, [`the comparison needs ${r} at ${rival.dtype} on the same backend as ${s}`]);
        return { ...out, summary: lead };
      }
      used.push(pair.a.run, pair.b.run);
      const [ta, tb] = [ttft(pair.a.run)!, ttft(pair.b.run)!];
      evidence.push(
        ev(`${r} decode on ${pair.device}`, pair.b.value, 'tok/s', pair.b.run), ev(`${r} TTFT on ${pair.device}`, tb, 'ms', pair.b.run),
        ev(`${s} ÷ ${r} decode speed on ${pair.device}`, pair.a.value / pair.b.value, '×', null),
      );
      const bars = [bar(`decode ratio ${s} ÷ ${r} on ${pair.device}`, pair.a.value / pair.b.value, tRatio), ...absolute];
      const ttftMiss = ta < tb ? [] : [`${s} TTFT ${withUnit(ta, 'ms')} is not below ${r}'s ${withUnit(tb, 'ms')} on ${pair.device}`];
      const lead = `${s} against ${r} at ${subject.dtype} on ${pair.device}: decode ${withUnit(pair.a.value, 'tok/s')} against ${withUnit(pair.b.value, 'tok/s')}, TTFT ${withUnit(ta, 'ms')} against ${withUnit(tb, 'ms')}.`;
      const out = judged(bars, lead, evidence, used, ttftMiss);
      return { ...out, summary: `${out.summary}${smallText}` };
    },
  },

  /** Every model's best p50 (over backends and levels) against the bar. */
  'latency-bar': {
    roles: [],
    thresholds: ['p50Ms'],
    evaluate(ctx) {
      const t = ctx.t('p50Ms');
      const perModel = ctx.models().map((m) => ({ m, found: ctx.levels(m) }));
      const lacking = perModel.filter((x) => x.found.every((f) => f.completed.length === 0)).flatMap((x) => x.found);
      if (lacking.length) return cannotRun(lacking, perModel.flatMap((x) => x.found.flatMap((f) => f.completed)));
      const bars: Bar[] = [];
      const evidence: Evidence[] = [];
      const used: RunResult[] = [];
      for (const { m, found } of perModel) {
        const b = best(found.flatMap((f) => f.completed), p50, 'min');
        if (!b) return cannotRun([], found.flatMap((f) => f.completed), evidence, [`no completed run of ${m} recorded a p50 latency`]);
        const at = b.run.workload.inputs.map((i) => `${i.name} [${i.dims.join(',')}]`).join(', ');
        evidence.push(ev(`${nameOf(m)} ${b.run.model.dtype} p50 on ${b.run.device} (best backend and level; ${at})`, b.value, 'ms', b.run));
        bars.push(bar(`${nameOf(m)} p50 (${b.run.model.dtype} on ${b.run.device})`, b.value, t));
        used.push(b.run);
      }
      return judged(bars, 'On one sentence at the claim\'s input length:', evidence, used);
    },
  },

  /**
   * Per backend and level, the largest replica (published parameters) whose completed generation run meets the
   * decode and TTFT bars, among every replica generation run in the results (not only this claim's own).
   */
  'devices-run-denser': {
    roles: [],
    thresholds: ['decodeTokPerS', 'ttftMs'],
    evaluate(ctx) {
      const [td, tt] = [ctx.t('decodeTokPerS'), ctx.t('ttftMs')];
      const size = (r: RunResult) => r.replica?.paramsPublished ?? r.model.params ?? 0;
      const lm = ctx.results.filter((r) => r.state === 'completed' && r.model.source === 'replica' && r.generation !== null && r.generation.contexts === null);
      if (!lm.length) return cannotRun(ctx.models().flatMap((m) => ctx.levels(m)));
      const groups = new Map<string, RunResult[]>();
      for (const r of lm) groups.set(`${r.device} ${r.model.dtype}`, [...(groups.get(`${r.device} ${r.model.dtype}`) ?? []), r]);
      const evidence: Evidence[] = [];
      const texts: string[] = [];
      const used: RunResult[] = [];
      let closest: { run: RunResult; b: Bar } | null = null;
      const order = (k: string) => { const [d, t] = k.split(' '); return DEVICES.indexOf(d as Device) * 100 + DTYPES.indexOf(t as Dtype); };
      for (const key of [...groups.keys()].sort((a, b) => order(a) - order(b))) {
        const runs = groups.get(key)!;
        const [device, dtype] = key.split(' ');
        const meets = runs.filter((r) => (decode(r) ?? 0) >= td.value && ttft(r) !== null && ttft(r)! <= tt.value).sort((a, b) => size(b) - size(a));
        const top = meets[0];
        if (top) {
          evidence.push(ev(`largest meeting the bars on ${device} at ${dtype}: ${nameOf(top.model.id)} (${withUnit(decode(top)!, 'tok/s')}, TTFT ${withUnit(ttft(top)!, 'ms')})`, size(top) / 1e6, 'M params', top));
          texts.push(`${device} ${dtype}: ${nameOf(top.model.id)} (${count(size(top))} parameters, ${withUnit(decode(top)!, 'tok/s')}, TTFT ${withUnit(ttft(top)!, 'ms')})`);
          used.push(top);
          continue;
        }
        const fastest = best(runs, decode, 'max');
        const pick = fastest?.run ?? runs[0]!;
        evidence.push(ev(`none meets the bars on ${device} at ${dtype} (fastest: ${nameOf(pick.model.id)}, ${decode(pick) === null ? 'no decode speed' : withUnit(decode(pick)!, 'tok/s')})`, null, 'M params', pick));
        texts.push(`${device} ${dtype}: none of ${runs.length} model(s)`);
        used.push(pick);
        if (fastest && (!closest || fastest.value > (decode(closest.run) ?? 0))) closest = { run: pick, b: bar(`fastest (${nameOf(pick.model.id)} on ${device} at ${dtype}) decode`, fastest.value, td) };
      }
      const anyMet = evidence.some((e) => e.value !== null);
      const lead = `Largest model meeting decode ${op(td)} ${withUnit(td.value, td.unit)} and TTFT ${op(tt)} ${withUnit(tt.value, tt.unit)}, per backend and level: ${texts.join('; ')}.`;
      const out = judged([], lead, evidence, used);
      if (anyMet) return out;
      const slow = closest && closest.b.ok ? bar(`${nameOf(closest.run.model.id)} decodes fast enough, but its TTFT`, ttft(closest.run) ?? Infinity, tt).margin : closest?.b.margin;
      return { ...out, verdict: 'not-held', margin: slow ?? 'no run recorded a decode speed' };
    },
  },

  /** Each model's decode at the longest context as a share of decode at the shortest, on its best backend, against the bar. */
  'test-time-compute': {
    roles: [],
    thresholds: ['retentionPct'],
    evaluate(ctx) {
      const t = ctx.t('retentionPct');
      const found = ctx.models().flatMap((m) => ctx.levels(m));
      const lacking = need(...found);
      if (lacking.length) return cannotRun(lacking, found.flatMap((f) => f.completed));
      const retention: Figure = (r) => {
        const pts = (r.generation?.contexts ?? []).filter((p) => p.decodeTokPerS !== null && p.decodeTokPerS > 0);
        return pts.length >= 2 ? (pts.at(-1)!.decodeTokPerS! / pts[0]!.decodeTokPerS!) * 100 : null;
      };
      const bars: Bar[] = [];
      const evidence: Evidence[] = [];
      const used: RunResult[] = [];
      const reached: { run: RunResult; tokens: number }[] = [];
      for (const f of found) {
        const b = best(f.completed, retention, 'max');
        if (!b) return cannotRun([], f.completed, evidence, [`the context sweep of ${nameOf(f.model)} at ${f.dtype} recorded fewer than two lengths with a decode speed`]);
        const contexts = b.run.generation?.contexts ?? [];
        const pts = contexts.filter((p) => p.decodeTokPerS !== null && p.decodeTokPerS > 0);
        const [first, last] = [pts[0]!, pts.at(-1)!];
        const n = nameOf(f.model);
        for (const p of contexts) {
          evidence.push(ev(`${n} decode at context ${p.contextTokens} on ${b.run.device}`, p.decodeTokPerS, 'tok/s', b.run));
          evidence.push(ev(`${n} KV cache at context ${p.contextTokens}`, p.kvCacheBytes === null ? null : p.kvCacheBytes / 1e6, 'MB', b.run));
          evidence.push(ev(`${n} WASM heap at context ${p.contextTokens}`, p.wasmHeapBytes === null ? null : p.wasmHeapBytes / 1e6, 'MB', b.run));
        }
        bars.push(bar(`${n} decode at ${last.contextTokens} as a share of ${first.contextTokens} (${withUnit(last.decodeTokPerS!, 'tok/s')} of ${withUnit(first.decodeTokPerS!, 'tok/s')} on ${b.run.device})`, b.value, t));
        used.push(b.run);
        reached.push({ run: b.run, tokens: contexts.at(-1)!.contextTokens });
      }
      const want = ctx.claim.runs.find((g) => g.kind === 'context')?.contextLengths ?? [];
      const capped = reached.filter((x) => x.tokens < Math.max(...want));
      const note = capped.length ? ` (${capped.map(({ run, tokens }) => `${nameOf(run.model.id)} reached ${tokens} of ${Math.max(...want)}`).join(', ')})` : '';
      return judged(bars, `Decode speed as the context grows${note}:`, evidence, used);
    },
  },

  /** No run speaks to it: the claim's reason. */
  'not-measurable': {
    roles: [],
    thresholds: [],
    evaluate(ctx) {
      const why = ctx.claim.notMeasurable ?? 'no on-device measurement speaks to this claim';
      return { verdict: 'not-measurable', summary: `Not measurable on a device: ${why}.`, margin: null, evidence: [], runIds: [], reasons: [why] };
    },
  },
});

/** The rule names a claim may use. */
export const RULE_NAMES: readonly string[] = Object.freeze(Object.keys(RULES));

/**
 * One verdict per claim, in the claims' order, from the results of ONE device (see groupByDevice in device.ts):
 * "best backend" means the best among the backends present in `results`. Never throws on results: what is
 * missing or failed becomes `cannot-run-here` with the reasons. Overrides are checked (unknown keys are errors).
 */
export function evaluateClaims(claims: readonly Claim[], results: readonly RunResult[], overrides: ThresholdOverrides = {}): Verdict[] {
  return applyThresholds(claims, overrides).map((claim) => {
    const ctx: RuleContext = {
      claim,
      results,
      t: (name) => {
        const t = claim.thresholds.find((x) => x.name === name);
        if (!t) throw new InvalidInputError(`Claim "${claim.id}" has no threshold "${name}" (rule ${claim.rule} needs it).`);
        return t;
      },
      role: (name) => claim.roles?.[name] ?? [],
      find: (model, dtype) => findRuns(claim, results, model, dtype),
      levels: (model) => DTYPES.filter((d) => claim.runs.some((g) => g.models.includes(model) && g.dtypes.includes(d))).map((d) => findRuns(claim, results, model, d)),
      models: () => [...new Set(claim.runs.flatMap((g) => g.models))],
    };
    const rule = RULES[claim.rule];
    const outcome: Outcome = rule
      ? rule.evaluate(ctx)
      : { verdict: 'cannot-run-here', summary: `No rule "${claim.rule}" to check this claim with.`, margin: null, evidence: [], runIds: [], reasons: [`unknown rule "${claim.rule}"; rules are: ${RULE_NAMES.join(', ')}`] };
    const runs = outcome.runIds.map((id) => results.find((r) => r.id === id)).filter((r): r is RunResult => r !== undefined);
    const withEnv = runs.find((r) => r.env !== null);
    const verdict: Verdict = {
      claimId: claim.id,
      ...outcome,
      thresholds: claim.thresholds.map((t) => ({ ...t })),
      devices: DEVICES.filter((d) => runs.some((r) => r.device === d)),
    };
    if (withEnv) verdict.device = deviceIdentity(withEnv.env);
    if (claim.unmeasuredParts?.length) verdict.unmeasuredParts = claim.unmeasuredParts.map((p) => ({ ...p }));
    return verdict;
  });
}
