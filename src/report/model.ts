/**
 * What the claims report says, as plain strings: the input type, the device fingerprints, the claims rows and the
 * runs rows. The HTML and Markdown renderers only lay these out, so both print the same figures.
 */
import type { Claim, Threshold, Verdict, VerdictKind } from '../claims/types.ts';
import type { DeviceIdentity } from '../core/machine.ts';
import { KERNEL_4BIT_DTYPES, levelNotes } from '../core/level-note.ts';
import type { Env, RunResult } from '../core/schema.ts';
import { profileHints } from '../core/profile.ts';
import { ENGINE_LABEL } from '../core/vocab.ts';
import { taskAccuracyText } from '../text/task.ts';
import {
  formatBytes,
  formatHeap,
  formatDeviceMemory,
  formatMeasure,
  formatBudgetCut,
  formatMs,
  formatOpTypes,
  formatRate,
  formatRoofline,
  formatShare,
  formatThreshold,
  formatUtc,
} from '../text/format.ts';

/** The runs and verdicts of one device. */
export interface ReportDevice {
  identity: DeviceIdentity;
  results: RunResult[];
  verdicts: Verdict[];
}

/** A catalog replica as the Densing-law chart needs it (models/catalog.json → `replicas`). */
export interface ReportReplica {
  id: string;
  paramsPublished: number | null;
  /** ISO date, "2024-10-31". */
  releaseDate: string | null;
  family: string | null;
}

export interface ReportInput {
  title?: string;
  /** ISO timestamp of when the report was made. */
  generatedAt: string;
  /** One entry per device; several devices are shown side by side. */
  devices: ReportDevice[];
  claims: Claim[];
  catalog?: { replicas?: ReportReplica[] };
  /**
   * The text of chart.js's `dist/chart.umd.js`, inlined so the file opens offline; null leaves the charts out
   * (each says so) and keeps the tables.
   */
  chartJsSource: string | null;
}

export const DEFAULT_TITLE = 'ondevice: the articles’ on-device claims, measured';

export const VERDICT_TEXT: Readonly<Record<VerdictKind, { label: string; meaning: string }>> = Object.freeze({
  held: { label: 'held', meaning: 'measured, meets the bar' },
  'not-held': { label: 'not held', meaning: 'measured, misses the bar (the margin says by how much)' },
  'not-run-yet': { label: 'not run yet', meaning: 'the runs the check needs have not been made (none failed): run them to judge it' },
  'cannot-run-here': { label: 'cannot run here', meaning: 'this device cannot run what the check needs (the reason says which limit)' },
  'not-measurable': { label: 'not measurable', meaning: 'a quality or training claim no on-device measurement speaks to' },
});

/**
 * The fragment id of a run's row. Run ids are free text, so every character outside [A-Za-z0-9.-] (and `_`
 * itself) is written as `_` + its code point in hex: distinct ids always give distinct anchors, and an anchor
 * is safe in an attribute and in a URL fragment as it is.
 */
export function runAnchor(runId: string): string {
  return `run-${[...runId].map((c) => (/[A-Za-z0-9.-]/.test(c) ? c : `_${c.codePointAt(0)!.toString(16)}_`)).join('')}`;
}

export const claimAnchor = (claimId: string): string => `claim-${runAnchor(claimId).slice(4)}`;

/** A device's short name where its label would not fit (chart categories, table headers): "D1", "D2", … */
export const deviceTag = (deviceIndex: number): string => `D${deviceIndex + 1}`;

/** One labelled line of a device's fingerprint. */
export interface Fact {
  label: string;
  value: string;
}

const backendsOf = (results: readonly RunResult[]) => [...new Set(results.map((r) => r.device))];

