/** The results tables: backends side by side for the latest suite, and the full history. */
import { profileHints } from '../core/profile.ts';
import type { RunResult } from '../core/schema.ts';
import { DEVICES, ENGINE_LABEL, type Engine } from '../core/vocab.ts';
import { engineSidesText } from '../text/engine-sides.ts';
import { formatReason } from '../text/errors.ts';
import { stageTimes, taskAccuracyText } from '../text/task.ts';
import { el } from './dom.ts';
import {
  formatBudgetCut,
  formatBytes,
  formatHeap,
  formatCount,
  formatDate,
  formatGflops,
  formatMs,
  formatOpTypes,
  formatPredicted,
  formatRate,
  formatRme,
  formatShare,
  formatStepMs,
  formatUtilisation,
} from '../text/format.ts';

/** One cell's content: the figure that matters for the state the run ended in. */
function cell(r: RunResult): HTMLElement {
  const td = el('td', { class: `state-${r.state}`, 'data-run-id': r.id, 'data-state': r.state });
  const g = r.generation;
  if (r.state === 'completed' && g) {
    const fidelity = r.fidelity?.tokenMatch != null ? ` · same tokens as fp32: ${(r.fidelity.tokenMatch * 100).toFixed(0)} %` : '';
    if (g.contexts?.length) {
      const first = g.contexts[0]!;
      const last = g.contexts.at(-1)!;
      td.append(
        el('strong', {}, `${formatRate(first.decodeTokPerS)} → ${formatRate(last.decodeTokPerS)} tok/s`),
        el('br'),
        el('small', {}, `decode at ${first.contextTokens} → ${last.contextTokens} tokens of context`),
      );
    } else {
      td.append(
        el('strong', {}, `${formatRate(g.decodeTokPerS)} tok/s`),
        el('br'),
        el('small', {}, `TTFT ${formatMs(g.ttftMs)} · prefill ${formatRate(g.prefillTokPerS)} tok/s${fidelity}`),
        el('br'),
        el('small', {}, `load ${formatMs(r.timings.loadMs)} · ${g.newTokens} tokens × ${g.generations}`),
        ...(g.stepMs ? [el('br'), el('small', { class: 'step-ms' }, `step: ${formatStepMs(g.stepMs)}`)] : []),
        // What the model wrote (the first measured generation): synthetic ids for a replica, text otherwise.
        ...(g.text ? [el('br'), el('small', { class: 'lm-text', title: g.text }, `text: “${g.text.length > 80 ? `${g.text.slice(0, 79)}…` : g.text}”`)] : []),
      );
    }
  } else if (r.state === 'completed' && r.timings.latency) {
    const l = r.timings.latency;
    td.append(
      el('strong', {}, formatMs(l.p50Ms)),
      el('br'),
      el('small', {}, `p90 ${formatMs(l.p90Ms)} · ${formatRme(l)} · n=${l.n}`),
      el('br'),
      el('small', {}, `load ${formatMs(r.timings.loadMs)} · first ${formatMs(r.timings.firstRunMs)}`),
    );
  } else {
    td.append(el('strong', {}, r.state), el('br'), el('small', { class: 'reason', title: r.error?.raw ?? '' }, formatReason(r)));
    // An aborted run keeps the iterations it measured: show them in its own row, marked as partial.
    const kept = r.timings.latency;
    const keptRate = r.generation?.decodeTokPerS ?? null;
    if (r.state === 'aborted' && (kept || keptRate !== null))
      td.append(
        el('br'),
        el('small', { class: 'kept' }, kept ? `kept: p50 ${formatMs(kept.p50Ms)} · n=${kept.n}` : `kept: ${formatRate(keptRate)} tok/s decode`),
      );
  }
  if (r.state === 'completed' && r.pipeline) {
    // A task run: what it got right, and where its time went, stage by stage.
    td.append(el('br'), el('small', { class: 'task-accuracy' }, taskAccuracyText(r)), el('br'), el('small', { class: 'task-stages' }, stageTimes(r)));
  }
  const cut = formatBudgetCut(r);
  if (cut) td.append(el('br'), el('small', { class: 'budget-cut' }, `cut short: ${cut}`));
  if (r.state === 'completed' && r.model.flops) {
    const lm = r.generation ? ' per token' : '';
    td.append(el('br'), el('small', { title: r.model.flopsBasis ?? '' }, `${formatGflops(r)} · ${formatCount(r.model.flops)}FLOP${lm}`));
  }
  if (r.state === 'completed' && r.utilisation) {
    td.append(el('br'), el('small', { title: r.utilisation.basis }, `${r.generation ? 'bandwidth' : 'roofline'} use ${formatUtilisation(r)}`));
  }
  if (r.memory.predicted && r.state === 'completed') {
    td.append(el('br'), el('small', {}, `predicted ${formatPredicted(r)}`));
  }
  if (r.profile)
    td.append(
      el('br'),
      el('small', { class: 'profile-line', title: 'Per-operator profile: share of one profiled iteration (see below)' }, `ops: ${formatOpTypes(r.profile)}`),
    );
  else if (r.profileReason && r.state === 'completed') td.append(el('br'), el('small', { class: 'reason' }, `no profile: ${r.profileReason}`));
  return td;
}

