/**
 * The Try panel (issue 17): a model on your own input — an image for OCR, audio for voice activity, a prompt for a
 * decoder, a sentence for a classifier — with its output, per-stage timings and the level used, and one button per
 * level the pipeline or model ships, which re-runs the same input at that level. Every run goes through the
 * controller like any other: logged in IndexedDB, in the results and the history.
 */
import type { Controller } from '../client/controller.ts';
import type { SuiteEvent } from '../client/suite.ts';
import type { Catalog } from '../core/catalog.ts';
import type { RunResult } from '../core/schema.ts';
import { isGgufDtype, type Device, type Dtype } from '../core/vocab.ts';
import { streamHeading } from '../text/stream.ts';
import { $, el } from './dom.ts';
import { tryLevels, tryModels, type TryMode } from './model/try.ts';
import { acceptFiles, asWav, micProblem, record, type InputFile } from './try-media.ts';
import { classifyView, ocrOutput, runSummary, vadOutput } from './try-output.ts';

const DEVICE: Device = 'wasm';

export interface TryView {
  onEvent(e: SuiteEvent): void;
}

export function mountTry(controller: Controller, catalog: Catalog): TryView {
  let mode: TryMode = 'ocr';
  const level: Record<TryMode, Dtype> = { ocr: 'fp32', vad: 'fp32', generate: 'fp32', classify: 'fp32' };
  const current: Partial<Record<TryMode, InputFile & { expected?: string }>> = {};
  let streaming = false;
  const output = $('try-output');
  const stream = { head: el('p', { class: 'lm-stream-head' }), text: el('pre', { id: 'try-stream', class: 'lm-stream-text' }) };

  const say = (text: string, kind: 'problem' | 'info' = 'info') => {
    const box = $('try-status');
    box.hidden = text === '';
    box.className = `notice ${kind}`;
    box.textContent = text;
  };
  const modelOf = (m: TryMode) =>
    m === 'generate' ? $<HTMLSelectElement>('try-lm').value : m === 'classify' ? $<HTMLSelectElement>('try-classifier').value : undefined;

  const renderLevels = () => {
    const levels = tryLevels(mode, catalog, modelOf(mode));
    if (!levels.includes(level[mode])) level[mode] = levels[0] ?? 'fp32';
    $('try-levels').replaceChildren(
      el('span', { class: 'hint' }, 'Level: '),
      ...levels.map((l) => {
        const b = el(
          'button',
          {
            type: 'button',
            'data-level': l,
            'aria-pressed': String(l === level[mode]),
            ...(isGgufDtype(l) ? { title: `${l}: a GGUF file, on llama.cpp (wllama)` } : {}),
          },
          l,
        );
        b.addEventListener('click', () => {
          level[mode] = l;
          renderLevels();
          void again();
        });
        return b;
      }),
    );
  };

  const setMode = (m: TryMode) => {
    mode = m;
    for (const b of document.querySelectorAll<HTMLElement>('[data-try-mode]')) b.setAttribute('aria-pressed', String(b.dataset.tryMode === m));
    for (const p of document.querySelectorAll<HTMLElement>('[data-try-input]')) p.hidden = p.dataset.tryInput !== m;
    renderLevels();
  };

  /** Refuse while a suite runs (the controller runs one thing at a time). */
  const busy = () => {
    if (!controller.isRunning()) return false;
    say('A run is in progress: wait for it to end, or abort it, then try again.', 'problem');
    return true;
  };
  const finish = (r: RunResult | undefined, extra: HTMLElement[] = []) => {
    if (!r) return say('Nothing ran (aborted before it started).', 'problem');
    output.replaceChildren(...runSummary(r), ...extra);
    output.dataset.state = r.state;
    output.dataset.level = r.model.dtype;
  };

  async function runTask(kind: 'ocr' | 'vad', input: InputFile & { expected?: string }) {
    if (busy()) return;
    current[kind] = input;
    say(`${input.note ? `${input.note} ` : ''}Running ${kind === 'ocr' ? 'OCR' : 'voice activity'} on ${input.name} at ${level[kind]}…`);
    output.dataset.state = 'running';
    try {
      const [r] = await controller.runTask({
        kind,
        input: { name: input.name, bytes: input.bytes },
        levels: [level[kind]],
        device: DEVICE,
        workload: { iterations: 1, warmup: 0, numThreads: null },
        ...(input.expected !== undefined ? { expectedText: input.expected } : {}),
      });
      finish(r, r ? (kind === 'ocr' ? await ocrOutput(r, input) : vadOutput(r, input)) : []);
      if (r?.state === 'completed') say(input.note ?? '');
      else
        say(
          `${input.note ? `${input.note} ` : ''}${r?.error?.message ?? 'The run did not complete.'} (The run is logged in the history with this reason.)`,
          'problem',
        );
    } catch (err) {
      say((err as Error).message, 'problem');
    }
  }

  async function runModel(kind: 'generate' | 'classify') {
    if (busy()) return;
    const id = modelOf(kind)!;
    const text = $<HTMLTextAreaElement>(kind === 'generate' ? 'try-prompt' : 'try-sentence').value.trim();
    if (!text) return say(kind === 'generate' ? 'Type a prompt first.' : 'Type a sentence first.', 'problem');
    current[kind] = { name: text, bytes: new Uint8Array() };
    say(`Running ${id} at ${level[kind]}…`);
    output.dataset.state = 'running';
    output.replaceChildren(...(kind === 'generate' ? [stream.head, stream.text] : []));
    stream.head.textContent = 'loading the model…';
    stream.text.textContent = '';
    streaming = kind === 'generate';
    try {
      const results = await controller.runSuite({
        models: [id],
        devices: [DEVICE],
        dtypes: [level[kind]],
        // GGUF levels run on llama.cpp (wllama), ONNX ones on onnxruntime; classifiers through transformers.js pipelines.
        engines: [kind === 'classify' ? 'transformers' : isGgufDtype(level[kind]) ? 'wllama' : 'ort'],
        workload: {
          iterations: 1,
          warmup: 0,
          numThreads: 1,
          generation: { prompt: text, maxNewTokens: kind === 'generate' ? 32 : 1 },
          ...(kind === 'classify' ? { captureOutputs: true } : {}),
        },
      });
      const r = results[0];
      const entry = catalog.models.find((m) => m.id === id);
      const random =
        entry && 'generator' in entry.from
          ? [el('p', { class: 'hint' }, `${id}'s weights are random (generated by ondevice): the text shows the speed, not an answer.`)]
          : [];
      const shown = kind === 'generate' ? [stream.head, stream.text, ...random] : classifyView(r!, entry);
      if (kind === 'generate' && r?.generation?.text) stream.text.textContent = r.generation.text;
      finish(r, r?.state === 'completed' ? shown : []);
      say(
        r?.state === 'completed' ? '' : `${r?.error?.message ?? 'The run did not complete.'} (Logged in the history with this reason.)`,
        r?.state === 'completed' ? 'info' : 'problem',
      );
    } catch (err) {
      say((err as Error).message, 'problem');
    } finally {
      streaming = false;
    }
  }

  /** The current mode's last input again, at the level now chosen. */
  async function again() {
    const input = current[mode];
    if (!input) return;
    if (mode === 'ocr' || mode === 'vad') await runTask(mode, input);
    else await runModel(mode);
  }

  // Inputs.
  for (const b of document.querySelectorAll<HTMLElement>('[data-try-mode]')) b.addEventListener('click', () => setMode(b.dataset.tryMode as TryMode));
  acceptFiles(
    $('try-drop'),
    $<HTMLInputElement>('try-image'),
    () => mode === 'ocr',
    (f) => void runTask('ocr', f),
  );
  acceptFiles(
    $('try-audio-drop'),
    $<HTMLInputElement>('try-audio'),
    () => mode === 'vad',
    (f) => void asWav(f).then((w) => runTask('vad', w)),
  );
  $('try-sample').addEventListener('click', async () => {
    const sample = await controller.renderText();
    const bytes = Uint8Array.from(atob(sample.base64), (c) => c.charCodeAt(0));
    void runTask('ocr', {
      name: sample.name,
      bytes,
      expected: sample.expected,
      note: 'Text lines drawn by this page (their text is known, so the run has a CER).',
    });
  });
  let recording: Awaited<ReturnType<typeof record>> | null = null;
  $('try-record').addEventListener('click', async () => {
    const button = $<HTMLButtonElement>('try-record');
    if (recording) {
      const done = recording;
      recording = null;
      button.textContent = 'Record';
      void runTask('vad', await asWav(await done.stop()));
      return;
    }
    try {
      recording = await record();
      button.textContent = 'Stop and run';
      say('Recording from the microphone… press "Stop and run" when done.');
    } catch (err) {
      say(micProblem(err), 'problem');
    }
  });
  const models = (select: string, m: TryMode, preferred: string) => {
    const s = $<HTMLSelectElement>(select);
    s.replaceChildren(...tryModels(m, catalog).map((c) => el('option', { value: c.id }, c.id)));
    if (tryModels(m, catalog).some((c) => c.id === preferred)) s.value = preferred;
    s.addEventListener('change', renderLevels);
  };
  models('try-lm', 'generate', 'tiny-llama');
  models('try-classifier', 'classify', 'tiny-bert-sst');
  $('try-generate').addEventListener('click', () => void runModel('generate'));
  $('try-classify').addEventListener('click', () => void runModel('classify'));
  setMode('ocr');

  return {
    // A generation's text as it streams, with its tok/s so far (the same events as the results' stream).
    onEvent(e) {
      if (!streaming || e.type !== 'run-progress' || e.progress.phase !== 'generate') return;
      const p = e.progress;
      if (p.textReset) stream.text.textContent = p.text ?? '';
      else if (p.text) stream.text.textContent += p.text;
      stream.head.textContent = streamHeading(p, false);
    },
  };
}
