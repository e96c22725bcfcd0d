// The page's per-run watchdog rule (src/core/watchdog.ts): the limit is the time budget plus the margin, a bad setting
// never disarms it, and the reason names the phase, the limit and how it is made up.
import { describe, expect, it } from 'vitest';
import { marginFromSetting, PAGE_WATCHDOG_MARGIN_MS, pageStallMessage, silenceLimitMs } from '../../src/core/watchdog.ts';

describe('the page watchdog rule', () => {
  it('allows the time budget plus the margin of silence, and the margin alone without a budget', () => {
    expect(silenceLimitMs(20_000, 5_000)).toBe(25_000);
    expect(silenceLimitMs(null, 5_000)).toBe(5_000);
    expect(silenceLimitMs(undefined, PAGE_WATCHDOG_MARGIN_MS)).toBe(600_000);
  });
  it('takes a whole number of ms from the setting; anything else (empty, zero, negative, text, a fraction) keeps the default', () => {
    expect(marginFromSetting('2500')).toBe(2500);
    expect(marginFromSetting(' 90000 ')).toBe(90_000);
    for (const bad of [null, undefined, '', '0', '-5', 'off', '1.5', '1e3', '99999999999999999999'])
      expect(marginFromSetting(bad)).toBe(PAGE_WATCHDOG_MARGIN_MS);
  });
  it('says the phase, the limit and its parts, and the heap last seen', () => {
    expect(pageStallMessage({ phase: 'session', budgetMs: 20_000, marginMs: 5_000, heapBytes: 34 * 2 ** 20 })).toBe(
      "The run's worker sent no progress for 25 s (its time budget 20 s + the watchdog's 5 s) in its session phase; its WASM heap last seen at 34.0 MiB: it was taken as hung and terminated, and the suite went on (localStorage ondevice.watchdogMarginMs or the CLI's --watchdog MS sets the margin).",
    );
    expect(pageStallMessage({ phase: null, budgetMs: null, marginMs: 600_000, heapBytes: null })).toBe(
      "The run's worker sent no progress for 600 s (the watchdog's margin, no time budget) before its first progress: it was taken as hung and terminated, and the suite went on (localStorage ondevice.watchdogMarginMs or the CLI's --watchdog MS sets the margin).",
    );
  });
});
