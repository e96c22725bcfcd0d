/** The app: browse the catalog, configure a suite (presets, share links), watch it run, compare, keep the log. */
import { createController } from '../client/controller.ts';
import { defaultDevices } from '../core/capabilities.ts';
import type { SuiteEvent } from '../client/suite.ts';
import { expandPlan, expandPlans, type PlannedRun } from '../core/plan.ts';
import { planOf, presetConfig, PRESETS, type Preset } from './model/run-config.ts';
import type { RunResult } from '../core/schema.ts';
import { linkRewrites, parseShare, shareQuery } from './model/share.ts';
import { claimRunPlans } from '../claims/plan.ts';
import { selectClaims } from '../claims/claims.ts';
import { mountCatalog } from './catalog-view.ts';
import { mountClaims } from './claims-view.ts';
import { applyConfig, fieldProblems, mountConfigFields, readConfig, readGeneration, renderSelection, runsSummary, showFieldProblems } from './config-view.ts';
import { $, el } from './dom.ts';
import { mountHistory } from './history-view.ts';
import { mountProgress } from './progress-view.ts';
import { mountResults } from './results-view.ts';
import { mountLmStream } from './stream-view.ts';
import { estimatePlanMs, shapesOf } from './model/eta.ts';
import { lastSuite } from './model/results.ts';
import { mountYourModel } from './your-model.ts';
import { mountThreads } from './threads-view.ts';
import { mountStorage } from './storage-view.ts';
import { mountTry, type TryView } from './try-view.ts';

const controller = createController();
// The automation entry the CLI and browser tests drive: the same controller the buttons use.
(window as unknown as { ondevice: typeof controller }).ondevice = controller;

const form = $<HTMLFormElement>('run-form');
const progress = mountProgress();
const stream = mountLmStream();
const historyView = mountHistory(controller);
const resultsView = mountResults(mountThreads(controller));
mountStorage(controller);
let latest: RunResult[] = [];
let tryView: TryView | null = null;

const setRunning = (running: boolean) => {
  $<HTMLButtonElement>('run').disabled = running;
  $<HTMLButtonElement>('abort').disabled = !running;
};

