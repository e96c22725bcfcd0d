/** Task runs (issue 17) in words, for the CLI, the app and the report alike: accuracy per level, stage timings, the text read, the speech found. */
import type { RunResult } from '../core/schema.ts';
import { formatMs } from './format.ts';

/** A CER as a percentage with one decimal ("0.8 %"); "–" when unknown. */
export const formatCer = (cer: number | null | undefined): string => (cer === null || cer === undefined ? '—' : `${(cer * 100).toFixed(1)} %`);

/** "CER 0.8 % vs fp32 0.7 %" (VAD: "frames 99.5 % as fp32, segment F1 1.00, RTF 0.027"): a completed task run's accuracy against the ground truth and against fp32's output; '' for other runs. */
export function taskAccuracyText(r: RunResult): string {
  const a = r.pipeline?.accuracy;
  if (!r.pipeline || r.state !== 'completed') return '';
  if (r.pipeline.kind === 'ocr') {
    const parts = [
      a?.cer !== undefined ? `CER ${formatCer(a.cer)}` : null,
      a?.cerVsFp32 !== undefined && r.model.dtype !== 'fp32' ? `vs fp32 ${formatCer(a.cerVsFp32)}` : null,
    ];
    return parts.filter(Boolean).join(' ') || `${r.pipeline.ocr?.lines.length ?? 0} lines read`;
  }
  if (r.pipeline.kind === 'vad') {
    const v = r.pipeline.vad;
    const parts = [
      a?.frameAgreementVsFp32 !== undefined && r.model.dtype !== 'fp32' ? `frames ${formatShare(a.frameAgreementVsFp32)} as fp32` : null,
      a?.segmentF1 !== undefined ? `segment F1 ${a.segmentF1.toFixed(2)}` : null,
      v ? `RTF ${formatRtf(v.realTimeFactor)}` : null,
    ];
    return parts.filter(Boolean).join(', ') || `${v?.segments.length ?? 0} segments`;
  }
  return '';
}

/** A share as a percentage with one decimal ("99.1 %"); "—" when unknown. */
export const formatShare = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(1)} %`);

/** A real-time factor (processing time over audio time): "0.012" (a second of audio in 12 ms); "—" when unknown. */
export const formatRtf = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toPrecision(2));

/** The speech segments a VAD run found, in seconds: "0.77–3.42 s, 4.55–6.17 s" (none: "(no speech)"). */
export function vadSegmentsLine(r: RunResult): string {
  const segments = r.pipeline?.vad?.segments ?? [];
  return segments.length ? segments.map((s) => `${(s.startMs / 1000).toFixed(2)}–${(s.endMs / 1000).toFixed(2)} s`).join(', ') : '(no speech)';
}

/** What was done to the audio before the model saw it, in a sentence; null when nothing was. */
export function vadInputNote(r: RunResult): string | null {
  const i = r.pipeline?.input;
  return i?.resampledFrom ? `"${i.name}" is at ${i.resampledFrom} Hz: resampled to ${i.sampleRate ?? 16000} Hz, the rate Silero takes` : null;
}

/** "q8: CER 0.8 % vs fp32 0.7 %" (the quantization table's line); null for runs that are not task runs. */
export function taskAccuracyLine(r: RunResult): string | null {
  if (!r.pipeline) return null;
  return `${r.model.dtype}: ${r.state !== 'completed' ? r.state : taskAccuracyText(r) || r.pipeline.kind}`;
}

/** Per-stage median times, "det 120 ms · cls 8 ms · rec 95 ms". */
export function stageTimes(r: RunResult): string {
  return (r.pipeline?.stages ?? [])
    .map((s) => `${s.name}${s.level !== r.model.dtype ? ` (${s.level})` : ''} ${formatMs(typeof s.ms === 'number' ? s.ms : s.ms.p50Ms)}`)
    .join(' · ');
}

/** The text an OCR run read, lines joined by " | " (empty: "(no text)"). */
export function ocrTextLine(r: RunResult): string {
  const lines = r.pipeline?.ocr?.lines ?? [];
  return lines.length ? lines.map((l) => l.text).join(' | ') : '(no text)';
}
