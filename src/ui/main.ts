/** The app: browse the catalog, configure a suite (presets, share links), watch it run, compare, keep the log. */
import { createController } from '../client/controller.ts';
import { defaultDevices } from '../core/capabilities.ts';
import type { SuiteEvent } from '../client/suite.ts';
import { expandPlan } from '../core/plan.ts';
import { planOf, presetConfig, PRESETS, type Preset } from './model/run-config.ts';
import type { RunResult } from '../core/schema.ts';
import { parseShare, shareQuery } from './model/share.ts';
import { DEFAULT_GENERATION } from '../core/spec.ts';
import { DTYPES } from '../core/vocab.ts';
import { mountCatalog } from './catalog-view.ts';
import { mountClaims } from './claims-view.ts';
import { renderGenerationChart, renderLatencyChart, renderResultsSizeChart, renderRooflineChart } from './charts.ts';
import { applyConfig, mountConfigFields, readConfig, renderSelection } from './config-view.ts';
import { $, el } from './dom.ts';
import { mountHistory } from './history-view.ts';
import { mountProgress } from './progress-view.ts';
import { mountLmStream } from './stream-view.ts';
import { setupLines } from '../text/setup.ts';
import { comparisonTable } from './tables.ts';
import { mountYourModel } from './your-model.ts';
import { mountThreads } from './threads-view.ts';
import { mountStorage } from './storage-view.ts';

const controller = createController();
// The automation entry the CLI and browser tests drive: the same controller the buttons use.
(window as unknown as { ondevice: typeof controller }).ondevice = controller;

const form = $<HTMLFormElement>('run-form');
const progress = mountProgress();
const stream = mountLmStream();
const historyView = mountHistory(controller);
const threadsView = mountThreads(controller);
mountStorage(controller);
let latest: RunResult[] = [];

function onEvent(e: SuiteEvent): void {
  progress.onEvent(e);
  stream.onEvent(e);
  switch (e.type) {
    case 'suite-start':
      latest = [];
      $<HTMLButtonElement>('run').disabled = true;
      $<HTMLButtonElement>('abort').disabled = false;
      break;
    case 'run-end':
      latest.push(e.result);
      $('latest-table').replaceChildren(comparisonTable(latest));
      showSetup(latest);
      threadsView.show(latest);
      renderLatencyChart($<HTMLCanvasElement>('latency-chart'), latest);
      renderResultsSizeChart('latency-chart', latest);
      renderGenerationChart($<HTMLCanvasElement>('generation-chart'), latest);
      renderRooflineChart($<HTMLCanvasElement>('roofline-chart'), latest);
      void historyView.refresh();
      break;
    case 'suite-end':
      $<HTMLButtonElement>('run').disabled = false;
      $<HTMLButtonElement>('abort').disabled = true;
      break;
    default:
      break;
  }
}

/** What setup the latest runs measured (build, compile, threads, warm-up): a figure means little without it. */
function showSetup(results: readonly RunResult[]): void {
  const lines = setupLines(results);
  const list = $('latest-setup');
  list.hidden = lines.length === 0;
  list.replaceChildren(...lines.map((l) => el('li', {}, l)));
}

/** A message box under a control: hidden when there is nothing to say. */
function notice(id: string, lines: string[], kind: 'problem' | 'info' = 'problem'): void {
  const box = $(id);
  box.hidden = lines.length === 0;
  box.className = `notice ${kind}`;
  box.replaceChildren(...(lines.length === 1 ? [lines[0]!] : [el('ul', {}, ...lines.map((l) => el('li', {}, l)))]));
}

function describeDevice(caps: Awaited<ReturnType<typeof controller.capabilities>>): void {
  const gpu = caps.webgpu
    ? `WebGPU: ${caps.webgpu.vendor} ${caps.webgpu.architecture}${caps.webgpu.shaderF16 ? ' (shader-f16)' : ' (no shader-f16)'}`
    : `WebGPU: unavailable (${caps.webgpuReason})`;
  const wasm = `WASM: SIMD ${caps.wasm.simd ? 'yes' : 'no'}, threads ${caps.wasm.threads ? `yes (${caps.hardwareConcurrency} cores)` : 'no (page not cross-origin isolated)'}`;
  const parts = [{ text: gpu, ok: caps.webgpu !== null }, { text: wasm, ok: caps.wasm.threads }, ...(caps.webnn ? [{ text: 'WebNN: yes', ok: true }] : [])];
  $('device').replaceChildren(
    ...parts.flatMap((p, i) => [...(i ? [el('span', { class: 'sep' }, ' · ')] : []), el('span', { class: `cap ${p.ok ? 'ok' : 'off'}` }, p.text)]),
  );
}

