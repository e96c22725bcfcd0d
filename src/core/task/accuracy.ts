/** Task accuracy against fp32's run of the same input (issue 17): OCR's CER vs fp32's text, VAD's frame agreement with fp32's calls. */
import type { RunResult } from '../schema.ts';
import { cer } from './cer.ts';
import { frameAgreement } from './vad-score.ts';

const ocrText = (r: RunResult): string | null => (r.pipeline?.ocr ? r.pipeline.ocr.lines.map((l) => l.text).join('\n') : null);

/** Set `result`'s accuracy against `fp32` (a completed fp32 run of the same pipeline and input); the fp32 run itself gets 0. */
export function withAccuracyVsFp32(result: RunResult, fp32: RunResult | null): void {
  if (!result.pipeline || result.state !== 'completed' || !fp32 || fp32.state !== 'completed' || !fp32.pipeline) return;
  if (result.pipeline.kind === 'ocr') {
    const ref = ocrText(fp32);
    const hyp = ocrText(result);
    if (ref === null || hyp === null) return;
    result.pipeline.accuracy = { ...result.pipeline.accuracy, cerVsFp32: cer(ref, hyp) };
  }
  if (result.pipeline.kind === 'vad' && result.pipeline.vad && fp32.pipeline.vad) {
    const agreement = frameAgreement(fp32.pipeline.vad.probs, result.pipeline.vad.probs);
    if (Number.isFinite(agreement)) result.pipeline.accuracy = { ...result.pipeline.accuracy, frameAgreementVsFp32: agreement };
  }
}