/** The model cell: a replica says so, and what that means, wherever it appears. */
const REPLICA_NOTE =
  'Replica: the real architecture with synthetic weights. Its timings and memory are the real model’s; its outputs are meaningless, so it has no fidelity.';
const modelLabel = (id: string, replica: boolean): HTMLElement =>
  replica ? el('span', { title: REPLICA_NOTE }, id.replace(/^replica:/, ''), ' ', el('span', { class: 'badge replica' }, 'replica')) : el('span', {}, id);

/** Rows: model × level; columns: backends that appear in the results. */
export function comparisonTable(results: readonly RunResult[]): HTMLElement {
  if (results.length === 0) return el('p', { class: 'empty' }, 'No runs yet: choose models and backends, then Run.');
  const devices = DEVICES.filter((d) => results.some((r) => r.device === d));
  const rows = new Map<string, Map<string, RunResult>>();
  for (const r of results) {
    const key = `${r.model.id}\u0000${r.model.dtype}\u0000${r.engine}`;
    if (!rows.has(key)) rows.set(key, new Map());
    rows.get(key)!.set(r.device, r);
  }
  const table = el('table', { class: 'comparison' });
  table.append(
    el(
      'thead',
      {},
      el('tr', {}, el('th', {}, 'model'), el('th', {}, 'level'), el('th', {}, 'engine'), el('th', {}, 'size'), ...devices.map((d) => el('th', {}, d))),
    ),
  );
  const body = el('tbody');
  for (const [key, byDevice] of rows) {
    const [model, dtype, engine] = key.split('\u0000') as [string, string, Engine];
    const any = [...byDevice.values()][0]!;
    body.append(
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, modelLabel(model, any.model.source === 'replica')),
        el('td', {}, dtype),
        el('td', {}, ENGINE_LABEL[engine]),
        el('td', {}, formatBytes(any.model.bytes)),
        ...devices.map((d) => (byDevice.get(d) ? cell(byDevice.get(d)!) : el('td', { class: 'missing' }, '—'))),
      ),
    );
  }
  table.append(body);
  const profiles = profileSection(results);
  if (results.some((r) => r.model.source === 'replica') || profiles) {
    return el('div', {}, table, results.some((r) => r.model.source === 'replica') ? el('p', { class: 'hint replica-note' }, REPLICA_NOTE) : '', profiles ?? '');
  }
  return table;
}

/** The engines side by side on each language model (ort q4 beside wllama q4_0…), or null when no two engines ran one. */
export function engineSidesTable(results: readonly RunResult[]): HTMLElement | null {
  const text = engineSidesText(results);
  if (!text) return null;
  const table = el(
    'table',
    { class: 'comparison engine-sides' },
    el('caption', {}, 'Engines side by side'),
    el('thead', {}, el('tr', {}, ...text.head.map((h) => el('th', { scope: 'col' }, h)))),
    el(
      'tbody',
      {},
      ...text.rows.map((r) =>
        el('tr', { 'data-run-ids': r.runIds.join(' ') }, el('th', { scope: 'row' }, r.cells[0]!), ...r.cells.slice(1).map((c) => el('td', {}, c))),
      ),
    ),
  );
  return el('div', { class: 'table-wrap' }, table, ...text.notes.map((n) => el('p', { class: 'hint' }, n)));
}

