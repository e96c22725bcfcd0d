/**
 * The page's per-run watchdog rule (src/client/runner-client.ts applies it): a run's worker that sends no progress
 * for its time budget plus a margin is taken as hung — a wasm call that never returns, a worker that never answers —
 * and is terminated; its run is logged `aborted` (StalledError) with its last phase and the limit, and the suite goes
 * on. Every progress report re-arms it, so the limit bounds one silent step (a session creation, one iteration, one
 * prefill), not a whole run; the time budget is added because a budgeted phase may report only at its end.
 */

/**
 * The margin when nothing sets one: 10 minutes of silence. The longest silent step of a sound run in the catalog is
 * a full-size language model's prefill or session creation on wasm (Phi-3.5-mini's 128-token prefill takes minutes
 * there, README "Claims"); a hung run costing 10 minutes still lets an unattended suite finish. Remote runs have the
 * CLI's own watchdog (--watchdog, default 180 s) in front of this one.
 */
export const PAGE_WATCHDOG_MARGIN_MS = 600_000;

/** The page's localStorage key that sets the margin in ms (the CLI's --watchdog sets it; tests shorten it). */
export const WATCHDOG_MARGIN_KEY = 'ondevice.watchdogMarginMs';

/** How long a run may go without progress: its time budget (none: 0) plus the margin. */
export const silenceLimitMs = (timeBudgetMs: number | null | undefined, marginMs: number): number => (timeBudgetMs ?? 0) + marginMs;

/** The margin a stored setting asks for: a whole number of ms ≥ 1, else the default (a bad value never disarms it). */
export function marginFromSetting(value: string | null | undefined): number {
  if (value == null || !/^\d+$/.test(value.trim())) return PAGE_WATCHDOG_MARGIN_MS;
  const ms = Number(value.trim());
  return ms >= 1 && Number.isSafeInteger(ms) ? ms : PAGE_WATCHDOG_MARGIN_MS;
}

export interface PageStall {
  /** The run's last reported phase ("session", "measure", …), or null when it reported none. */
  phase: string | null;
  budgetMs: number | null;
  marginMs: number;
  /** The WASM heap the worker last reported, or null. */
  heapBytes: number | null;
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/** The reason a run the page's watchdog ended is logged with: the phase, the limit and how it is made up. */
export function pageStallMessage(s: PageStall): string {
  const limit = silenceLimitMs(s.budgetMs, s.marginMs);
  const parts = s.budgetMs ? `its time budget ${seconds(s.budgetMs)} + the watchdog's ${seconds(s.marginMs)}` : `the watchdog's margin, no time budget`;
  const where = s.phase ? `in its ${s.phase} phase` : 'before its first progress';
  const heap = s.heapBytes === null ? '' : `; its WASM heap last seen at ${(s.heapBytes / 2 ** 20).toFixed(1)} MiB`;
  return `The run's worker sent no progress for ${seconds(limit)} (${parts}) ${where}${heap}: it was taken as hung and terminated, and the suite went on (localStorage ${WATCHDOG_MARGIN_KEY} or the CLI's --watchdog MS sets the margin).`;
}
