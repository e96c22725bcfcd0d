/** Live progress of a suite: runs done of total with elapsed time and ETA, and the current run's phase and bytes. */
import type { SuiteEvent } from '../client/suite.ts';
import { remainingMs, type RunShape } from './model/eta.ts';
import type { Progress } from '../core/spec.ts';
import { $, el } from './dom.ts';
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
  message(text: string, state?: 'failed'): void;
  /**
   * What the next suite will run, in order (each run's label and shape): the ETA is then per backend and model size
   * from the start, and an abort can list what it skipped. A suite started without it (the claims check) is
   * estimated from its ended runs.
   */
  expect(runs: readonly { label: string; shape: RunShape }[]): void;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function mountProgress(): ProgressView {
  const box = $('progress');
  const label = $('progress-label');
  const suiteBar = $<HTMLProgressElement>('progress-suite');
  const suiteText = $('progress-suite-text');
  const runLabel = $('progress-run-label');
  const runBar = $<HTMLProgressElement>('progress-run');
  const skipped = $('progress-skipped');
  const status = $('run-status');
  let startedAt = 0;
  let total = 0;
  let runStartedAt = 0;
  let lastEndAt = 0;
  const finished: number[] = [];
  let current = '';
  let expected: { label: string; shape: RunShape }[] = [];
  let planned: typeof expected = [];
  // The phase that gives no progress of its own (creating the session): since when, for its elapsed clock.
  let quiet: { text: string; since: number } | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;

  const setStatus = (text: string, state: string) => {
    status.textContent = text;
    status.dataset.state = state;
  };
  // The elapsed clocks tick between events too: a long load must not look frozen.
  const tick = () => {
    const now = performance.now();
    const eta = remainingMs({ total, finishedRunsMs: finished, shapes: planned.map((p) => p.shape) });
    suiteBar.max = Math.max(total, 1);
    suiteBar.value = finished.length;
    const left = eta === null ? 'ETA once the first run ends' : eta === 0 ? 'finishing' : `about ${formatDuration(eta)} left`;
    suiteText.textContent = `${finished.length} of ${total} runs · ${formatDuration(now - startedAt)} elapsed · ${left}`;
    setStatus(`Running: ${finished.length} of ${total} · ${left}`, 'running');
    if (quiet) runLabel.textContent = `${current}: ${quiet.text} · ${formatDuration(now - quiet.since)}`;
  };
  const setRun = (text: string, fraction: number | null) => {
    runLabel.textContent = text;
    if (fraction === null) runBar.removeAttribute('value');
    else runBar.value = Math.min(1, fraction);
  };

  return {
    message(text, state) {
      // A suite that failed to start leaves nothing expected for the next one.
      expected = [];
      box.hidden = false;
      label.textContent = text;
      if (state) box.dataset.state = state;
    },
    expect(runs) {
      expected = [...runs];
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
          skipped.hidden = true;
          startedAt = lastEndAt = performance.now();
          total = e.total;
          // What was expected is this suite's plan only if it has as many runs; else it was planned elsewhere.
          planned = expected.length === e.total ? expected : [];
          expected = [];
          finished.length = 0;
          quiet = null;
          label.textContent = `Running ${plural(e.total, 'run')}…`;
          setRun('', 0);
          tick();
          clearInterval(timer);
          timer = setInterval(tick, 1000);
          break;
        case 'run-start':
          runStartedAt = performance.now();
          quiet = null;
          current = `${e.spec.model.id.replace(/^replica:/, '')} (${e.spec.model.dtype}) on ${e.spec.device}`;
          label.textContent = `Run ${e.index + 1} of ${e.total}: ${current}`;
          setRun(`${current}: starting`, null);
          break;
        case 'run-progress': {
          const { text, fraction } = describeProgress(e.progress);
          // Creating a session reports nothing until it is done: an elapsed clock shows it is alive.
          quiet = e.progress.phase === 'session' ? { text, since: quiet?.text === text ? quiet.since : performance.now() } : null;
          setRun(`${current}: ${text}${quiet ? ` · ${formatDuration(performance.now() - quiet.since)}` : ''}`, fraction);
          break;
        }
        case 'run-end': {
          const now = performance.now();
          quiet = null;
          // A run decided without running (a level the model lacks) has no run-start: it took since the last end.
          finished.push(now - Math.max(runStartedAt, lastEndAt));
          lastEndAt = now;
          setRun(`${e.result.model.id.replace(/^replica:/, '')} (${e.result.model.dtype}) on ${e.result.device}: ${e.result.state}`, 1);
          tick();
          break;
        }
        case 'suite-end': {
          clearInterval(timer);
          quiet = null;
          const took = formatDuration(performance.now() - startedAt);
          const completed = e.results.filter((r) => r.state === 'completed').length;
          const aborted = e.results.filter((r) => r.state === 'aborted').length;
          const notRun = Math.max(0, total - e.results.length);
          suiteBar.max = Math.max(total, 1);
          suiteBar.value = e.results.length;
          if (aborted || notRun) {
            // Cancelled: no ETA, what ended how, and what never started.
            box.dataset.state = 'cancelled';
            label.textContent = `Cancelled after ${took}: ${completed} of ${plural(total, 'run')} completed, ${aborted} aborted, ${notRun} skipped.`;
            suiteText.textContent = `${e.results.length} of ${total} runs ended · ${took} elapsed · cancelled`;
            setRun(aborted ? 'The aborted run keeps the iterations it measured (see Results).' : '', 1);
            setStatus(`Cancelled: ${notRun} skipped`, 'cancelled');
            const names = planned.slice(e.results.length).map((p) => p.label);
            skipped.hidden = notRun === 0;
            skipped.replaceChildren(
              el('p', {}, `Skipped (never started): ${plural(notRun, 'run')}`),
              ...(names.length ? [el('ul', {}, ...names.map((n) => el('li', {}, n)))] : []),
            );
          } else {
            box.dataset.state = 'done';
            label.textContent = `Done: ${plural(e.results.length, 'run')} (${completed} completed) in ${took}.`;
            suiteText.textContent = `${e.results.length} of ${total} runs · ${took} elapsed · finished`;
            setStatus(`Done: ${plural(e.results.length, 'run')}, ${completed} completed`, 'done');
          }
          planned = [];
          break;
        }
      }
    },
  };
}
