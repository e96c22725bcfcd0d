/** "Your model": a user's fp32 .onnx, inspected, made into every level, benchmarked level by level. */
import type { Controller, LevelVariant } from '../client/controller.ts';
import type { RunResult } from '../core/schema.ts';
import type { ModelRef, Workload } from '../core/spec.ts';
import { expandPlan } from '../core/plan.ts';
import { estimatePlanMs, shapesOf, type RunShape } from './model/eta.ts';
import { checkInteger, FIELD_RULES } from './model/fields.ts';
import { runsSummary } from './config-view.ts';
import type { ProgressView } from './progress-view.ts';
import { DEVICES, ONNX_DTYPES as DTYPES, dtypeFromFileName, type Device } from '../core/vocab.ts';
import { renderQuantChart } from './charts.ts';
import { formatBytes, formatMs, formatNumber } from '../text/format.ts';
import { describeInspection } from '../text/inspection.ts';
import { formatReason } from '../text/errors.ts';
import { $, el } from './dom.ts';

/** Rows: levels; per backend: p50 and drift from fp32. */
function quantTable(results: readonly RunResult[], variants: readonly LevelVariant[]): HTMLElement {
  const devices = DEVICES.filter((d) => results.some((r) => r.device === d));
  const table = el('table', { class: 'comparison quant' });
  table.append(el('thead', {}, el('tr', {}, el('th', {}, 'level'), el('th', {}, 'size'), el('th', {}, 'quantized'), ...devices.map((d) => el('th', {}, d)))));
  const body = el('tbody');
  for (const level of DTYPES) {
    const runs = results.filter((r) => r.model.dtype === level);
    if (runs.length === 0) continue;
    const v = variants.find((x) => x.report.level === level);
    const quantized = level === 'fp32' ? 'reference' : v ? whatChanged(v) : '';
    body.append(
      el(
        'tr',
        { 'data-level': level },
        el('th', { scope: 'row' }, level),
        el('td', {}, formatBytes(runs[0]!.model.bytes ?? v?.bytes)),
        el('td', {}, el('small', {}, quantized)),
        ...devices.map((d) => {
          const r = runs.find((x) => x.device === d);
          if (!r) return el('td', {}, '—');
          const td = el('td', { class: `state-${r.state}`, 'data-state': r.state });
          if (r.state === 'completed') {
            td.append(el('strong', {}, formatMs(r.timings.latency?.p50Ms)));
            if (r.fidelity)
              td.append(
                el('br'),
                el(
                  'small',
                  {},
                  `max |Δ| ${formatNumber(r.fidelity.maxAbsDiff)} · cos ${formatNumber(r.fidelity.cosine, 5)}${r.fidelity.top1Agreement !== null ? ` · top-1 ${formatNumber(r.fidelity.top1Agreement, 3)}` : ''}`,
                ),
              );
          } else td.append(el('strong', {}, r.state), el('br'), el('small', { class: 'reason', title: r.error?.raw ?? '' }, formatReason(r)));
          return td;
        }),
      ),
    );
  }
  table.append(body);
  return table;
}

/** What a level did to the model: fp16 converts (it quantizes no op), the others quantize ops and may leave some float. */
function whatChanged(v: LevelVariant): string {
  const r = v.report;
  const size = r.bytesBefore && r.bytesAfter ? ` (${formatBytes(r.bytesBefore)} → ${formatBytes(r.bytesAfter)})` : '';
  if (r.level === 'fp16') return `every float weight and op converted to fp16, inputs and outputs kept fp32${size}`;
  const left = Object.entries(r.untouchedOps)
    .map(([op, n]) => `${n} ${op}`)
    .join(', ');
  return `${r.quantized.length} ops quantized${r.level === 'q4f16' ? ', the rest fp16' : ''}${left ? `; left float: ${left}` : ''}${size}`;
}

/** The suite revokes the blob URLs it ran; the download links keep their own. */
const runCopies = (variants: readonly LevelVariant[]): Promise<ModelRef[]> =>
  Promise.all(variants.map(async (v) => (v.model.unavailable ? v.model : { ...v.model, url: URL.createObjectURL(await (await fetch(v.model.url)).blob()) })));

