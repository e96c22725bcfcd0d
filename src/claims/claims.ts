/**
 * The articles' claims file (models/claims.json): its schema and checks, choosing claims by id, and overriding their
 * thresholds (app, CLI `--threshold CLAIM_ID.NAME=VALUE`). What the claims need run is plan.ts; their verdicts are
 * evaluate.ts, by the rules in rules/. Pure: no DOM, no worker, no onnxruntime.
 */
import { z } from '../core/zod.ts';
import { RULES } from './rules/index.ts';
import type { Claim, ClaimsFile, ThresholdOverrides } from './types.ts';
import { DTYPES, InvalidInputError } from '../core/vocab.ts';

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
  source: z.object({
    document: z.string().min(1),
    title: z.string().min(1),
    date: z.string().regex(/^\d{4}(-\d{2}){0,2}$/, 'a date is YYYY, YYYY-MM or YYYY-MM-DD'),
  }),
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
  quoted: z
    .object({ params: z.number().positive().optional(), flops: z.number().positive().optional(), inputShape: z.array(z.number().int().positive()).optional() })
    .optional(),
});

/** models/claims.json. Beyond each field's shape: ids unique, a known rule with the roles, thresholds and quoted figures it reads. */
export const ClaimsFileSchema = z.object({ schema: z.literal(CLAIMS_SCHEMA), claims: z.array(ClaimSchema) }).superRefine((file, ctx) => {
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
    for (const q of rule.quoted ?? [])
      if (q !== 'flops' && c.quoted?.[q] === undefined) issue(['quoted', q], `rule "${c.rule}" needs the quoted figure "${q}"`);
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
    const field = rest
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    return `${who}, field ${field || '(the claim)'}: ${issue.message}`;
  });
  throw new InvalidInputError(`Invalid claims file: ${problems.join('; ')}.`);
}

/** The claims with these ids, in the file's order (all of them when `ids` is empty); an unknown id lists the valid ones. */
export function selectClaims(claims: readonly Claim[], ids: readonly string[] = []): Claim[] {
  const known = new Set(claims.map((c) => c.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length)
    throw new InvalidInputError(
      `Unknown claim${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}. Should be one of: ${[...known].join(', ')}.`,
    );
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
    throw new InvalidInputError(
      `Unknown threshold "${name}" of claim "${claim.id}". Should be one of: ${own.length ? own.join(', ') : '(this claim has none)'}.`,
    );
  }
  // Number("") is 0 and Number(" 1e3 ") is 1000: require the text to look like a number.
  const value = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) throw new InvalidInputError(`Threshold "${key}" needs a number (e.g. ${key}=40); got "${text}".`);
  return { key, value };
}

/** Several `--threshold` flags as overrides (a later flag for the same key wins). */
export function parseThresholdFlags(flags: readonly string[], claims: readonly Claim[]): ThresholdOverrides {
  return Object.fromEntries(
    flags.map((f) => {
      const { key, value } = parseThresholdFlag(f, claims);
      return [key, value] as const;
    }),
  );
}