/** The profiled runs' slowest operators, each run's own small table, with why where we know (4-bit on wasm). */
export function profileSection(results: readonly RunResult[]): HTMLElement | null {
  const profiled = results.flatMap((r) => (r.profile ? [{ r, p: r.profile }] : []));
  if (profiled.length === 0) return null;
  const section = el(
    'div',
    { class: 'profiles', id: 'profiles' },
    el('h3', {}, 'Per-operator profile'),
    el(
      'p',
      { class: 'hint' },
      'One more iteration after the measured ones, on a second session with onnxruntime’s profiler: none of the figures above include it. Shares are of that iteration’s time; its times include the profiler’s own work and come from one iteration (or the median of three), so read the shares here and run times above.',
    ),
  );
  for (const { r, p } of profiled) {
    const table = el('table', { class: 'profile', 'data-run-id': r.id });
    table.append(el('thead', {}, el('tr', {}, ...['op type', 'node', 'time', 'share', 'calls'].map((h) => el('th', {}, h)))));
    const body = el('tbody');
    for (const op of p.topOps)
      body.append(
        el(
          'tr',
          {},
          el('td', {}, op.opType),
          el('td', { class: 'node' }, op.node),
          el('td', {}, formatMs(op.ms)),
          el('td', {}, formatShare(op.share)),
          el('td', {}, String(op.calls)),
        ),
      );
    table.append(body);
    const hints = profileHints(p, r.device);
    section.append(
      el('h4', {}, `${r.model.id.replace(/^replica:/, '')} ${r.model.dtype} · ${r.device} · ${r.engine}: `, el('strong', {}, formatOpTypes(p))),
      el(
        'p',
        { class: 'hint' },
        `${p.workload}; iteration ${formatMs(p.iterationMs)}${p.runs > 1 ? ` over ${p.runs} runs` : ''}, operators ${formatMs(p.kernelMs)}; profiling took ${formatMs(p.profilingMs)}. By op type: ${p.opTypes.map((t) => `${t.opType} ${formatShare(t.share)} (${t.nodes} node${t.nodes === 1 ? '' : 's'})`).join(', ')}.`,
      ),
      ...hints.map((h) => el('p', { class: 'why' }, `Why: ${h}.`)),
      ...(p.note ? [el('p', { class: 'hint' }, p.note)] : []),
      table,
    );
  }
  return section;
}

/** The history's columns, left to right; each cell carries its column's name (data-label) for the phone's cards. */
const HISTORY_COLUMNS = [
  'when',
  'model',
  'level',
  'backend',
  'engine',
  'state',
  'p50',
  'TTFT',
  'decode tok/s',
  'load',
  'model size',
  'WASM heap',
  'GPU buffers',
  'page+workers',
  'params',
  'GFLOP/s',
  'roofline use',
] as const;
/** Where the figures start: a run with none has its reason across them instead of a blank band. */
const FIRST_FIGURE = HISTORY_COLUMNS.indexOf('p50');

export function historyTable(results: readonly RunResult[]): HTMLElement {
  if (results.length === 0) return el('p', { class: 'empty' }, 'The log is empty.');
  const table = el('table', { class: 'history' });
  table.append(el('thead', {}, el('tr', {}, ...HISTORY_COLUMNS.map((h) => el('th', {}, h)))));
  const body = el('tbody');
  const td = (label: (typeof HISTORY_COLUMNS)[number], text: string | HTMLElement, attrs: Record<string, string> = {}) =>
    el('td', { ...attrs, 'data-label': label, ...(text === '—' ? { 'data-empty': '' } : {}) }, text);
  for (const r of [...results].reverse()) {
    const l = r.timings.latency;
    const reason = r.error ? el('span', { class: 'reason', title: r.error.raw ?? '' }, formatReason(r)) : null;
    const figures = r.state === 'completed' || l !== null || r.generation !== null;
    const row = el(
      'tr',
      { 'data-run-id': r.id, class: `state-${r.state}` },
      td('when', formatDate(r.startedAt)),
      td('model', modelLabel(r.model.id, r.model.source === 'replica')),
      td('level', r.model.dtype),
      td('backend', r.device),
      td('engine', r.engine),
      // A run that stopped with figures (aborted) keeps them, with its reason under its state.
      figures && reason ? el('td', { 'data-label': 'state', class: 'state' }, r.state, el('br'), reason) : td('state', r.state),
    );
    if (figures)
      row.append(
        td('p50', formatMs(l?.p50Ms)),
        td('TTFT', formatMs(r.generation?.ttftMs)),
        td('decode tok/s', formatRate(r.generation?.decodeTokPerS)),
        td('load', formatMs(r.timings.loadMs)),
        td('model size', formatBytes(r.model.bytes)),
        td('WASM heap', formatHeap(r.memory)),
        td('GPU buffers', formatBytes(r.memory.gpuBufferPeakBytes)),
        td('page+workers', formatBytes(r.memory.uaMemoryBytes), { title: r.memory.unknown.uaMemoryBytes ?? '' }),
        td('params', formatCount(r.model.params)),
        td('GFLOP/s', formatGflops(r), { title: r.model.flopsBasis ?? '' }),
        td('roofline use', formatUtilisation(r), { title: r.utilisation?.basis ?? r.utilisationReason ?? '' }),
      );
    else row.append(el('td', { class: 'reason-cell', colspan: String(HISTORY_COLUMNS.length - FIRST_FIGURE), 'data-label': 'reason' }, reason ?? '—'));
    body.append(row);
  }
  table.append(body);
  return table;
}
