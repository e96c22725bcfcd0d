/** onnxruntime's profile (Chrome trace events, one per node run) → the operators that took a profiled iteration's time. */
import type { OpProfile } from './schema.ts';
import type { Engine } from './vocab.ts';

/** The engines whose runs can be profiled: onnxruntime-web's profiler sees only sessions we create ourselves. */
export const PROFILE_ENGINES: readonly Engine[] = Object.freeze(['ort']);

/** Why a run on `engine` gets no profile; null where it can have one. */
export function profileUnsupportedReason(engine: Engine): string | null {
  if (PROFILE_ENGINES.includes(engine)) return null;
  return `Per-operator profiling is available on the ort engine only (onnxruntime-web's profiler, on sessions ondevice creates); this run is on ${engine}, whose library creates its own sessions. Run with engine ${PROFILE_ENGINES.join(' or ')} (CLI: --engine ort).`;
}

/** How many tokens a language model's profiled generation makes (the run's own count when smaller). */
export const PROFILE_NEW_TOKENS = 8;

/** One event of onnxruntime's profiler output (`{"cat", "name", "ts", "dur", "args"}`, times in µs). */
export interface OrtTraceEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args: Record<string, unknown>;
}

export class ProfileParseError extends Error {
  override name = 'ProfileParseError';
}

/** How many operators (nodes) a profile keeps; the per-op-type rollup keeps every type. */
export const TOP_OPS = 10;

/**
 * The events in onnxruntime's profiler text. On WebAssembly the profiler writes its JSON array to stdout (emscripten's
 * `console.log`, a line at a time), so the text may carry other lines around it: everything from the first line that
 * is `[` to the next that is `]` is the array.
 */
export function parseOrtProfile(text: string): OrtTraceEvent[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === '[');
  const end = start < 0 ? -1 : lines.findIndex((l, i) => i > start && l.trim() === ']');
  if (start < 0 || end < 0)
    throw new ProfileParseError(`onnxruntime's profile output has no JSON array (no lines "[" … "]" in ${lines.length} line(s) captured)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(lines.slice(start, end + 1).join('\n'));
  } catch (err) {
    // onnxruntime writes names unescaped: a node name with a quote or backslash breaks the JSON.
    throw new ProfileParseError(
      `onnxruntime's profile output is not valid JSON (${(err as Error).message}); a node name with a quote or backslash would do this`,
    );
  }
  if (!Array.isArray(parsed)) throw new ProfileParseError("onnxruntime's profile output is not an array of events");
  return parsed.flatMap((e): OrtTraceEvent[] => {
    if (typeof e !== 'object' || e === null) return [];
    const { cat, name, ts, dur, args } = e as Record<string, unknown>;
    if (typeof cat !== 'string' || typeof name !== 'string' || typeof ts !== 'number' || typeof dur !== 'number') return [];
    return [{ cat, name, ts, dur, args: typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {} }];
  });
}

const KERNEL = '_kernel_time';

/** What `summarizeProfile` reads from the events; the caller adds what was profiled and how long profiling took. */
export type ProfileSummary = Pick<OpProfile, 'runs' | 'iterationMs' | 'kernelMs' | 'topOps' | 'opTypes' | 'providers'>;

/**
 * The operators of the profiled iteration: the `model_run`s after the first `skipRuns` (warm-up runs in the same
 * session), and the node events inside them. A node that runs in several of them (a decoder's steps) is summed.
 * With `repeatRuns`, those runs are repeats of one iteration of that many runs each (1 for an inference, a
 * generation's steps), and only the repeat of median length is read: on a busy machine a single run can stall
 * anywhere, and the median's shares are the typical iteration's.
 * Shares are of the iteration's wall time (its `model_run`s), so what is not an operator (onnxruntime's own
 * bookkeeping, copies between devices) is the rest to 100 %.
 */
