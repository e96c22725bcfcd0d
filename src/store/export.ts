/** Results to JSONL and CSV, and JSONL back to validated results: pure functions, usable in Node and the page. */
import { RunResultSchema, type RunResult } from '../core/schema.ts';

export function toJsonl(results: readonly RunResult[]): string {
  return results.map((r) => JSON.stringify(r)).join('\n') + (results.length ? '\n' : '');
}

export interface ImportProblem {
  line: number;
  message: string;
}

export interface ImportOutcome {
  results: RunResult[];
  problems: ImportProblem[];
}

/**
 * Parse JSONL; each bad line is reported with its number and the first offending field, and skipped.
 * Blank lines are allowed. Good lines are kept even when others are bad.
 */
export function parseJsonl(text: string): ImportOutcome {
  const results: RunResult[] = [];
  const problems: ImportProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      problems.push({ line, message: `line ${line}: not valid JSON (${(err as Error).message})` });
      return;
    }
    const parsed = RunResultSchema.safeParse(value);
    if (parsed.success) {
      results.push(parsed.data);
      return;
    }
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : '(record)';
    problems.push({ line, message: `line ${line}: field "${field}": ${issue?.message ?? 'invalid'}` });
  });
  return { results, problems };
}

/** CSV columns: one row per run, dotted paths into the record. */
export const CSV_COLUMNS = [
  'id',
  'suiteId',
  'startedAt',
  'state',
  'model.id',
  'model.source',
  'model.dtype',
  'model.bytes',
  'model.params',
  'model.flops',
  'model.weightBytesPerToken',
  'engine',
  'task',
  'device',
  'workload.iterations',
  'workload.warmup',
  'env.numThreads',
  'timings.fetchMs',
  'timings.sessionMs',
  'timings.loadMs',
  'timings.firstRunMs',
  'timings.latency.n',
  'timings.latency.meanMs',
  'timings.latency.sdMs',
  'timings.latency.rme',
  'timings.latency.minMs',
  'timings.latency.p50Ms',
  'timings.latency.p90Ms',
  'timings.latency.p95Ms',
  'timings.latency.p99Ms',
  'timings.latency.maxMs',
  // Language models: the generation figures (blank for other runs), and the context-length sweep as "length:tok/s" pairs.
  'generation.promptTokens',
  'generation.newTokens',
  'generation.generations',
  'generation.ttftMs',
  'generation.prefillTokPerS',
  'generation.decodeTokPerS',
  'generation.tpot.p50Ms',
  'generation.tpot.p90Ms',
  'generation.tpot.meanMs',
  'generation.stepMs.runMs',
  'generation.stepMs.outsideRunMs',
  'generation.contexts.decodeTokPerS',
  'fidelity.tokenAgreement',
  'workload.timeBudgetMs',
  'memory.modelBytes',
  'memory.wasmHeapPeakBytes',
  'memory.gpuBufferPeakBytes',
  'memory.uaMemoryBytes',
  'memory.osPeakRssBytes',
  'env.webgpu.vendor',
  'env.webgpu.architecture',
  'env.userAgent',
  // Task runs (empty for others): end to end, and OCR's accuracy.
  'pipeline.totalMs',
  'pipeline.accuracy.cer',
  'pipeline.accuracy.cerVsFp32',
  'error.name',
  'error.message',
] as const;

/** Columns that are not a path into the record: computed from it. */
const DERIVED: Readonly<Record<string, (r: RunResult) => unknown>> = {
  // "16:412.3;64:398.1": each context length and its decode tok/s, in one cell.
  'generation.contexts.decodeTokPerS': (r) =>
    r.generation?.contexts?.map((c) => `${c.contextTokens}:${c.decodeTokPerS === null ? '' : Number(c.decodeTokPerS.toFixed(2))}`).join(';') || null,
};

function pick(record: RunResult, path: string): unknown {
  const derived = DERIVED[path];
  if (derived) return derived(record);
  let v: unknown = record;
  for (const key of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(results: readonly RunResult[]): string {
  const rows = results.map((r) => CSV_COLUMNS.map((c) => csvCell(pick(r, c))).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}