/** The device as its runs describe it: the first run that recorded its environment, and every backend's roofline. */
export function deviceFacts(d: ReportDevice): Fact[] {
  const env: Env | undefined = d.results.find((r) => r.env)?.env ?? undefined;
  const facts: Fact[] = [
    { label: 'device', value: d.identity.label },
    { label: 'key', value: d.identity.key },
  ];
  const states = new Map<string, number>();
  for (const r of d.results) states.set(r.state, (states.get(r.state) ?? 0) + 1);
  const stateText = [...states].map(([s, n]) => `${n} ${s}`).join(', ');
  facts.push({ label: 'runs', value: d.results.length ? `${d.results.length} (${stateText}) on ${backendsOf(d.results).join(', ')}` : 'none' });
  if (!env) return [...facts, { label: 'environment', value: 'no run recorded its environment' }];
  const gpu = env.webgpu;
  facts.push(
    { label: 'user agent', value: env.userAgent },
    {
      label: 'cores',
      value: env.hardwareConcurrency === null ? '—' : `${env.hardwareConcurrency} logical${env.numThreads === null ? '' : ` · WASM threads ${env.numThreads}`}`,
    },
    { label: 'device memory', value: `${formatDeviceMemory(env.deviceMemory)} (navigator.deviceMemory)` },
    { label: 'cross-origin isolated', value: env.crossOriginIsolated ? 'yes' : 'no' },
    {
      label: 'WebGPU adapter',
      value: gpu
        ? `${[gpu.vendor, gpu.architecture, gpu.description].filter(Boolean).join(' / ')} · shader-f16 ${gpu.shaderF16 ? 'yes' : 'no'} · max buffer ${formatBytes(gpu.maxBufferSize)} · max storage binding ${formatBytes(gpu.maxStorageBufferBindingSize)}`
        : 'none',
    },
    {
      label: 'versions',
      value: `ondevice ${env.versions.ondevice} · onnxruntime-web ${env.versions.onnxruntimeWeb} · transformers.js ${env.versions.transformers} · wllama ${env.versions.wllama}`,
    },
  );
  for (const roof of rooflinesOf(d.results).values()) {
    const threads = roof.threads === null ? '' : ` · ${roof.threads} thread${roof.threads === 1 ? '' : 's'}`;
    facts.push({
      label: `roofline (${roof.device})`,
      value: `${formatRoofline(roof)}${threads} · ${formatBytes(roof.bandwidthBufferBytes)} read buffer, ${roof.matmulSize}² matmul · measured ${formatUtc(roof.measuredAt)}`,
    });
  }
  return facts;
}

type Roof = NonNullable<Env['roofline']>;

/** The roofline each backend's runs recorded (the first one seen per backend). */
export function rooflinesOf(results: readonly RunResult[]): Map<Roof['device'], Roof> {
  const roofs = new Map<Roof['device'], Roof>();
  for (const r of results) if (r.env?.roofline && !roofs.has(r.env.roofline.device)) roofs.set(r.env.roofline.device, r.env.roofline);
  return roofs;
}

/** A claim and each device's verdict on it (null where that device has none). */
export interface ClaimRow {
  claimId: string;
  /** Null when a verdict names a claim the list lacks: it is still shown. */
  claim: Claim | null;
  verdicts: (Verdict | null)[];
}

export function claimRows(input: ReportInput): ClaimRow[] {
  const ids = [...input.claims.map((c) => c.id)];
  for (const d of input.devices) for (const v of d.verdicts) if (!ids.includes(v.claimId)) ids.push(v.claimId);
  const runs = new Map(input.devices.flatMap((d) => d.results.map((r) => [r.id, r] as const)));
  return ids.map((claimId) => ({
    claimId,
    claim: input.claims.find((c) => c.id === claimId) ?? null,
    verdicts: input.devices.map((d) => {
      const v = d.verdicts.find((x) => x.claimId === claimId);
      return v ? withLevelNotes(v, runs) : null;
    }),
  }));
}

/**
 * A verdict with, after its reasons, what its 4-bit runs on wasm need said: that onnxruntime-web dequantized
 * every weight on every call (src/core/level-note.ts), which is the runtime's cost, not the device's.
 */
function withLevelNotes(v: Verdict, runs: ReadonlyMap<string, RunResult>): Verdict {
  const slow = v.runIds.map((id) => runs.get(id)).filter((r): r is RunResult => r !== undefined && KERNEL_4BIT_DTYPES.has(r.model.dtype));
  const notes = levelNotes(slow.map((r) => [r.model.dtype, r.device] as const)).filter((n) => !v.reasons.includes(n));
  return notes.length ? { ...v, reasons: [...v.reasons, ...notes] } : v;
}

/** One figure of a verdict, formatted, with the run it came from. */
export interface EvidenceText {
  label: string;
  value: string;
  runId: string | null;
}

export const evidenceTexts = (v: Verdict): EvidenceText[] => v.evidence.map((e) => ({ label: e.label, value: formatMeasure(e.value, e.unit), runId: e.runId }));

/** A bar as used, with what it is: { bar: "≤ 33 ms", label: "MobileNetV2 p50 latency at most" }. */
export const thresholdTexts = (ts: readonly Threshold[]): { bar: string; label: string; name: string }[] =>
  ts.map((t) => ({ bar: formatThreshold(t), label: t.label, name: t.name }));

