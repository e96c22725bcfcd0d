/** "Your model": a user's fp32 .onnx, inspected, made into every level, benchmarked level by level. */
import type { Controller, LevelVariant } from '../client/controller.ts';
import type { RunResult } from '../core/schema.ts';
import type { ModelRef } from '../core/spec.ts';
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
    const quantized =
      level === 'fp32'
        ? 'reference'
        : v
          ? `${v.report.quantized.length} ops${
              Object.keys(v.report.untouchedOps).length
                ? `; left float: ${Object.entries(v.report.untouchedOps)
                    .map(([op, n]) => `${n} ${op}`)
                    .join(', ')}`
                : ''
            }`
          : '';
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

/** The suite revokes the blob URLs it ran; the download links keep their own. */
const runCopies = (variants: readonly LevelVariant[]): Promise<ModelRef[]> =>
  Promise.all(variants.map(async (v) => (v.model.unavailable ? v.model : { ...v.model, url: URL.createObjectURL(await (await fetch(v.model.url)).blob()) })));

export interface YourModelView {
  /** The chosen file as a model reference for the main run, when "add it to the run" is ticked; null otherwise. */
  forRun(): ModelRef | null;
}

export function mountYourModel(
  controller: Controller,
  settings: () => { devices: Device[]; iterations: number; warmup: number; timeBudgetMs: number | null },
  onChange: () => void,
): YourModelView {
  let file: File | null = null;
  let model: ModelRef | null = null;
  const button = $<HTMLButtonElement>('make-levels');
  const use = $<HTMLInputElement>('user-model-use');
  use.addEventListener('change', onChange);
  // NOTE: the controller revokes a plan's blob URLs when its suite ends, so every use gets a URL of its own.
  const fresh = (): ModelRef => ({ ...model!, url: URL.createObjectURL(file!) });

  async function choose(chosen: File): Promise<void> {
    file = chosen;
    model = { id: chosen.name, source: 'file', url: URL.createObjectURL(chosen), dtype: dtypeFromFileName(chosen.name), task: 'unknown' };
    use.disabled = false;
    use.checked = true;
    onChange();
    $('user-model-name').textContent = `${chosen.name} (${formatBytes(chosen.size)})`;
    $('quant-table').replaceChildren();
    $('downloads').replaceChildren();
    const pre = $('inspection');
    pre.hidden = false;
    pre.textContent = 'Inspecting…';
    try {
      pre.textContent = describeInspection(await controller.inspect(model), 12).join('\n');
      URL.revokeObjectURL(model.url);
      button.disabled = model.dtype !== 'fp32';
      if (button.disabled) pre.textContent += `\n\nThis file is ${model.dtype} (by its name): the levels are made from an fp32 model.`;
    } catch (err) {
      pre.textContent = (err as Error).message.split('\n')[0]!;
      button.disabled = true;
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

  button.addEventListener('click', async () => {
    if (!model) return;
    button.disabled = true;
    $('yours').hidden = false;
    const source = fresh();
    try {
      const variants = await controller.makeLevels(source, [...DTYPES]);
      $('downloads').replaceChildren(
        'Download: ',
        ...variants.map((v) => el('a', { href: v.model.url, download: v.fileName }, `${v.fileName} (${formatBytes(v.bytes)})`)),
      );
      const { devices, ...workload } = settings();
      const results = await controller.runSuite({ models: [source, ...(await runCopies(variants))], devices, dtypes: ['fp32'], workload });
      $('quant-table').replaceChildren(quantTable(results, variants));
      renderQuantChart($<HTMLCanvasElement>('quant-chart'), results);
    } catch (err) {
      $('quant-table').replaceChildren(el('p', { class: 'problems' }, (err as Error).message));
    } finally {
      button.disabled = false;
    }
  });
  return { forRun: () => (model && file && use.checked ? fresh() : null) };
}
