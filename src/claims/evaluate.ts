/**
 * One verdict per claim from one machine's results: each claim's rule (rules/) is handed the claim's runs as found
 * in the results, and its outcome becomes the verdict. Pure: no DOM, no worker, no onnxruntime.
 */
import { applyThresholds } from './claims.ts';
import { RULE_NAMES, RULES } from './rules/index.ts';
import type { Found, Outcome, RuleContext } from './rules/rule.ts';
import type { Claim, ClaimRuns, ThresholdOverrides, Verdict } from './types.ts';
import { onnxTwin } from '../core/engine-sides.ts';
import { deviceIdentity } from '../core/machine.ts';
import type { RunResult } from '../core/schema.ts';
import { DEVICES, DTYPES, InvalidInputError, isGgufDtype, type Dtype } from '../core/vocab.ts';

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

const KIND_WORD: Readonly<Record<ClaimRuns['kind'], string>> = { inference: 'run', inspect: 'run', generation: 'generation run', context: 'context run' };

/** The runs of a model at a level (and its GGUF twin), of the kinds the claim asks for it in: completed and failed apart, wasm first. */
function findRuns(claim: Claim, results: readonly RunResult[], model: string, dtype: Dtype): Found {
  const groups = claim.runs.filter((g) => g.models.includes(model) && g.dtypes.includes(dtype));
  // The GGUF levels of the same size class count with the level (wllama q4_0 and q4_k_m with q4): the fastest engine that ran is judged.
  const same = results.filter((r) => r.model.id === model && (r.model.dtype === dtype || (isGgufDtype(r.model.dtype) && onnxTwin(r.model.dtype) === dtype)));
  const mine = same.filter((r) => groups.some((g) => sameKind(r, g)));
  return {
    model,
    dtype,
    completed: byDevice(mine.filter((r) => r.state === 'completed')),
    failed: byDevice(mine.filter((r) => r.state !== 'completed')),
    want: [...new Set(groups.map((g) => KIND_WORD[g.kind]))].join(' or ') || 'run',
    otherKind: same.filter((r) => r.state === 'completed' && !mine.includes(r)).length,
  };
}

/**
 * One verdict per claim, in the claims' order, from the results of ONE machine (see groupByDevice in machine.ts):
 * "best backend" means the best among the backends present in `results`. Never throws on results: what failed
 * becomes `cannot-run-here` with the runs' errors, what was never run `not-run-yet` naming the missing runs. Overrides are checked (unknown keys are errors).
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
      levels: (model) =>
        DTYPES.filter((d) => claim.runs.some((g) => g.models.includes(model) && g.dtypes.includes(d))).map((d) => findRuns(claim, results, model, d)),
      models: () => [...new Set(claim.runs.flatMap((g) => g.models))],
    };
    const rule = RULES[claim.rule];
    const outcome: Outcome = rule
      ? rule.evaluate(ctx)
      : {
          verdict: 'cannot-run-here',
          summary: `No rule "${claim.rule}" to check this claim with.`,
          margin: null,
          evidence: [],
          runIds: [],
          reasons: [`unknown rule "${claim.rule}"; rules are: ${RULE_NAMES.join(', ')}`],
        };
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
