/** Live progress of a suite: runs done of total with elapsed time and ETA, and the current run's phase and bytes. */
import type { SuiteEvent } from '../client/suite.ts';
import { remainingMs } from './model/eta.ts';
import type { Progress } from '../core/spec.ts';
import { $ } from './dom.ts';
import { formatBytes, formatDuration } from '../text/format.ts';

/** A phase as text, and how far through it the run is (null: unknown, the bar goes indeterminate). */
export function describeProgress(p: Progress): { text: string; fraction: number | null } {
  const of = (loaded: number, total: number | null) => `${formatBytes(loaded)}${total ? ` of ${formatBytes(total)}` : ''}`;
  switch (p.phase) {
    case 'fetch':
      return { text: `downloading ${of(p.loadedBytes, p.totalBytes)}`, fraction: p.totalBytes ? p.loadedBytes / p.totalBytes : null };
    case 'session':
      return { text: 'creating the session', fraction: null };
    case 'warmup':
      if (p.total === null)
        return {
          text: `warming up ${p.done} (until steady, at most ${formatDuration(p.capMs ?? 0)})`,
          fraction: p.capMs ? Math.min(1, (p.elapsedMs ?? 0) / p.capMs) : null,
        };
      return { text: `warming up ${p.done}/${p.total}`, fraction: p.done / p.total };
    case 'measure':
      return { text: `measuring ${p.done}/${p.total}`, fraction: p.done / p.total };
    case 'generate':
      return {
        text: `${p.warmup ? 'warm-up generation (not measured): ' : ''}generating token ${p.done}/${p.total}${p.context ? ` at ${p.context} tokens of context` : ''}`,
        fraction: p.done / p.total,
      };
    case 'download':
      return { text: `downloading ${p.file}: ${of(p.loadedBytes, p.totalBytes)}`, fraction: p.totalBytes ? p.loadedBytes / p.totalBytes : null };
    case 'build':
      return {
        text: `building the replica: ${formatBytes(p.writtenBytes)} of ${formatBytes(p.totalBytes)} of synthetic weights`,
        fraction: p.totalBytes ? p.writtenBytes / p.totalBytes : 1,
      };
    case 'profile':
      return { text: 'profiling one more iteration (after the measured ones)', fraction: null };
  }
}

export interface ProgressView {
  onEvent(e: SuiteEvent): void;
  /** A line in the suite label outside a suite (a form problem, a failed start). */
  message(text: string): void;
}

export function mountProgress(): ProgressView {
  const box = $('progress');
  const label = $('progress-label');
  const suiteBar = $<HTMLProgressElement>('progress-suite');
  const suiteText = $('progress-suite-text');
  const runLabel = $('progress-run-label');
  const runBar = $<HTMLProgressElement>('progress-run');
  let startedAt = 0;
  let total = 0;
  let runStartedAt = 0;
  let lastEndAt = 0;
  const finished: number[] = [];
  let current = '';
  let timer: ReturnType<typeof setInterval> | undefined;

  // The elapsed clock ticks between events too: a long load must not look frozen.
  const tick = () => {
    const now = performance.now();
    const eta = remainingMs({ total, finishedRunsMs: finished });
    suiteBar.max = Math.max(total, 1);
    suiteBar.value = finished.length;
    suiteText.textContent = `${finished.length} of ${total} runs · ${formatDuration(now - startedAt)} elapsed · ${eta === null ? 'ETA once the first run ends' : eta === 0 ? 'finishing' : `about ${formatDuration(eta)} left`}`;
  };
  const setRun = (text: string, fraction: number | null) => {
    runLabel.textContent = text;
    if (fraction === null) runBar.removeAttribute('value');
    else runBar.value = Math.min(1, fraction);
  };

  return {
    message(text) {
      box.hidden = false;
      label.textContent = text;
    },
    onEvent(e) {
      switch (e.type) {
        case 'prepare':
          box.hidden = false;
          setRun(
            `Preparing: ${e.message} (${e.total > 1000 ? `${formatBytes(e.done)} of ${formatBytes(e.total)}` : `${e.done}/${e.total}`})`,
            e.total ? e.done / e.total : 0,
          );
          break;
        case 'suite-start':
          box.hidden = false;
          box.dataset.state = 'running';
          startedAt = lastEndAt = performance.now();
          total = e.total;
          finished.length = 0;
          label.textContent = `Running ${e.total} run${e.total === 1 ? '' : 's'}…`;
          setRun('', 0);
          tick();
          clearInterval(timer);
          timer = setInterval(tick, 1000);
          break;
        case 'run-start':
          runStartedAt = performance.now();
          current = `${e.spec.model.id.replace(/^replica:/, '')} (${e.spec.model.dtype}) on ${e.spec.device}`;
          label.textContent = `Run ${e.index + 1} of ${e.total}: ${current}`;
          setRun(`${current}: starting`, null);
          break;
        case 'run-progress': {
          const { text, fraction } = describeProgress(e.progress);
          setRun(`${current}: ${text}`, fraction);
          break;
        }
        case 'run-end': {
          const now = performance.now();
          // A run decided without running (a level the model lacks) has no run-start: it took since the last end.
          finished.push(now - Math.max(runStartedAt, lastEndAt));
          lastEndAt = now;
          setRun(`${e.result.model.id.replace(/^replica:/, '')} (${e.result.model.dtype}) on ${e.result.device}: ${e.result.state}`, 1);
          tick();
          break;
        }
        case 'suite-end': {
          clearInterval(timer);
          tick();
          const completed = e.results.filter((r) => r.state === 'completed').length;
          label.textContent = `Done: ${e.results.length} runs (${completed} completed) in ${formatDuration(performance.now() - startedAt)}.`;
          box.dataset.state = 'done';
          break;
        }
      }
    },
  };
}
