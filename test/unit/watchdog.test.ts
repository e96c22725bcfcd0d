// The remote devices' per-run watchdog, on fake timers: armed by a run's start, re-armed by each sign of life, stood
// down by its end; a silent run is reported with its last phase and the reason reads as what happened.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SuiteEvent } from '../../src/client/suite.ts';
import { runWatchdog, stallMessage, type Stall } from '../../src/cli/watchdog.ts';
import { DEFAULT_WORKLOAD, type RunSpec } from '../../src/core/spec.ts';

const spec = (timeBudgetMs: number | null): RunSpec => ({
  id: 'r',
  suiteId: null,
  engine: 'ort',
  device: 'wasm',
  workload: { ...DEFAULT_WORKLOAD, timeBudgetMs },
  model: { id: 'm', source: 'bundled', url: '/m.onnx', dtype: 'fp32', task: 'image-classification' },
});
const start = (index: number, budget: number | null): SuiteEvent => ({ type: 'run-start', index, total: 3, spec: spec(budget) });

describe('runWatchdog', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());
  const settled = async (p: Promise<Stall>) => {
    let got: Stall | null = null;
    void p.then((s) => (got = s));
    await vi.advanceTimersByTimeAsync(0);
    return got as Stall | null;
  };

  it('fires after the time budget plus the margin of silence, naming the run and its last phase', async () => {
    const w = runWatchdog(3000);
    w.see(start(0, 1000));
    w.see({ type: 'run-progress', index: 0, total: 3, progress: { phase: 'fetch', loadedBytes: 10, totalBytes: 100 } });
    await vi.advanceTimersByTimeAsync(3999);
    expect(await settled(w.stalled)).toBeNull();
    // Progress re-arms it.
    w.see({ type: 'run-progress', index: 0, total: 3, progress: { phase: 'session' } });
    await vi.advanceTimersByTimeAsync(3999);
    expect(await settled(w.stalled)).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(w.stalled)).toEqual({ index: 0, silentMs: 4000, budgetMs: 1000, marginMs: 3000, phase: 'session' });
  });

  it('stands down at the end of a run, and a run without a budget gets the margin alone', async () => {
    const w = runWatchdog(3000);
    w.see(start(0, 1000));
    w.see({ type: 'run-end', index: 0, total: 3, result: {} as never, countMs: 0 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await settled(w.stalled)).toBeNull();
    w.see(start(1, null));
    await vi.advanceTimersByTimeAsync(3000);
    expect(await settled(w.stalled)).toMatchObject({ index: 1, silentMs: 3000, budgetMs: null, phase: null });
    w.stop();
  });

  it('ignores progress of another run', async () => {
    const w = runWatchdog(1000);
    w.see(start(2, 0));
    await vi.advanceTimersByTimeAsync(900);
    w.see({ type: 'run-progress', index: 1, total: 3, progress: { phase: 'session' } });
    await vi.advanceTimersByTimeAsync(100);
    expect(await settled(w.stalled)).toMatchObject({ index: 2 });
  });
});

it('stallMessage says how long, what was allowed, where and in which phase', () => {
  expect(stallMessage({ index: 0, silentMs: 13_000, budgetMs: 10_000, marginMs: 3000, phase: 'session' }, 'ws://phone:1/x ("phone")')).toBe(
    'no word from the run for 13 s (its time budget 10 s + the watchdog\'s 3 s) on ws://phone:1/x ("phone"), last in its session phase: left stalled, the app reopened and the suite went on (--watchdog MS sets the margin)',
  );
  expect(stallMessage({ index: 0, silentMs: 180_000, budgetMs: null, marginMs: 180_000, phase: null }, 'd')).toMatch(
    /^no word from the run for 180 s \(the watchdog's 180 s\) on d, before its first progress:/,
  );
});
