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
  let measured = 0;
  let replica = false;
  return {
    onEvent(e) {
      if (e.type === 'run-start') {
        box.hidden = true;
        text.textContent = '';
        measured = 0;
        replica = e.spec.model.source === 'replica';
        return;
      }
      if (e.type !== 'run-progress') return;
      const p = e.progress;
      // A measured generation ended: the next one's tokens start a new text.
      if (p.phase === 'measure') measured = p.done;
      if (p.phase !== 'generate') return;
      box.hidden = false;
      if (p.done === 1 && !p.text) text.textContent = '';
      if (p.textReset || (p.done === 1 && p.text !== undefined)) text.textContent = p.text ?? '';
      else if (p.text) text.textContent += p.text;
      heading.toggleAttribute('data-warmup', !!p.warmup);
      heading.textContent = streamHeading(p, measured, replica);
    },
  };
}
