/**
 * What the Try panel shows of a run: its level and timings per stage, then the output of its kind — the image with
 * the text boxes drawn over it and the lines with their scores (OCR), the speech probability along the waveform with
 * the segments (VAD), the generated text and its decode rate, a classifier's labels and scores.
 */
import type { CatalogModel } from '../core/catalog.ts';
import type { RunResult } from '../core/schema.ts';
import { parseWav } from '../core/task/vad-wav.ts';
import { formatMs, formatNumber, formatRate } from '../text/format.ts';
import { renderVadChart } from './charts.ts';
import { el } from './dom.ts';
import { classifyOutput, envelope, mixDown } from './model/try.ts';
import type { InputFile } from './try-media.ts';

const msOf = (ms: number | { p50Ms: number }) => formatMs(typeof ms === 'number' ? ms : ms.p50Ms);

/** "ocr:ppocr-v4 at q8 on wasm · 1.2 s end to end" and the stages' table, or the reason the run has no figures. */
export function runSummary(r: RunResult): HTMLElement[] {
  const head = el('p', { class: 'try-run', 'data-state': r.state }, el('strong', {}, `${r.model.id} at ${r.model.dtype}`), ` on ${r.device}`);
  if (r.state !== 'completed') {
    return [
      head,
      el('p', { class: 'notice problem try-reason' }, `${r.state === 'aborted' ? 'Aborted' : 'Not run'}: ${r.error?.message ?? 'no reason given'}`),
    ];
  }
  const p = r.pipeline;
  if (p) {
    head.append(` · ${formatMs(p.totalMs)} end to end`);
    // The sample's text is known: how right the reading is.
    if (p.accuracy?.cer !== undefined) head.append(` · CER ${formatNumber(p.accuracy.cer * 100, 2)} % against the drawn text`);
    const rows = p.stages.map((s) =>
      el(
        'tr',
        {},
        el('td', {}, s.name),
        el('td', {}, s.model),
        el('td', { class: s.level === r.model.dtype ? '' : 'try-other-level' }, s.level),
        el('td', { class: 'num' }, msOf(s.ms)),
      ),
    );
    const table = el(
      'table',
      { class: 'try-stages' },
      el('thead', {}, el('tr', {}, el('th', {}, 'stage'), el('th', {}, 'model'), el('th', {}, 'level used'), el('th', { class: 'num' }, 'time (p50)'))),
      el('tbody', {}, ...rows),
    );
    return [head, table];
  }
  const g = r.generation;
  if (g)
    head.append(` · ${g.promptTokens} prompt tokens · TTFT ${formatMs(g.ttftMs)} · decode ${g.decodeTokPerS ? `${formatRate(g.decodeTokPerS)} tok/s` : '–'}`);
  else if (r.timings.latency) head.append(` · ${formatMs(r.timings.latency.p50Ms)} per call · load ${formatMs(r.timings.loadMs)}`);
  return [head];
}

/** The image with each line's box drawn over it (the boxes are in the image's pixels), and the lines listed. */
export async function ocrOutput(r: RunResult, input: InputFile): Promise<HTMLElement[]> {
  const lines = r.pipeline?.ocr?.lines ?? [];
  const out: HTMLElement[] = [];
  try {
    const image = await createImageBitmap(new Blob([input.bytes as BlobPart]));
    const canvas = el('canvas', { id: 'try-ocr-canvas', class: 'try-image', width: String(image.width), height: String(image.height) });
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(image, 0, 0);
    ctx.lineWidth = Math.max(2, image.width / 400);
    ctx.strokeStyle = '#e0242a';
    for (const line of lines) {
      ctx.beginPath();
      line.box.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.closePath();
      ctx.stroke();
    }
    out.push(el('div', { class: 'try-image-wrap' }, canvas));
  } catch {
    // Not an image the browser decodes: the run's reason says what is wrong with it.
  }
  if (r.state === 'completed') {
    out.push(
      lines.length
        ? el(
            'ol',
            { id: 'try-ocr-lines', class: 'try-lines' },
            ...lines.map((l) => el('li', {}, el('span', { class: 'try-text' }, l.text), el('span', { class: 'try-score' }, ` ${formatNumber(l.score, 3)}`))),
          )
        : el('p', { id: 'try-ocr-lines', class: 'hint' }, 'No text found in this image (an empty result).'),
    );
  }
  return out;
}

/** The speech probability along the waveform, the segments shaded and listed, and the real-time factor. */
export function vadOutput(r: RunResult, input: InputFile): HTMLElement[] {
  const vad = r.pipeline?.vad;
  if (!vad) return [];
  let waveform: number[] | null = null;
  try {
    const wav = parseWav(input.bytes, input.name);
    waveform = envelope(mixDown(wav.channels), wav.sampleRate, vad.frameMs, vad.probs.length);
  } catch {
    waveform = null;
  }
  const canvas = el('canvas', { id: 'try-vad-chart', 'aria-label': 'Speech probability along the waveform, speech segments shaded' });
  const box = el('div', { class: 'chart try-chart' }, canvas);
  const input_ = r.pipeline!.input;
  const said = input_.resampledFrom ? `resampled from ${input_.resampledFrom} Hz to 16 kHz` : 'at 16 kHz';
  const list = el(
    'ul',
    { id: 'try-vad-segments', class: 'try-lines' },
    ...(vad.segments.length
      ? vad.segments.map((s) => el('li', {}, `speech ${formatNumber(s.startMs / 1000, 3)}–${formatNumber(s.endMs / 1000, 3)} s`))
      : [el('li', {}, 'no speech found')]),
  );
  const facts = el(
    'p',
    { class: 'hint' },
    `${formatNumber((input_.durationMs ?? 0) / 1000, 3)} s of audio ${said} · real-time factor ${formatNumber(vad.realTimeFactor, 3)}`,
  );
  // The chart needs its box in the page to size itself.
  queueMicrotask(() => renderVadChart(canvas, vad, waveform));
  return [facts, box, list];
}

/** A classifier's labels and scores (the bundled weights are random: the labels mean nothing). */
export function classifyView(r: RunResult, model: CatalogModel | undefined): HTMLElement[] {
  if (r.state !== 'completed') return [];
  const labelled = classifyOutput(r, model);
  if (typeof labelled === 'string') return [el('p', { class: 'notice problem' }, labelled)];
  const rows = labelled.map((l) =>
    el('tr', {}, el('td', {}, l.token === null ? 'sentence' : `token ${l.token}`), el('td', {}, l.label), el('td', { class: 'num' }, formatNumber(l.score, 3))),
  );
  return [
    el(
      'table',
      { id: 'try-labels', class: 'try-stages' },
      el('thead', {}, el('tr', {}, el('th', {}, 'what'), el('th', {}, 'label'), el('th', { class: 'num' }, 'score'))),
      el('tbody', {}, ...rows),
    ),
    el(
      'p',
      { class: 'hint' },
      `${model?.id ?? r.model.id}'s bundled weights are random (generated by ondevice): the labels show the pipeline works, they mean nothing.`,
    ),
  ];
}
