/**
 * The run form's number fields as typed: each checked against its valid range, with a message naming the field,
 * what was typed and what would be valid. A bad field is never quietly replaced by a default or clamped.
 */
import { MAX_THREADS } from '../../core/threads.ts';

export interface FieldRule {
  /** The field's name in the form. */
  name: string;
  /** How the form labels it. */
  label: string;
  min: number;
  max: number;
  /** What an empty field means (said in the message); absent: the field is required. */
  empty?: string;
}

/** The ranges share links are held to too (src/ui/model/share.ts), so a form and its link agree. */
export const FIELD_RULES = {
  iterations: { name: 'iterations', label: 'Iterations', min: 1, max: 10_000 },
  warmup: { name: 'warmup', label: 'Warm-up', min: 0, max: 1000 },
  budget: { name: 'budget', label: 'Stop after ms', min: 0, max: 3_600_000, empty: 'no time limit' },
  maxNewTokens: { name: 'maxNewTokens', label: 'New tokens', min: 1, max: 4096 },
} as const satisfies Record<string, FieldRule>;

export type FieldCheck = { ok: true; value: number | null } | { ok: false; problem: string };

const range = (rule: FieldRule) => `a whole number from ${rule.min} to ${rule.max}${rule.empty ? `, or empty for ${rule.empty}` : ''}`;

/** A whole number within the rule's range; empty is null where the rule allows it. */
export function checkInteger(rule: FieldRule, raw: string): FieldCheck {
  const text = raw.trim();
  if (text === '') return rule.empty ? { ok: true, value: null } : { ok: false, problem: `${rule.label} is empty: it should be ${range(rule)}.` };
  const n = Number(text);
  // Digits only: "1e3", "0x10" and "2.0" are numbers to JavaScript, not to a person typing a count.
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || n < rule.min || n > rule.max)
    return { ok: false, problem: `${rule.label} "${text}" is not valid: it should be ${range(rule)}.` };
  return { ok: true, value: n };
}

/** The Threads field: empty or `auto`, `sweep`, or a count from 1 to MAX_THREADS (the run checks it against the device). */
export function checkThreads(raw: string): { ok: true; value: number | 'sweep' | null } | { ok: false; problem: string } {
  const text = raw.trim().toLowerCase();
  if (text === '' || text === 'auto') return { ok: true, value: null };
  if (text === 'sweep') return { ok: true, value: 'sweep' };
  const n = Number(text);
  if (/^\d+$/.test(text) && n >= 1 && n <= MAX_THREADS) return { ok: true, value: n };
  return { ok: false, problem: `Threads "${raw.trim()}" is not valid: it should be auto (or empty), sweep, or a count from 1 to ${MAX_THREADS}.` };
}

/** Context lengths: a comma-separated list of counts from 1 to 1 M tokens. */
export function checkLengths(raw: string): { ok: true; value: number[] } | { ok: false; problem: string } {
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = parts.filter((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 1_048_576);
  if (bad.length || parts.length === 0)
    return {
      ok: false,
      problem: `Lengths "${raw.trim()}" is not valid${bad.length ? ` (${bad.map((b) => `"${b}"`).join(', ')})` : ''}: it should be context lengths from 1 to 1048576 tokens, separated by commas.`,
    };
  return { ok: true, value: parts.map(Number) };
}