async function init(): Promise<void> {
  controller.subscribe(onEvent);
  const catalog = await controller.catalog();
  mountConfigFields();
  // Set below once every view exists; the views call it when their part of the configuration changes.
  let sync: () => void = () => undefined;
  const catalogView = mountCatalog(catalog, () => sync());
  const claimsView = mountClaims(controller, catalog);
  const caps = controller.capabilities();
  void caps.then(describeDevice);

  form.querySelector<HTMLTextAreaElement>('textarea[name=prompt]')!.value = DEFAULT_GENERATION.prompt;
  const generation = () => {
    const data = new FormData(form);
    const contexts = String(data.get('contexts') ?? '')
      .split(',')
      .map((x) => Number(x.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
    return {
      prompt: String(data.get('prompt') ?? '') || DEFAULT_GENERATION.prompt,
      maxNewTokens: Math.max(1, Number(data.get('maxNewTokens')) || DEFAULT_GENERATION.maxNewTokens),
      contextLengths: data.get('sweep') && contexts.length ? contexts : null,
    };
  };
  const settings = () => {
    const c = readConfig(form, catalogView);
    return { devices: c.devices, iterations: c.iterations, warmup: c.warmup, timeBudgetMs: c.timeBudgetMs, numThreads: c.threads, generation: generation() };
  };
  const yours = mountYourModel(controller, settings, () => sync());

  // The URL always says what the form says (without autorun, so a reload does not start a run again).
  sync = () => {
    const config = readConfig(form, catalogView);
    const file = yours.forRun();
    // Runs as the suite will plan them (levels a model lacks count: they are logged as unsupported).
    const levels = config.dtypes === 'shipped' ? DTYPES.length : config.dtypes.length;
    const runs = expandPlan(planOf(config), catalog, () => '').length + (file ? levels * config.devices.length : 0);
    renderSelection(config, file ? [`${file.id} (your file)`] : [], runs);
    const query = shareQuery(config);
    history.replaceState(null, '', `${location.pathname}${query}${location.hash}`);
    $<HTMLAnchorElement>('share-link').href = `${location.origin}${location.pathname}${query}`;
  };
  form.addEventListener('input', () => sync());
  form.addEventListener('change', () => sync());

  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
    button.addEventListener('click', async () => {
      const preset = button.dataset.preset as Preset;
      if (!PRESETS.includes(preset)) return;
      const config = presetConfig(preset, catalog);
      if (config === null) {
        // The Claims preset: the claims panel plans its own runs (what each ticked claim needs).
        notice('preset-status', ['Checking the articles’ claims on this device: see the claims panel below.'], 'info');
        $('claims').scrollIntoView({ behavior: 'smooth' });
        void claimsView.check();
        return;
      }
      // The full suite's backends are the device's defaults: a software WebGPU adapter is left out, with why.
      const chosen = preset === 'full' ? defaultDevices(await caps, 'app') : null;
      notice(
        'preset-status',
        [...applyConfig(form, catalogView, chosen ? { ...config, devices: chosen.devices } : config), ...(chosen?.note ? [chosen.note] : [])],
        chosen?.note ? 'info' : 'problem',
      );
      for (const b of document.querySelectorAll('[data-preset]')) b.classList.toggle('active', b === button);
      sync();
    });
  }

  $('share-copy').addEventListener('click', async () => {
    const url = `${location.origin}${location.pathname}${shareQuery(readConfig(form, catalogView), { autorun: true })}`;
    const button = $<HTMLButtonElement>('share-copy');
    try {
      await navigator.clipboard.writeText(url);
      button.textContent = 'Copied';
      setTimeout(() => (button.textContent = 'Copy run link'), 2000);
    } catch {
      notice('share-status', [`Copy this link: ${url}`], 'info');
    }
  });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const config = readConfig(form, catalogView);
    const plan = planOf(config, { generation: generation(), ...(form.querySelector<HTMLInputElement>('[name=roofline]')!.checked ? { roofline: true } : {}) });
    const file = yours.forRun();
    if (file) plan.models = [...plan.models, file];
    const missing = [
      !plan.models.length && 'one model',
      !plan.devices.length && 'one backend',
      Array.isArray(plan.dtypes) && !plan.dtypes.length && 'one level',
    ].filter(Boolean);
    if (missing.length) {
      progress.message(`Choose at least ${missing.join(' and ')}.`);
      return;
    }
    $<HTMLButtonElement>('run').disabled = true;
    $<HTMLButtonElement>('abort').disabled = false;
    controller.runSuite(plan).catch((err: Error) => {
      progress.message(err.message);
      $<HTMLButtonElement>('run').disabled = false;
      $<HTMLButtonElement>('abort').disabled = true;
    });
  });
  $('abort').addEventListener('click', () => controller.abort());

  // A share link: apply what it says, name what it got wrong, and start the run if it asks to.
  const shared = parseShare(location.search, catalog);
  if (Object.keys(shared.config).length) {
    if (!shared.config.models) catalogView.select([]);
    const problems = [...shared.problems, ...applyConfig(form, catalogView, shared.config)];
    notice('share-status', problems);
  } else {
    notice('share-status', shared.problems);
    // No link: every bundled model ticked, as the app always started, on the device's default backends.
    catalogView.select(catalog.models.map((m) => m.id));
    const chosen = defaultDevices(await caps, 'app');
    applyConfig(form, catalogView, { devices: chosen.devices });
    if (chosen.note) notice('share-status', [chosen.note], 'info');
  }
  sync();
  $('latest-table').replaceChildren(comparisonTable([]));
  await historyView.refresh();
  if (shared.autorun) form.requestSubmit();
}

init().catch((err: Error) => {
  $('device').textContent = `ondevice could not start: ${err.message}`;
});
