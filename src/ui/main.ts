/** The app: configure a suite, watch it run, compare backends, keep and export the log. */
import { createController } from '../client/controller.ts';
import type { SuiteEvent } from '../client/suite.ts';
import type { SuitePlan } from '../core/plan.ts';
import type { RunResult } from '../core/schema.ts';
import { DEFAULT_GENERATION, type Progress } from '../core/spec.ts';
import { DEVICES, type Device, type Dtype, type Engine } from '../core/vocab.ts';
import { formatBytes, formatCount } from './format.ts';
import { renderGenerationChart, renderLatencyChart, renderRooflineChart } from './charts.ts';
import { $, el } from './dom.ts';
import { comparisonTable, historyTable } from './tables.ts';
import { mountYourModel } from './your-model.ts';

const controller = createController();
// The automation entry the CLI and browser tests drive: the same controller the buttons use.
(window as unknown as { ondevice: typeof controller }).ondevice = controller;

const form = $<HTMLFormElement>('run-form');
let latest: RunResult[] = [];

function describeProgress(p: Progress): { text: string; fraction: number | null } {
  switch (p.phase) {
    case 'fetch':
      return { text: `downloading ${formatBytes(p.loadedBytes)}${p.totalBytes ? ` of ${formatBytes(p.totalBytes)}` : ''}`, fraction: p.totalBytes ? p.loadedBytes / p.totalBytes : null };
    case 'session':
      return { text: 'creating the session', fraction: null };
    case 'warmup':
      return { text: `warming up ${p.done}/${p.total}`, fraction: p.done / p.total };
    case 'measure':
      return { text: `measuring ${p.done}/${p.total}`, fraction: p.done / p.total };
    case 'generate':
      return { text: `generating token ${p.done}/${p.total}${p.context ? ` at ${p.context} tokens of context` : ''}`, fraction: p.done / p.total };
    case 'download':
      return { text: `downloading ${p.file}: ${formatBytes(p.loadedBytes)}${p.totalBytes ? ` of ${formatBytes(p.totalBytes)}` : ''}`, fraction: p.totalBytes ? p.loadedBytes / p.totalBytes : null };
    case 'build':
      return { text: `building the replica: ${formatBytes(p.writtenBytes)} of ${formatBytes(p.totalBytes)} of synthetic weights`, fraction: p.totalBytes ? p.writtenBytes / p.totalBytes : 1 };
  }
}

function onEvent(e: SuiteEvent): void {
  const label = $('progress-label');
  const suiteBar = $<HTMLProgressElement>('progress-suite');
  const runBar = $<HTMLProgressElement>('progress-run');
  switch (e.type) {
    case 'prepare':
      $('progress').hidden = false;
      label.textContent = `Preparing: ${e.message} (${e.done}/${e.total})`;
      runBar.value = e.total ? e.done / e.total : 0;
      break;
    case 'suite-start':
      latest = [];
      $('progress').hidden = false;
      suiteBar.value = 0;
      break;
    case 'run-start':
      label.textContent = `Run ${e.index + 1} of ${e.total}: ${e.spec.model.id} (${e.spec.model.dtype}) on ${e.spec.device}`;
      runBar.removeAttribute('value');
      break;
    case 'run-progress': {
      const { text, fraction } = describeProgress(e.progress);
      label.textContent = `Run ${e.index + 1} of ${e.total}: ${text}`;
      if (fraction === null) runBar.removeAttribute('value');
      else runBar.value = fraction;
      break;
    }
    case 'run-end':
      latest.push(e.result);
      suiteBar.value = (e.index + 1) / e.total;
      $('latest-table').replaceChildren(comparisonTable(latest));
      renderLatencyChart($<HTMLCanvasElement>('latency-chart'), latest);
      renderGenerationChart($<HTMLCanvasElement>('generation-chart'), latest);
      renderRooflineChart($<HTMLCanvasElement>('roofline-chart'), latest);
      void refreshHistory();
      break;
    case 'suite-end':
      label.textContent = `Done: ${e.results.length} runs (${e.results.filter((r) => r.state === 'completed').length} completed).`;
      $<HTMLButtonElement>('run').disabled = false;
      $<HTMLButtonElement>('abort').disabled = true;
      break;
  }
}

async function refreshHistory(): Promise<void> {
  $('history-table').replaceChildren(historyTable(await controller.results()));
}

