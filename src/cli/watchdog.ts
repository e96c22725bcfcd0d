/**
 * The per-run watchdog of a remote device: a run that sends no word (no start, progress or end) for its time budget
 * plus a margin is taken as stalled — a browser that hangs without disconnecting, a worker stuck in a fetch or a
 * kernel — so that the device can log it `aborted` with the reason and go on with the next run.
 */
import type { SuiteEvent } from '../client/suite.ts';
import type { RunSpec } from '../core/spec.ts';

/** The default margin over a run's time budget: loads, session creation and first runs send nothing for a while. */
export const WATCHDOG_MARGIN_MS = 180_000;

/** What the watchdog knew of a run when it gave up on it. */
export interface Stall {
  index: number;
  silentMs: number;
  budgetMs: number | null;
  marginMs: number;
  /** The run's last phase ("fetch", "session", …), or null when it sent no progress at all. */
  phase: string | null;
}

export interface Watchdog {
  /** Feed it the suite's events; it arms at a run's start, re-arms at each sign of life and stands down at its end. */
  see(e: SuiteEvent): void;
  /** Resolves with the run that went silent; never, if none does. */
  stalled: Promise<Stall>;
  stop(): void;
}

/** How long a run may go without a word: its time budget (none: 0) plus the margin. */
export const silenceAllowedMs = (spec: RunSpec, marginMs: number): number => (spec.workload.timeBudgetMs ?? 0) + marginMs;

export function runWatchdog(marginMs: number): Watchdog {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let fire: (s: Stall) => void = () => undefined;
  const stalled = new Promise<Stall>((resolve) => (fire = resolve));
  let current: { index: number; spec: RunSpec; phase: string | null } | null = null;
  const disarm = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const arm = () => {
    disarm();
    const run = current!;
    const allowed = silenceAllowedMs(run.spec, marginMs);
    timer = setTimeout(
      () => fire({ index: run.index, silentMs: allowed, budgetMs: run.spec.workload.timeBudgetMs ?? null, marginMs, phase: run.phase }),
      allowed,
    );
  };
  return {
    stalled,
    stop: disarm,
    see(e) {
      if (e.type === 'run-start') {
        current = { index: e.index, spec: e.spec, phase: null };
        arm();
      } else if ((e.type === 'run-progress' || e.type === 'run-measured') && current?.index === e.index) {
        if (e.type === 'run-progress') current.phase = e.progress.phase;
        else current.phase = 'counting';
        arm();
      } else if (e.type === 'run-end' || e.type === 'suite-end') {
        current = null;
        disarm();
      }
    },
  };
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/** The reason a stalled run is logged with. */
export function stallMessage(s: Stall, device: string): string {
  const allowed = s.budgetMs ? `its time budget ${seconds(s.budgetMs)} + the watchdog's ${seconds(s.marginMs)}` : `the watchdog's ${seconds(s.marginMs)}`;
  return `no word from the run for ${seconds(s.silentMs)} (${allowed}) on ${device}${s.phase ? `, last in its ${s.phase} phase` : ', before its first progress'}: left stalled, the app reopened and the suite went on (--watchdog MS sets the margin)`;
}
