/**
 * The shapes of the articles' claims (models/claims.json) and of their verdicts on one machine. Pure types: the
 * data is checked by `ClaimsFileSchema` in claims.ts, verdicts are computed by evaluate.ts with the rules in rules/,
 * the report (src/report/) only formats them.
 */
import type { DeviceIdentity } from '../core/machine.ts';
import type { InputOverride } from '../core/spec.ts';
import type { Device, Dtype } from '../core/vocab.ts';

export const VERDICTS = ['held', 'not-held', 'not-run-yet', 'cannot-run-here', 'not-measurable'] as const;
/**
 * held: measured, meets the bar. not-held: measured, misses it (the verdict says by how much). not-run-yet: the runs
 * the check needs have not been made (none failed; the verdict names the missing runs). cannot-run-here: the device
 * cannot run what the check needs (the verdict says why, with the runs' errors). not-measurable: a
 * quality or training claim no on-device measurement can speak to (kept, with the reason).
 */
export type VerdictKind = (typeof VERDICTS)[number];

/** One bar of a claim. A default: the user can change it (app, CLI `--threshold CLAIM.NAME=VALUE`). */
export interface Threshold {
  /** Key within the claim, e.g. `p50Ms`; `CLAIM_ID.name` addresses it from outside. */
  name: string;
  value: number;
  /** Unit of `value` as printed: "ms", "MB", "tok/s", "×", "%". */
  unit: string;
  /** What the bar is, for the report: "MobileNetV2 p50 latency at most". */
  label: string;
  /** `max`: the measured value must be ≤ value; `min`: ≥ value. */
  direction: 'max' | 'min';
}

/**
 * A group of runs a claim needs. The claims suite turns each group into one suite plan; groups of several claims
 * that ask for the same runs are run once.
 */
export interface ClaimRuns {
  /** Catalog ids or `replica:NAME`. */
  models: string[];
  dtypes: Dtype[];
  /** `inference`: timed iterations; `generation`: greedy decode after a prompt; `context`: the context-length run type. */
  kind: 'inference' | 'generation' | 'context' | 'inspect';
  /** Timed iterations (inference) or measured generations (generation); the suite's default when absent. */
  iterations?: number;
  /** Generation: prompt length in tokens (replicas: one token per 4 UTF-8 bytes of prompt). */
  promptTokens?: number;
  maxNewTokens?: number;
  /** Context kind: the lengths to fill the context to. */
  contextLengths?: number[];
  inputs?: Record<string, InputOverride>;
}

export interface ClaimSource {
  /** The article's identifier in the collection the claims were taken from, e.g. `000_728d1d8222639978.txt`; `title` and `date` name it for a reader. */
  document: string;
  title: string;
  /** As the article dates itself, e.g. "2024-07". */
  date: string;
}

export interface Claim {
  id: string;
  source: ClaimSource;
  /** The article's words, verbatim. */
  quote: string;
  english: string;
  /** How ondevice checks it, in a sentence or two (claims.md's "check" column). */
  check: string;
  /** What is measured, e.g. "model bytes at fp32 (ratio)". */
  metric: string;
  /** The evaluation rule in src/claims/rules/ (usually the claim's id); `not-measurable` for claims no run speaks to. */
  rule: string;
  thresholds: Threshold[];
  runs: ClaimRuns[];
  /** Set when the whole claim is not measurable on a device: why. */
  notMeasurable?: string;
  /** Parts of a measurable claim that no measurement speaks to (quality, power, training cost), with why. */
  unmeasuredParts?: UnmeasuredPart[];
  /**
   * Which of the claim's models plays which part in its rule (`reference`, `subject`, …: each rule in rules/
   * names the roles it reads), so a rule never depends on the order of `runs[].models`.
   */
  roles?: Record<string, string[]>;
  /** Figures the article quotes that a rule measures against: parameters, FLOPs (as quoted), an input shape. */
  quoted?: QuotedFigures;
}

export interface UnmeasuredPart {
  part: string;
  reason: string;
}

export interface QuotedFigures {
  params?: number;
  /** Compute as quoted; the rule says whether it matches multiply-adds counted once (MACs) or twice (FLOPs). */
  flops?: number;
  inputShape?: number[];
}

export interface ClaimsFile {
  schema: 'ondevice.claims/1';
  claims: Claim[];
}

/** One measured (or derived) figure behind a verdict. */
export interface Evidence {
  /** What it is: "MobileNetV2 fp32 p50 on wasm". */
  label: string;
  value: number | null;
  /** Unit of `value` as printed. */
  unit: string;
  /** The run it came from (null for figures derived from several runs, e.g. a ratio; see Verdict.runIds). */
  runId: string | null;
}

/** Overrides of claims' default thresholds, keyed `CLAIM_ID.NAME`. */
export type ThresholdOverrides = Readonly<Record<string, number>>;

export interface Verdict {
  claimId: string;
  verdict: VerdictKind;
  /** One sentence: what was measured, against which bar. */
  summary: string;
  /** How far from the bar, when not held: "ratio 20.3× against ≥ 100× (4.9× short)". */
  margin: string | null;
  /** The thresholds as used (defaults with the overrides applied). */
  thresholds: Threshold[];
  evidence: Evidence[];
  /** Every run the verdict was computed from (or, for cannot-run-here, the runs that failed). */
  runIds: string[];
  /** cannot-run-here / not-measurable: why (runs' error messages, the fit check's numbers). */
  reasons: string[];
  /** The backend(s) the figures came from. */
  devices: Device[];
  /** The machine the runs were made on (from the first run that recorded its environment). */
  device?: DeviceIdentity;
  /** The claim's parts no measurement speaks to (copied from the claim, so a verdict can be shown alone). */
  unmeasuredParts?: UnmeasuredPart[];
}