function download(name: string, text: string, type: string): void {
  const a = el('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function init(): Promise<void> {
  controller.subscribe(onEvent);
  const catalog = await controller.catalog();
  $('models').append(
    ...catalog.models.map((m) => el('label', { title: m.notes ?? '' }, Object.assign(el('input', { type: 'checkbox', name: 'model', value: m.id }), { checked: true }), ` ${m.name} `, el('small', {}, `(${m.task})`))),
  );
  const replicas = catalog.replicas ?? [];
  $('replicas').append(
    el('p', { class: 'hint' }, 'The models the articles name, rebuilt from their architecture with synthetic weights: nothing to download; timings and memory are the real model’s, outputs are meaningless.'),
    ...replicas.map((r) => {
      const size = r.paramsPublished ? `${formatCount(r.paramsPublished)} params` : r.kind;
      const box = Object.assign(el('input', { type: 'checkbox', name: 'model', value: `replica:${r.id}` }), { disabled: r.unbuildable !== undefined });
      return el('label', { title: r.unbuildable ?? r.notes ?? '' }, box, ` ${r.id} `, el('small', {}, `(${size}${r.releaseDate ? `, ${r.releaseDate.slice(0, 7)}` : ''})`));
    }),
  );
  $('devices').append(
    ...DEVICES.map((d) => el('label', {}, Object.assign(el('input', { type: 'checkbox', name: 'device', value: d }), { checked: d !== 'webnn' }), ` ${d}`)),
  );
  void controller.capabilities().then((caps) => {
    const gpu = caps.webgpu ? `WebGPU: ${caps.webgpu.vendor} ${caps.webgpu.architecture}${caps.webgpu.shaderF16 ? ' (shader-f16)' : ' (no shader-f16)'}` : `WebGPU: unavailable (${caps.webgpuReason})`;
    const wasm = `WASM: SIMD ${caps.wasm.simd ? 'yes' : 'no'}, threads ${caps.wasm.threads ? `yes (${caps.hardwareConcurrency} cores)` : 'no (page not cross-origin isolated)'}`;
    $('device').textContent = `${gpu} · ${wasm}${caps.webnn ? ' · WebNN: yes' : ''}`;
  });

  form.querySelector<HTMLTextAreaElement>('textarea[name=prompt]')!.value = DEFAULT_GENERATION.prompt;
  const settings = () => {
    const data = new FormData(form);
    const budget = Number(data.get('budget'));
    const contexts = String(data.get('contexts') ?? '').split(',').map((x) => Number(x.trim())).filter((n) => Number.isInteger(n) && n > 0);
    return {
      devices: data.getAll('device').map(String) as Device[],
      iterations: Number(data.get('iterations')) || 20,
      warmup: Number(data.get('warmup')) || 0,
      timeBudgetMs: budget > 0 ? budget : null,
      generation: {
        prompt: String(data.get('prompt') ?? '') || DEFAULT_GENERATION.prompt,
        maxNewTokens: Math.max(1, Number(data.get('maxNewTokens')) || DEFAULT_GENERATION.maxNewTokens),
        contextLengths: data.get('sweep') && contexts.length ? contexts : null,
      },
    };
  };
  mountYourModel(controller, settings);

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const { devices, ...workload } = settings();
    const data = new FormData(form);
    const plan: SuitePlan = {
      models: data.getAll('model').map(String),
      devices,
      dtypes: data.get('dtype') === 'shipped' ? 'shipped' : [String(data.get('dtype') ?? 'fp32') as Dtype],
      workload,
      engines: data.get('engine') === 'auto' ? 'auto' : [data.get('engine') as Engine],
      ...(data.get('roofline') ? { roofline: true } : {}),
    };
    if (!plan.models.length || !plan.devices.length) {
      $('progress-label').textContent = 'Choose at least one model and one backend.';
      $('progress').hidden = false;
      return;
    }
    $<HTMLButtonElement>('run').disabled = true;
    $<HTMLButtonElement>('abort').disabled = false;
    controller.runSuite(plan).catch((err: Error) => {
      $('progress-label').textContent = err.message;
      $<HTMLButtonElement>('run').disabled = false;
    });
  });
  $('abort').addEventListener('click', () => controller.abort());
  $('export-jsonl').addEventListener('click', async () => download('ondevice-results.jsonl', await controller.exportJsonl(), 'application/x-ndjson'));
  $('export-csv').addEventListener('click', async () => download('ondevice-results.csv', await controller.exportCsv(), 'text/csv'));
  $('clear').addEventListener('click', async () => {
    if (!confirm('Delete every logged run from this browser?')) return;
    await controller.clearResults();
    await refreshHistory();
  });
  $<HTMLInputElement>('import').addEventListener('change', async (ev) => {
    const input = ev.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const { added, skipped, problems } = await controller.importJsonl(await file.text());
    const status = $('history-status');
    status.replaceChildren(`${file.name}: ${added} runs imported, ${skipped} already in the log, ${problems.length} lines rejected.`);
    if (problems.length) status.append(el('ul', { class: 'problems' }, ...problems.slice(0, 20).map((p) => el('li', {}, p.message))));
    input.value = '';
    await refreshHistory();
  });
  await refreshHistory();
}

init().catch((err: Error) => {
  $('device').textContent = `ondevice could not start: ${err.message}`;
});
