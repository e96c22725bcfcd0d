/** The heading over a language model's streamed text (the app's run progress). */
import type { Progress } from '../core/spec.ts';
import { formatRate } from './format.ts';

type Generate = Extract<Progress, { phase: 'generate' }>;

/**
 * "warm-up generation (not measured) · token 3/4 · 812.4 tok/s", "generation 2 · token 8/8 · 7216 tok/s":
 * which generation this is, its tokens so far, its decode rate so far.
 */
export function streamHeading(p: Generate, replica: boolean): string {
  const which = p.warmup
    ? 'warm-up generation (not measured)'
    : p.context
      ? `generation at ${p.context} tokens of context`
      : `generation${p.generation ? ` ${p.generation}` : ''}`;
  const rate = p.tokPerS ? ` · ${formatRate(p.tokPerS)} tok/s` : '';
  return `${which} · token ${p.done}/${p.total}${rate}${replica ? ' · a replica: synthetic token ids' : ''}`;
}
