/**
 * What the Try panel computes, pure: the levels a mode can switch between, a classifier's labels from its logits, the
 * waveform's envelope per VAD frame, and decoded audio as a WAV the VAD pipeline reads (float32, interleaved).
 */
import type { Catalog, CatalogModel } from '../../core/catalog.ts';
import type { RunResult } from '../../core/schema.ts';
import { pipelineLevels } from '../../core/task/pipelines.ts';
import type { Dtype } from '../../core/vocab.ts';

export type TryMode = 'ocr' | 'vad' | 'generate' | 'classify';

/** The models a mode offers: decoders for generation, the bundled classifiers for classify (none for a pipeline). */
export function tryModels(mode: TryMode, catalog: Catalog): CatalogModel[] {
  if (mode === 'generate') return catalog.models.filter((m) => m.task === 'text-generation');
  if (mode === 'classify') return catalog.models.filter((m) => m.task === 'text-classification' || m.task === 'token-classification');
  return [];
}

/** The levels the level buttons offer: every level some stage of the pipeline ships, or the model's own. */
export function tryLevels(mode: TryMode, catalog: Catalog, modelId?: string): Dtype[] {
  if (mode === 'ocr' || mode === 'vad') return pipelineLevels(mode, catalog);
  return catalog.models.find((m) => m.id === modelId)?.levels ?? [];
}

/** A classifier's label names, from the generator's config (id2label); `LABEL_i` where it names none. */
export function labelNames(model: CatalogModel | undefined, count: number): string[] {
  const from = model?.from as { config?: { id2label?: Record<string, string> } } | undefined;
  const names = from?.config?.id2label ?? {};
  return Array.from({ length: count }, (_, i) => names[String(i)] ?? `LABEL_${i}`);
}

export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export interface Labelled {
  /** The token's position (token classification), or null for the whole sentence. */
  token: number | null;
  label: string;
  score: number;
}

/**
 * Labels and scores from a classification run's captured logits: the sentence's labels best first (`[1, labels]`),
 * or each token's best label (`[1, tokens, labels]`). A reason when the run kept no logits.
 */
export function classifyOutput(result: RunResult, model: CatalogModel | undefined): Labelled[] | string {
  const out = result.outputs?.[0];
  if (!out || out.dims.length < 2) return `The run kept no logits to label${result.error ? `: ${result.error.message}` : ''}.`;
  const labels = out.dims[out.dims.length - 1]!;
  const names = labelNames(model, labels);
  if (out.dims.length === 2) {
    const p = softmax(out.values.slice(0, labels));
    return p.map((score, i) => ({ token: null, label: names[i]!, score })).sort((a, b) => b.score - a.score);
  }
  const tokens = Math.floor(out.values.length / labels);
  return Array.from({ length: tokens }, (_, t) => {
    const p = softmax(out.values.slice(t * labels, (t + 1) * labels));
    const best = p.indexOf(Math.max(...p));
    return { token: t, label: names[best]!, score: p[best]! };
  });
}

/** The peak |sample| over each frame of `frameMs` (what the plot draws the waveform as, one point per VAD frame). */
export function envelope(samples: Float32Array, sampleRate: number, frameMs: number, frames: number): number[] {
  const per = (sampleRate * frameMs) / 1000;
  return Array.from({ length: frames }, (_, f) => {
    let peak = 0;
    const end = Math.min(samples.length, Math.round((f + 1) * per));
    for (let i = Math.round(f * per); i < end; i++) peak = Math.max(peak, Math.abs(samples[i]!));
    return peak;
  });
}

/** Whether bytes open as a RIFF/WAVE file (the pipeline reads those itself; anything else the browser decodes first). */
export const isWav = (bytes: Uint8Array): boolean =>
  bytes.length >= 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...bytes.subarray(8, 12)) === 'WAVE';

/** Float32 samples as a WAV (format 3, IEEE float): one channel, or several interleaved. */
export function floatWav(samples: Float32Array | readonly Float32Array[], rate: number): Uint8Array {
  const channels = samples instanceof Float32Array ? [samples] : samples;
  const frames = channels[0]?.length ?? 0;
  const body = frames * channels.length * 4;
  const v = new DataView(new ArrayBuffer(44 + body));
  const text = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  v.setUint32(4, 36 + body, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 3, true);
  v.setUint16(22, channels.length, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * channels.length * 4, true);
  v.setUint16(32, channels.length * 4, true);
  v.setUint16(34, 32, true);
  text(36, 'data');
  v.setUint32(40, body, true);
  for (let f = 0; f < frames; f++) channels.forEach((ch, c) => v.setFloat32(44 + (f * channels.length + c) * 4, ch[f]!, true));
  return new Uint8Array(v.buffer);
}

/** Channels mixed down to one. */
export function mixDown(channels: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(channels[0]?.length ?? 0);
  for (const ch of channels) ch.forEach((s, i) => (out[i]! += s / channels.length));
  return out;
}
