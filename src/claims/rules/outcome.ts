/**
 * A rule's outcome in words: numbers in sentences, bars met or missed, and the held / not-held / cannot-run-here
 * outcomes built from them.
 */
import type { Found, Outcome } from './rule.ts';
import type { Evidence, Threshold } from '../types.ts';
import { isReplicaName, REPLICA_PREFIX } from '../../core/catalog.ts';
import type { RunResult } from '../../core/schema.ts';

// Numbers in sentences (the verdicts' summaries and margins); everything else leaves formatting to the UI.

export const num = (x: number): string => {
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return String(Number(a < 0.01 && a > 0 ? x.toPrecision(2) : x.toFixed(digits)));
};
export const withUnit = (x: number, unit: string): string => (unit === '×' || unit === '%' || unit === '' ? `${num(x)}${unit}` : `${num(x)} ${unit}`);
/** Large counts with 4 significant digits ("304.7 M", "3.821 B"): the gaps the size claims are about are small. */
export const count = (n: number): string =>
  n >= 1e9 ? `${Number((n / 1e9).toPrecision(4))} B` : n >= 1e6 ? `${Number((n / 1e6).toPrecision(4))} M` : `${Math.round(n)}`;
export const signedPct = (x: number): string => `${x >= 0 ? '+' : '−'}${Number(Math.abs(x).toFixed(2))} %`;
export const op = (t: Threshold): string => (t.direction === 'min' ? '≥' : '≤');
export const ratio = (x: number): string => `${num(x)}×`;

/** How far a value misses a bar: a factor for ratios, points for percentages, a difference otherwise. */
export function gap(value: number, t: Threshold): string {
  const word = t.direction === 'min' ? 'short' : 'over';
  if (t.unit === '×') return `${ratio(t.direction === 'min' ? t.value / value : value / t.value)} ${word}`;
  const d = Math.abs(value - t.value);
  return t.unit === '%' ? `${num(d)} points ${word}` : `${withUnit(d, t.unit)} ${word}`;
}

export interface Bar {
  ok: boolean;
  /** "Phi-3.5-mini decode 7.1 tok/s (≥ 5 tok/s)". */
  text: string;
  /** "Phi-3.5-mini decode 3.2 tok/s against ≥ 5 tok/s (1.8 tok/s short)"; null when met. */
  margin: string | null;
}

export function bar(what: string, value: number, t: Threshold): Bar {
  const ok = t.direction === 'min' ? value >= t.value : value <= t.value;
  const shown = `${what} ${withUnit(value, t.unit)}`;
  return {
    ok,
    text: `${shown} (${op(t)} ${withUnit(t.value, t.unit)})`,
    margin: ok ? null : `${shown} against ${op(t)} ${withUnit(t.value, t.unit)} (${gap(value, t)})`,
  };
}

/** A model as people say it: the last part of its id ("replica:torchvision/googlenet" → "googlenet"). */
export const nameOf = (model: string): string => (isReplicaName(model) ? model.slice(REPLICA_PREFIX.length) : model).split('/').pop()!;

export const ev = (label: string, value: number | null, unit: string, run: RunResult | null): Evidence => ({ label, value, unit, runId: run?.id ?? null });
export const failure = (r: RunResult): string => `${nameOf(r.model.id)} at ${r.model.dtype} on ${r.device}: ${r.error?.message ?? `the run ended ${r.state}`}`;
/** What a model at a level lacks when it has no run of the kind asked for: "no context run of SmolLM2-135M at q8 …". */
export const absent = (f: Pick<Found, 'model' | 'dtype' | 'want' | 'otherKind'>): string =>
  `no ${f.want ?? 'run'} of ${nameOf(f.model)} at ${f.dtype} on this device in these results${
    f.otherKind ? ` (${f.otherKind === 1 ? 'its one completed run is' : `its ${f.otherKind} completed runs are`} of another kind)` : ''
  }`;
/** Why a model at a level gave a check nothing: its runs' errors, or that it has no run at all. */
const reasonsFor = (f: Found): string[] =>
  f.failed.length
    ? f.failed.map(failure)
    : f.completed.length
      ? [`${nameOf(f.model)} at ${f.dtype} completed only on ${[...new Set(f.completed.map((r) => r.device))].join(', ')}`]
      : [absent(f)];

/**
 * The verdict when what the check needs did not complete: each missing run's error (or that there was no run at
 * all). Runs that did complete are listed too: their figures are in the evidence. When nothing failed and nothing
 * else is wrong (`extra` empty), the runs were simply never made: `not-run-yet`, naming them; a device limit is only
 * claimed (`cannot-run-here`) where a run failed or a figure is missing.
 */
export function cannotRun(lacking: readonly Found[], done: readonly RunResult[] = [], evidence: Evidence[] = [], extra: string[] = []): Outcome {
  const reasons = [...extra, ...lacking.flatMap(reasonsFor)];
  const notRun = lacking.length > 0 && extra.length === 0 && lacking.every((f) => f.failed.length === 0 && f.completed.length === 0);
  // "generation run of A at q4, B at q4; context run of C at q8": the missing runs grouped by the kind asked for.
  const wants = [...new Set(lacking.map((f) => f.want ?? 'run'))];
  const list = wants
    .map((w) => `${w} of ${[...new Set(lacking.filter((f) => (f.want ?? 'run') === w).map((f) => `${nameOf(f.model)} at ${f.dtype}`))].join(', ')}`)
    .join('; ');
  return {
    verdict: notRun ? 'not-run-yet' : 'cannot-run-here',
    summary: notRun
      ? `Not run yet: no ${list}. Run the claims suite (or these runs) to judge it.`
      : `Cannot be checked on this device: ${lacking.length ? `no completed ${list}` : 'a figure the check needs was not recorded'}.`,
    margin: null,
    evidence,
    runIds: [...new Set([...lacking.flatMap((f) => f.failed.map((r) => r.id)), ...done.map((r) => r.id)])],
    reasons,
  };
}

/** held / not-held from bars: the summary lists every bar, the margin the missed ones. */
export function judged(bars: readonly Bar[], lead: string, evidence: Evidence[], runs: readonly RunResult[], extraMargins: string[] = []): Outcome {
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
