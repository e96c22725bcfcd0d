/** Task runs (issue 17) in words, for the CLI, the app and the report alike: accuracy per level, stage timings, the text read. */
import type { RunResult } from '../core/schema.ts';
import { formatMs } from './format.ts';

/** A CER as a percentage with one decimal ("0.8 %"); "–" when unknown. */
export const formatCer = (cer: number | null | undefined): string => (cer === null || cer === undefined ? '—' : `${(cer * 100).toFixed(1)} %`);

/** "CER 0.8 % vs fp32 0.7 %": a completed task run's accuracy against the ground truth and against fp32's output; '' for other runs. */
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
  return '';
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