export function summarizeProfile(events: readonly OrtTraceEvent[], skipRuns = 0, top = TOP_OPS, repeatRuns: number | null = null): ProfileSummary {
  let runs = events
    .filter((e) => e.cat === 'Session' && e.name === 'model_run')
    .sort((a, b) => a.ts - b.ts)
    .slice(skipRuns);
  if (runs.length === 0) throw new ProfileParseError(`onnxruntime's profile has no model_run event after the first ${skipRuns}: nothing was profiled`);
  if (repeatRuns !== null && runs.length > repeatRuns) {
    const repeats = Array.from({ length: Math.ceil(runs.length / repeatRuns) }, (_, i) => runs.slice(i * repeatRuns, (i + 1) * repeatRuns));
    const length = (rs: readonly OrtTraceEvent[]) => rs.reduce((s, r) => s + r.dur, 0);
    // A short last repeat (a generation stopped early) is no typical iteration.
    const whole = repeats.filter((rs) => rs.length === repeatRuns);
    runs = [...whole].sort((a, b) => length(a) - length(b) || a[0]!.ts - b[0]!.ts)[Math.floor((whole.length - 1) / 2)]!;
  }
  const inRun = (e: OrtTraceEvent) => runs.some((r) => e.ts >= r.ts && e.ts + e.dur <= r.ts + r.dur);
  const nodes = new Map<string, { opType: string; provider: string | null; us: number; calls: number }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith(KERNEL) || !inRun(e)) continue;
    const node = e.name.slice(0, -KERNEL.length);
    const n = nodes.get(node) ?? {
      opType: String(e.args.op_name ?? '?'),
      provider: typeof e.args.provider === 'string' ? e.args.provider : null,
      us: 0,
      calls: 0,
    };
    n.us += e.dur;
    n.calls += 1;
    nodes.set(node, n);
  }
  const iterationUs = runs.reduce((s, r) => s + r.dur, 0);
  const kernelUs = [...nodes.values()].reduce((s, n) => s + n.us, 0);
  const share = (us: number) => (iterationUs > 0 ? us / iterationUs : 0);
  const byType = new Map<string, { us: number; nodes: number; calls: number }>();
  for (const n of nodes.values()) {
    const t = byType.get(n.opType) ?? { us: 0, nodes: 0, calls: 0 };
    t.us += n.us;
    t.nodes += 1;
    t.calls += n.calls;
    byType.set(n.opType, t);
  }
  // Ties broken by name so that the same profile always gives the same list.
  const topOps = [...nodes.entries()]
    .sort(([a, x], [b, y]) => y.us - x.us || a.localeCompare(b))
    .slice(0, top)
    .map(([node, n]) => ({ opType: n.opType, node, provider: n.provider, ms: n.us / 1000, share: share(n.us), calls: n.calls }));
  const opTypes = [...byType.entries()]
    .sort(([a, x], [b, y]) => y.us - x.us || a.localeCompare(b))
    .map(([opType, t]) => ({ opType, ms: t.us / 1000, share: share(t.us), nodes: t.nodes, calls: t.calls }));
  const providers = [...new Set([...nodes.values()].map((n) => n.provider).filter((p): p is string => p !== null))].sort();
  return { runs: runs.length, iterationMs: iterationUs / 1000, kernelMs: kernelUs / 1000, topOps, opTypes, providers };
}

/**
 * Why an op type can dominate a profile on a backend, where we know: onnxruntime-web behaviours checked on its
 * wasm build (see the README's "Known behaviour"). Keyed by op type; wasm only, where the CPU kernels are the story.
 */
const WASM_OP_WHY: Readonly<Record<string, string>> = Object.freeze({
  MatMulNBits:
    "onnxruntime-web's wasm build has no 4-bit kernel: MatMulNBits dequantizes its whole weight to fp32 on every call, then packs it, before an fp32 matmul",
  MatMulBnb4: "onnxruntime-web's wasm build has no 4-bit kernel: MatMulBnb4 dequantizes its whole weight to fp32 on every call before an fp32 matmul",
  DynamicQuantizeMatMul:
    'q8/int8 levels quantize the activation on every call, then run the int8 GEMM, which on wasm repacks its weights on every call (no packed-weight path): it cannot beat fp32 MatMul at batch 1',
  MatMulInteger: 'the int8 GEMM on wasm repacks its weights on every call (no packed-weight path), so it cannot beat fp32 MatMul at batch 1',
  DynamicQuantizeLinear: 'q8/int8 levels quantize every activation on every call (DynamicQuantizeLinear) before the int8 GEMM',
  DequantizeLinear: 'weight-only DequantizeLinear runs on every inference unless the session folds it at load',
});

/** Hints for the op types that take at least `minShare` of the profiled iteration (e.g. why MatMulNBits is 94 %). */
export function profileHints(profile: Pick<OpProfile, 'opTypes'>, device: string, minShare = 0.2): string[] {
  if (device !== 'wasm') return [];
  return profile.opTypes.filter((t) => t.share >= minShare && WASM_OP_WHY[t.opType]).map((t) => `${t.opType}: ${WASM_OP_WHY[t.opType]}`);
}
