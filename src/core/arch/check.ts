/** Checking an architecture config: which builder it names, and its fields, with errors that say what to fix. */
import type { z } from 'zod';
import { InvalidInputError } from '../vocab.ts';

/** The config's `field` (model_type, arch) when it is one of `known`; else an error listing them. */
export function knownType<T extends string>(raw: unknown, field: string, known: readonly T[], what: string, label: string, knownLabel = 'known'): T {
  const value = (raw as Record<string, unknown> | null)?.[field];
  if (typeof value !== 'string' || !(known as readonly string[]).includes(value)) {
    throw new InvalidInputError(`${what}: no replica builder for ${label} ${JSON.stringify(value ?? null)}; ${knownLabel}: ${known.join(', ')}.`);
  }
  return value as T;
}

/** `raw` checked against `schema`; the first problem names the field and whether it is missing or invalid. */
export function checkConfig<S extends z.ZodType>(schema: S, raw: unknown, what: string, type: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const detail = /received undefined/.test(issue.message) ? 'is missing' : `is invalid (${issue.message})`;
  throw new InvalidInputError(`${what}: config field "${issue.path.join('.') || '(config)'}" ${detail}; a ${type} config needs it.`);
}
