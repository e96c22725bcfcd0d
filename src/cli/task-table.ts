/**
 * The task runs' table (issue 17): one row per level — the level each stage ran at and its median time, end to end,
 * the task's accuracy against the ground truth and against fp32 — then the text fp32 read.
 */
import { newTable, tableText } from './cli-table.ts';
import type { RunResult } from '../core/schema.ts';
import { formatMs } from '../text/format.ts';
import { formatReason } from '../text/errors.ts';
import { formatCer, formatRtf, formatShare, ocrTextLine, taskAccuracyLine, vadInputNote, vadSegmentsLine } from '../text/task.ts';

const stageCell = (r: RunResult, name: string): string => {
  const s = r.pipeline?.stages.find((x) => x.name === name);
  if (!s) return '—';
  const ms = typeof s.ms === 'number' ? s.ms : s.ms.p50Ms;
  return `${formatMs(ms)}${s.level !== r.model.dtype ? ` (${s.level})` : ''}`;
};

export function taskTable(results: readonly RunResult[]): string {
  const stages = [...new Set(results.flatMap((r) => r.pipeline?.stages.map((s) => s.name) ?? []))];
  const ocr = results.some((r) => r.pipeline?.kind === 'ocr' || r.model.id.startsWith('ocr:'));
  const vad = results.some((r) => r.pipeline?.kind === 'vad' || r.model.id.startsWith('vad:'));
  const head = [
    'pipeline',
    'level',
    'device',
    'state',
    ...stages.map((s) => `${s} p50`),
    'total p50',
    'load',
    ...(ocr ? ['lines', 'CER', 'CER vs fp32'] : []),
    ...(vad ? ['segments', 'segment F1', 'frames as fp32', 'RTF'] : []),
  ];
  const t = newTable(head);
  for (const r of results) {
    const a = r.pipeline?.accuracy;
    t.push([
      r.model.id,
      r.model.dtype,
      r.device,
      r.state,
      ...stages.map((s) => stageCell(r, s)),
      formatMs(r.pipeline?.totalMs ?? null),
      formatMs(r.timings.loadMs),
      ...(ocr ? [String(r.pipeline?.ocr?.lines.length ?? '—'), formatCer(a?.cer), r.model.dtype === 'fp32' ? '(reference)' : formatCer(a?.cerVsFp32)] : []),
      ...(vad
        ? [
            String(r.pipeline?.vad?.segments.length ?? '—'),
            a?.segmentF1 === undefined ? '—' : a.segmentF1.toFixed(2),
            r.model.dtype === 'fp32' ? '(reference)' : formatShare(a?.frameAgreementVsFp32),
            formatRtf(r.pipeline?.vad?.realTimeFactor),
          ]
        : []),
    ]);
  }
  const lines = [tableText(t)];
  const accuracy = results.map(taskAccuracyLine).filter((l): l is string => l !== null);
  if (accuracy.length) lines.push(`accuracy: ${accuracy.join('; ')}`);
  for (const r of results) {
    if (r.state !== 'completed') lines.push(`${r.model.dtype} on ${r.device}: ${formatReason(r)}`);
    else if (r.pipeline?.kind === 'ocr') lines.push(`${r.model.dtype} read: ${ocrTextLine(r)}`);
    else if (r.pipeline?.kind === 'vad') lines.push(`${r.model.dtype} speech: ${vadSegmentsLine(r)}`);
  }
  const resampled = results.map(vadInputNote).find((n) => n !== null);
  if (resampled) lines.push(`input: ${resampled}.`);
  const expected = results.find((r) => r.pipeline?.accuracy?.expected !== undefined)?.pipeline?.accuracy?.expected;
  if (expected !== undefined) lines.push(`expected: ${expected.split('\n').join(' | ') || '(no text)'}`);
  return lines.join('\n');
}
