/**
 * What a rule is: the contract between a claim's rule (src/claims/rules/*.ts) and evaluate.ts, which hands each
 * rule a context over one machine's results and turns the rule's outcome into a verdict.
 */
import type { Claim, Evidence, QuotedFigures, Threshold, VerdictKind } from '../types.ts';
import type { RunResult } from '../../core/schema.ts';
import type { Dtype } from '../../core/vocab.ts';

/** What the runs of one model at one level came to in the results. */
export interface Found {
  model: string;
  dtype: Dtype;
  completed: RunResult[];
  /** Errored, unsupported or aborted runs: their errors are the reasons a claim cannot be checked. */
  failed: RunResult[];
  /** The kind of run the claim asks for, in words ("context run", "generation run", "run"); "run" when absent. */
  want?: string;
  /** Completed runs of this model and level of another kind than the claim asks for (a generation run, not a context run). */
  otherKind?: number;
}

/** What a rule decides; evaluateClaims adds the claim's id, thresholds, devices and parts not measured. */
export interface Outcome {
  verdict: VerdictKind;
  summary: string;
  margin: string | null;
  evidence: Evidence[];
  runIds: string[];
  reasons: string[];
}

export interface RuleContext {
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

export interface Rule {
  /** Roles the claim must assign (Claim.roles). */
  roles: readonly string[];
  /** Thresholds the claim must define. */
  thresholds: readonly string[];
  /** Figures the claim must quote (flops is optional: checked when quoted). */
  quoted?: readonly (keyof QuotedFigures)[];
  /** Further checks of a claim that uses this rule: problems as [field, message]. */
  validate?(claim: Claim): [string, string][];
  evaluate(ctx: RuleContext): Outcome;
}
