/**
 * Progress on stderr while the suite runs: bars for the CLI's own browser, a line per finished run for remote
 * devices.
 */
import { basename } from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import type { SuiteEvent } from '../client/suite.ts';
import { formatBytes, formatMs, formatRate } from '../text/format.ts';
import type { Endpoint } from './remote.ts';
import { modelName } from './bench-tables.ts';

export function progressReporter(enabled: boolean): { onEvent: (e: SuiteEvent) => void; stop: () => void } {
  if (!enabled) return { onEvent: () => undefined, stop: () => undefined };
  const bars = new MultiBar(
    // The bars are gone once the suite ends: the tables follow.
    { format: ' {bar} {value}/{total} {label}', hideCursor: true, clearOnComplete: true, stream: process.stderr },
    Presets.shades_classic,
  );
  const suite = bars.create(1, 0, { label: 'runs' });
  const run = bars.create(1, 0, { label: '' });
  let current = '';
  let noun = 'runs';
  return {
    onEvent(e) {
      switch (e.type) {
        case 'prepare':
          run.setTotal(e.total);
          run.update(e.done, { label: e.message });
          break;
        case 'suite-start':
          noun = e.total === 1 ? 'run' : 'runs';
          suite.setTotal(e.total);
          suite.update(0, { label: noun });
          break;
        case 'run-start':
          current = `${basename(e.spec.model.id)} ${e.spec.model.dtype} ${e.spec.device}`;
          run.update(0, { label: `${current}: starting` });
          break;
        case 'run-progress': {
          const p = e.progress;
          if (p.phase === 'fetch') {
            run.setTotal(p.totalBytes ?? Math.max(p.loadedBytes, 1));
            run.update(p.loadedBytes, { label: `${current}: download ${formatBytes(p.loadedBytes)}` });
          } else if (p.phase === 'download') {
            run.setTotal(p.totalBytes ?? Math.max(p.loadedBytes, 1));
            run.update(p.loadedBytes, { label: `${current}: ${basename(p.file)} ${formatBytes(p.loadedBytes)}` });
          } else if (p.phase === 'session') run.update(0, { label: `${current}: creating session` });
          else if (p.phase === 'build') {
            run.setTotal(Math.max(p.totalBytes, 1));
            run.update(p.writtenBytes, { label: `${current}: building replica ${formatBytes(p.writtenBytes)}` });
          } else if (p.phase === 'generate') {
            run.setTotal(p.total);
            run.update(p.done, { label: `${current}: generating${p.context ? ` at ${p.context} tokens` : ''}` });
          }
          // Adaptive warm-up has no run count to reach: the bar fills with its time against the cap.
          else if (p.phase === 'warmup' && p.total === null) {
            run.setTotal(Math.max(1, Math.round(p.capMs ?? 1)));
            run.update(Math.round(p.elapsedMs ?? 0), { label: `${current}: warm-up ${p.done} (until steady)` });
          } else if (p.phase === 'profile') run.update(0, { label: `${current}: profiling one more iteration` });
          else {
            run.setTotal(p.total ?? p.done);
            run.update(p.done, { label: `${current}: ${p.phase}` });
          }
          break;
        }
        case 'run-end':
          suite.update(e.index + 1, { label: `${noun} (last: ${current} ${e.result.state})` });
          break;
        case 'suite-end':
          break;
      }
    },
    stop: () => bars.stop(),
  };
}

/** Progress of several devices at once: a line per finished run, prefixed by the device (bars would interleave). */
export function devicesProgress(enabled: boolean): (e: Endpoint, event: SuiteEvent) => void {
  if (!enabled) return () => undefined;
  return (endpoint, e) => {
    if (e.type !== 'run-end') return;
    const r = e.result;
    const figure =
      r.generation?.decodeTokPerS != null
        ? ` ${formatRate(r.generation.decodeTokPerS)} tok/s`
        : r.timings.latency
          ? ` p50 ${formatMs(r.timings.latency.p50Ms)}`
          : '';
    process.stderr.write(`${endpoint.label}: ${e.index + 1}/${e.total} ${modelName(r)} ${r.model.dtype} ${r.device} ${r.engine}: ${r.state}${figure}\n`);
  };
}