/** The runs table's columns; the device column only appears with several devices. */
export const RUN_COLUMNS = [
  'run',
  'device',
  'model',
  'level',
  'backend',
  'engine',
  'state',
  'load',
  'p50',
  'TTFT',
  'decode tok/s',
  'task accuracy',
  'WASM heap',
  'GPU peak',
  'error',
] as const;
export type RunColumn = (typeof RUN_COLUMNS)[number];

export interface RunRow {
  id: string;
  anchor: string;
  replica: boolean;
  state: RunResult['state'];
  cells: Record<RunColumn, string>;
}

/** Context-length runs have no single decode figure: their shortest context's is the comparable one. */
export function decodeTokPerS(r: RunResult): number | null {
  const g = r.generation;
  if (!g) return null;
  return g.decodeTokPerS ?? g.contexts?.find((c) => c.decodeTokPerS !== null)?.decodeTokPerS ?? null;
}

/** A run's short name in charts and tables: "replica:HuggingFaceTB/SmolLM2-135M" → "SmolLM2-135M". */
export function shortModel(id: string): string {
  return id.replace(/^replica:/, '').replace(/^.*\//, '');
}

/** Every run of every device, in order; a run id seen twice keeps its first row (anchors must be unique). */
export function runRows(input: ReportInput): RunRow[] {
  const seen = new Set<string>();
  const rows: RunRow[] = [];
  for (const d of input.devices) {
    for (const r of d.results) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      rows.push({
        id: r.id,
        anchor: runAnchor(r.id),
        replica: r.model.source === 'replica',
        state: r.state,
        cells: {
          run: r.id,
          device: d.identity.label,
          model: r.model.id.replace(/^replica:/, ''),
          level: r.model.dtype,
          backend: r.device,
          engine: ENGINE_LABEL[r.engine],
          state: [r.state, formatBudgetCut(r)].filter(Boolean).join(' · '),
          load: formatMs(r.timings.loadMs),
          p50: formatMs(r.timings.latency?.p50Ms),
          TTFT: formatMs(r.generation?.ttftMs),
          'decode tok/s': formatRate(decodeTokPerS(r)),
          'task accuracy': taskAccuracyText(r),
          'WASM heap': formatHeap(r.memory),
          'GPU peak': formatBytes(r.memory.gpuBufferPeakBytes),
          error: r.error ? `${r.error.name}: ${r.error.message}` : '',
        },
      });
    }
  }
  return rows;
}

/** A run with a per-operator profile, as the report prints it: its top op types, slowest node and why. */
export interface ProfileRow {
  id: string;
  anchor: string;
  device: string;
  run: string;
  /** "MatMulNBits 99 %, Relu 0.4 %, Softmax 0.4 %" */
  ops: string;
  slowest: string;
  iteration: string;
  /** Why the top op types take their time, where we know (4-bit on wasm). */
  why: string[];
  note: string | null;
}

/** Every run that has a profile (`--profile`), in runRows' order. */
export function profileRows(input: ReportInput): ProfileRow[] {
  const seen = new Set<string>();
  const rows: ProfileRow[] = [];
  for (const d of input.devices) {
    for (const r of d.results) {
      const p = r.profile;
      if (!p || seen.has(r.id)) continue;
      seen.add(r.id);
      const top = p.topOps[0];
      rows.push({
        id: r.id,
        anchor: runAnchor(r.id),
        device: d.identity.label,
        run: `${shortModel(r.model.id)} ${r.model.dtype} ${r.device} ${r.engine}`,
        ops: formatOpTypes(p),
        slowest: top ? `${top.node} (${top.opType}) ${formatMs(top.ms)}, ${formatShare(top.share)}` : '—',
        iteration: `${formatMs(p.iterationMs)}${p.runs > 1 ? ` over ${p.runs} runs` : ''}: ${p.workload}`,
        why: profileHints(p, r.device),
        note: p.note,
      });
    }
  }
  return rows;
}

/** The columns shown: the device column only when the report has several devices. */
export const runColumns = (input: ReportInput): RunColumn[] =>
  RUN_COLUMNS.filter(
    (c) => (c !== 'device' || input.devices.length > 1) && (c !== 'task accuracy' || input.devices.some((d) => d.results.some((r) => r.pipeline))),
  );

/** Verdict counts of one device, in VERDICTS order, for the header. */
export function verdictCounts(d: ReportDevice): Map<VerdictKind, number> {
  const counts = new Map<VerdictKind, number>();
  for (const v of d.verdicts) counts.set(v.verdict, (counts.get(v.verdict) ?? 0) + 1);
  return counts;
}