export interface YourModelView {
  /** The chosen file as a model reference for the main run, when "add it to the run" is ticked; null otherwise. */
  forRun(): ModelRef | null;
}

/** "Make every level" runs a few iterations on this device's best backend unless the user widens it. */
const LEVELS_ITERATIONS = 5;
const LEVELS_BUDGET_MS = 5_000;

export function mountYourModel(
  controller: Controller,
  progress: ProgressView,
  best: Promise<{ devices: Device[] }>,
  settings: () => Pick<Workload, 'numThreads' | 'generation'>,
  onChange: () => void,
): YourModelView {
  let file: File | null = null;
  let model: ModelRef | null = null;
  let params: number | null = null;
  const button = $<HTMLButtonElement>('make-levels');
  const use = $<HTMLInputElement>('user-model-use');
  const pre = $('inspection');
  use.addEventListener('change', onChange);
  // NOTE: the controller revokes a plan's blob URLs when its suite ends, so every use gets a URL of its own.
  const fresh = (): ModelRef => ({ ...model!, url: URL.createObjectURL(file!) });

  // The plan of its own: the best backend here (WebGPU on a real GPU, else wasm), a few iterations; widen it here.
  const planBox = $('levels-plan');
  const iterationsField = $<HTMLInputElement>('levels-iterations');
  iterationsField.value = String(LEVELS_ITERATIONS);
  void best.then(({ devices }) => {
    const first = devices.includes('webgpu') ? 'webgpu' : 'wasm';
    $('levels-devices').replaceChildren(
      ...(['wasm', 'webgpu'] as const).map((d) =>
        el('label', { class: 'chip' }, Object.assign(el('input', { type: 'checkbox', name: 'levels-device', value: d }), { checked: d === first }), ` ${d}`),
      ),
    );
    describePlan();
  });
  const levelsPlan = () => {
    const devices = [...planBox.querySelectorAll<HTMLInputElement>('input[name=levels-device]:checked')].map((b) => b.value as Device);
    const iterations = checkInteger({ ...FIELD_RULES.iterations, label: 'Iterations' }, iterationsField.value);
    return { devices, iterations };
  };
  function describePlan(): boolean {
    const { devices, iterations } = levelsPlan();
    const runs = DTYPES.length * devices.length;
    const problem = !iterations.ok ? iterations.problem : devices.length === 0 ? 'Tick a backend to benchmark the levels on.' : null;
    iterationsField.toggleAttribute('aria-invalid', !iterations.ok);
    const shape = (device: Device): RunShape => ({
      device,
      params,
      iterations: iterations.ok ? iterations.value! : 0,
      warmup: 1,
      newTokens: null,
      budgetMs: LEVELS_BUDGET_MS,
    });
    $('levels-summary').textContent =
      problem ??
      `${DTYPES.length} levels × ${devices.length} backend${devices.length === 1 ? '' : 's'} → ${runsSummary(runs, DTYPES.length * estimatePlanMs(devices.map(shape)))}`;
    $('levels-summary').classList.toggle('field-problem', problem !== null);
    button.disabled = !model || model.dtype !== 'fp32' || problem !== null || !pre.dataset.ok;
    return problem === null;
  }
  planBox.addEventListener('input', describePlan);
  planBox.addEventListener('change', describePlan);

  /** Inspection failed: an error, and nothing to run. */
  function refuse(message: string): void {
    pre.textContent = message;
    pre.classList.add('error');
    pre.setAttribute('role', 'alert');
    delete pre.dataset.ok;
    use.checked = false;
    use.disabled = true;
    planBox.hidden = true;
    button.disabled = true;
    onChange();
  }

  async function choose(chosen: File): Promise<void> {
    file = chosen;
    params = null;
    model = { id: chosen.name, source: 'file', url: URL.createObjectURL(chosen), dtype: dtypeFromFileName(chosen.name), task: 'unknown' };
    $('user-model-name').textContent = `${chosen.name} (${formatBytes(chosen.size)})`;
    $('quant-table').replaceChildren();
    $('downloads').replaceChildren();
    pre.hidden = false;
    pre.classList.remove('error');
    pre.removeAttribute('role');
    delete pre.dataset.ok;
    pre.textContent = 'Inspecting…';
    use.disabled = true;
    use.checked = false;
    button.disabled = true;
    onChange();
    try {
      const inspected = await controller.inspect(model);
      params = inspected.inspection.params;
      pre.textContent = describeInspection(inspected, 12).join('\n');
      URL.revokeObjectURL(model.url);
      pre.dataset.ok = '1';
      // Only a file that inspected cleanly can join the run.
      use.disabled = false;
      use.checked = true;
      planBox.hidden = model.dtype !== 'fp32';
      if (model.dtype !== 'fp32') pre.textContent += `\n\nThis file is ${model.dtype} (by its name): the levels are made from an fp32 model.`;
      describePlan();
      onChange();
    } catch (err) {
      refuse(`Could not read ${chosen.name}: ${(err as Error).message.split('\n')[0]!}\nIt cannot be run or made into levels; pick an fp32 .onnx file.`);
    }
  }

  $<HTMLInputElement>('user-model').addEventListener('change', (ev) => {
    const picked = (ev.target as HTMLInputElement).files?.[0];
    if (picked) void choose(picked);
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    drop.classList.add('dragging');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('dragging');
    const dropped = ev.dataTransfer?.files[0];
    if (dropped) void choose(dropped);
  });

  // Rows appear as the levels' runs end: the suite's events while this view's suite runs.
  let live: { results: RunResult[]; variants: LevelVariant[] } | null = null;
  controller.subscribe((e) => {
    if (!live || e.type !== 'run-end') return;
    live.results.push(e.result);
    $('quant-table').replaceChildren(quantTable(live.results, live.variants));
  });

  button.addEventListener('click', async () => {
    if (!model || !describePlan()) return;
    const { devices, iterations } = levelsPlan();
    button.disabled = true;
    $('yours').hidden = false;
    $('quant-table').replaceChildren(el('p', { class: 'hint' }, `Making ${DTYPES.length - 1} levels from ${model.id}…`));
    const source = fresh();
    try {
      const variants = await controller.makeLevels(source, [...DTYPES]);
      $('downloads').replaceChildren(
        'Download: ',
        ...variants.map((v) => el('a', { href: v.model.url, download: v.fileName }, `${v.fileName} (${formatBytes(v.bytes)})`)),
      );
      const workload: Workload = {
        ...settings(),
        iterations: iterations.ok ? iterations.value! : LEVELS_ITERATIONS,
        warmup: 1,
        timeBudgetMs: LEVELS_BUDGET_MS,
      };
      const plan = { models: [source, ...(await runCopies(variants))], devices, dtypes: ['fp32' as const], workload };
      const planned = expandPlan(plan, { models: [] }, () => '');
      const shapes = shapesOf(planned).map((s) => ({ ...s, params }));
      progress.expect(planned.map((p, i) => ({ label: p.kind === 'run' ? `${p.spec.model.id} · ${p.spec.device}` : p.result.model.id, shape: shapes[i]! })));
      live = { results: [], variants };
      $('quant-table').replaceChildren(el('p', { class: 'hint' }, 'Benchmarking the levels: each row appears as its runs end.'));
      $('yours').scrollIntoView({ behavior: 'smooth', block: 'start' });
      const results = await controller.runSuite(plan);
      $('quant-table').replaceChildren(quantTable(results, variants));
      renderQuantChart($<HTMLCanvasElement>('quant-chart'), results);
    } catch (err) {
      $('quant-table').replaceChildren(el('p', { class: 'problems' }, (err as Error).message));
    } finally {
      live = null;
      describePlan();
    }
  });
  return { forRun: () => (model && file && use.checked && pre.dataset.ok ? fresh() : null) };
}