function onEvent(e: SuiteEvent): void {
  progress.onEvent(e);
  stream.onEvent(e);
  tryView?.onEvent(e);
  switch (e.type) {
    case 'suite-start':
      latest = [];
      resultsView.show(latest);
      setRunning(true);
      break;
    case 'run-end':
      latest.push(e.result);
      resultsView.show(latest);
      void historyView.refresh();
      break;
    case 'suite-end':
      setRunning(false);
      break;
    default:
      break;
  }
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

/** A planned run as the progress panel names it (what an abort skipped). */
const runLabel = (p: PlannedRun): string =>
  p.kind === 'run'
    ? `${p.spec.model.id.replace(/^replica:/, '')} · ${p.spec.model.dtype} · ${p.spec.device}${p.spec.engine === 'transformers' ? ' · transformers.js' : ''}`
    : `${p.result.model.id.replace(/^replica:/, '')} · ${p.result.model.dtype} · ${p.result.device} (decided without running)`;
const expectation = (planned: readonly PlannedRun[]) => {
  const shapes = shapesOf(planned);
  return planned.map((p, i) => ({ label: runLabel(p), shape: shapes[i]! }));
};

async function init(): Promise<void> {
  controller.subscribe(onEvent);
  const catalog = await controller.catalog();
  mountConfigFields();
  // Set below once every view exists; the views call it when their part of the configuration changes.
  let sync: () => void = () => undefined;
  const catalogView = mountCatalog(catalog, () => sync());
  const claimsView = mountClaims(controller, catalog);
  tryView = mountTry(controller, catalog);
  const caps = controller.capabilities();
  void caps.then(describeDevice);
  const best = caps.then((c) => defaultDevices(c, 'app'));
  form.querySelector<HTMLTextAreaElement>('textarea[name=prompt]')!.value = readGeneration(form).prompt;
  const settings = () => {
    const c = readConfig(form, catalogView);
    return {
      devices: c.devices,
      iterations: c.iterations,
      warmup: c.warmup,
      timeBudgetMs: c.timeBudgetMs,
      numThreads: c.threads,
      generation: readGeneration(form),
    };
  };
  const yours = mountYourModel(controller, progress, best, settings, () => sync());

  // The Claims preset hands Run to the claims check: what the ticked claims need, planned by the claims panel.
  let claimsMode = false;
  const claimsPlan = async () => {
    const ticked = [...document.querySelectorAll<HTMLInputElement>('#claims-table input[name=claim]:checked')].map((b) => b.value);
    const plans = claimRunPlans(selectClaims(await controller.claims(), ticked), (await best).devices, catalog);
    return { ticked, planned: expandPlans(plans, catalog, () => '') };
  };
  const setPreset = (preset: Preset | null) => {
    for (const b of document.querySelectorAll<HTMLElement>('[data-preset]')) b.classList.toggle('active', b.dataset.preset === preset);
  };

  // The URL says what the form says (without autorun, so a reload does not start a run again), unless a field is
  // bad: then the link keeps its last valid setup, and the form says so.
  sync = () => {
    const config = readConfig(form, catalogView);
    const problems = fieldProblems(form);
    showFieldProblems(form, problems);
    notice(
      'fields-status',
      problems.size
        ? [
            `Fix ${problems.size === 1 ? 'the field marked above' : `the ${problems.size} fields marked above`} to run; until then the link keeps the last valid setup.`,
          ]
        : [],
    );
    const file = yours.forRun();
    const plan = planOf(config, { generation: readGeneration(form) });
    if (file) plan.models = [...plan.models, file];
    const planned = expandPlan(plan, catalog, () => '');
    renderSelection(config, file ? [`${file.id} (your file)`] : [], planned.length, estimatePlanMs(shapesOf(planned)));
    $<HTMLButtonElement>('run').title = problems.size ? [...problems.values()].join('\n') : '';
    // The run bar says why Run would start nothing (while no suite runs: then it shows the suite's progress).
    const status = $('run-status');
    if (problems.size) {
      status.textContent = `Fix ${problems.size === 1 ? 'a field' : `${problems.size} fields`} to run`;
      status.dataset.state = 'invalid';
    } else if (status.dataset.state === 'invalid') {
      status.textContent = '';
      status.dataset.state = '';
    }
    if (claimsMode) void claimsPlan().then(({ ticked, planned: p }) => renderClaimsSummary(ticked.length, p));
    if (problems.size) return;
    const query = shareQuery(config);
    history.replaceState(null, '', `${location.pathname}${query}${location.hash}`);
    $<HTMLAnchorElement>('share-link').href = `${location.origin}${location.pathname}${query}`;
  };
  const renderClaimsSummary = (claims: number, planned: readonly PlannedRun[]) => {
    if (!claimsMode) return;
    const text = runsSummary(planned.length, estimatePlanMs(shapesOf(planned)));
    $('run-summary').replaceChildren(
      el('strong', {}, `Claims: ${text}`),
      el('span', { class: 'hint' }, ` for ${claims} ticked claim${claims === 1 ? '' : 's'}`),
    );
    notice(
      'preset-status',
      [
        `Claims: the ${claims} ticked claims need ${text.replace(' · ~', ', about ')} on this device. Run starts them; untick claims in the claims panel below to run fewer.`,
      ],
      'info',
    );
  };
  // Editing the form leaves the Claims preset: Run runs the form again.
  const edited = () => {
    if (claimsMode) {
      claimsMode = false;
      setPreset(null);
      notice('preset-status', []);
    }
    sync();
  };
  form.addEventListener('input', edited);
  form.addEventListener('change', edited);
  $('claims-table').addEventListener('change', () => claimsMode && sync());

  const applyPreset = async (preset: Preset) => {
    const config = presetConfig(preset, catalog);
    if (config === null) {
      claimsMode = true;
      setPreset(preset);
      sync();
      return;
    }
    claimsMode = false;
    // Sized for this device: its default backends (a software WebGPU adapter is left out, with why).
    const chosen = await best;
    const problems = applyConfig(form, catalogView, { ...config, devices: preset === 'quick' ? chosen.devices.slice(0, 2) : chosen.devices });
    const planned = expandPlan(planOf(readConfig(form, catalogView)), catalog, () => '');
    const summary = `${preset === 'quick' ? 'Quick check' : 'Full suite'}: ${runsSummary(planned.length, estimatePlanMs(shapesOf(planned)))}. Run starts it.`;
    notice('preset-status', [...problems, summary, ...(chosen.note ? [chosen.note] : [])], problems.length ? 'problem' : 'info');
    setPreset(preset);
    sync();
  };
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
    button.addEventListener('click', () => {
      const preset = button.dataset.preset as Preset;
      if (PRESETS.includes(preset)) void applyPreset(preset);
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

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (claimsMode) {
      const { planned } = await claimsPlan();
      progress.expect(expectation(planned));
      $('latest').scrollIntoView({ behavior: 'smooth', block: 'start' });
      void claimsView.check();
      return;
    }
    const problems = fieldProblems(form);
    if (problems.size) {
      showFieldProblems(form, problems);
      progress.message(`Not started: ${[...problems.values()].join(' ')}`, 'failed');
      return;
    }
    const config = readConfig(form, catalogView);
    const plan = planOf(config, {
      generation: readGeneration(form),
      ...(form.querySelector<HTMLInputElement>('[name=roofline]')!.checked ? { roofline: true } : {}),
    });
    const file = yours.forRun();
    if (file) plan.models = [...plan.models, file];
    const missing = [
      !plan.models.length && 'one model',
      !plan.devices.length && 'one backend',
      Array.isArray(plan.dtypes) && !plan.dtypes.length && 'one level',
    ].filter(Boolean);
    if (missing.length) {
      progress.message(`Choose at least ${missing.join(' and ')}.`, 'failed');
      return;
    }
    setRunning(true);
    progress.expect(expectation(expandPlan(plan, catalog, () => '')));
    // The results are what a run is for: show them (the progress leads them) as it starts.
    $('latest').scrollIntoView({ behavior: 'smooth', block: 'start' });
    controller.runSuite(plan).catch((err: Error) => {
      progress.message(err.message, 'failed');
      setRunning(false);
    });
  });
  $('abort').addEventListener('click', () => controller.abort());

  // A share link: apply what it says, name what it got wrong, and start the run if it asks to.
  const shared = parseShare(location.search, catalog);
  if (Object.keys(shared.config).length) {
    if (!shared.config.models) catalogView.select([]);
    // A link that names no backends gets this device's defaults, as the presets do.
    if (!shared.config.devices) applyConfig(form, catalogView, { devices: (await best).devices });
    const problems = [...shared.problems, ...applyConfig(form, catalogView, shared.config)];
    const opened = location.search;
    sync();
    // The address now holds the setup as applied: say what that changed in the link.
    const rewrites = linkRewrites(opened, location.search, catalog);
    notice('share-status', [...problems, ...(rewrites.length ? [`The address bar now holds the setup as applied: ${rewrites.join('; ')}.`] : [])]);
  } else {
    notice('share-status', shared.problems);
    // No link: the Quick check, sized for this device (a few runs, seconds), rather than every model everywhere.
    await applyPreset('quick');
  }
  // After a reload, Results shows the last suite the log holds rather than nothing.
  if (!shared.autorun) {
    const last = lastSuite(await controller.results());
    if (last.length && latest.length === 0 && !controller.isRunning())
      resultsView.show(
        last,
        `The last suite in the history, ${new Date(last[0]!.startedAt).toLocaleString()}: ${last.length} run${last.length === 1 ? '' : 's'}.`,
      );
    else resultsView.show([]);
  }
  await historyView.refresh();
  if (shared.autorun) form.requestSubmit();
}

init().catch((err: Error) => {
  $('device').textContent = `ondevice could not start: ${err.message}`;
});
