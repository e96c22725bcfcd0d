/**
 * A language-model run's text as it is generated, under the run's progress bar: which generation this is (warm-up,
 * measured, at a context length), its tokens so far and decode tok/s, and the text streamed from the worker.
 */
import type { SuiteEvent } from '../client/suite.ts';
import { streamHeading } from '../text/stream.ts';
import { $, el } from './dom.ts';

export interface StreamView {
  onEvent(e: SuiteEvent): void;
}

export function mountLmStream(): StreamView {
  const heading = el('p', { class: 'lm-stream-head', 'aria-live': 'off' });
  const text = el('pre', { class: 'lm-stream-text' });
  const box = el('div', { class: 'lm-stream', id: 'lm-stream', hidden: '' }, heading, text);
  $('progress-run').after(box);
  let replica = false;
  return {
    onEvent(e) {
      if (e.type === 'run-start') {
        box.hidden = true;
        text.textContent = '';
        replica = e.spec.model.source === 'replica';
        return;
      }
      if (e.type !== 'run-progress') return;
      const p = e.progress;
      if (p.phase !== 'generate') return;
      box.hidden = false;
      // A generation's first text is the whole of it so far; later ones add to it.
      if (p.textReset) text.textContent = p.text ?? '';
      else if (p.text) text.textContent += p.text;
      heading.toggleAttribute('data-warmup', !!p.warmup);
      heading.textContent = streamHeading(p, replica);
    },
  };
}
