/**
 * A terminated run's onnxruntime thread workers are not gone at once: they idle in `Atomics.wait`, where Chromium
 * ends a worker only 2 s after `terminate()` (its forcible-termination delay), and each holds the run's wasm memory,
 * its own JS heap and instance until then. Runs shorter than that pile them up: with 2 threads, 3–10 such threads
 * were alive at a run's end in a suite of sub-second runs, hundreds of MiB (bench/leak.ts). So each of them holds a
 * Web Lock (src/engines/wasm-handoff.ts), and before a run's worker starts the page waits until no thread worker of an
 * earlier run holds it: every run starts in a renderer its predecessors have left, and its memory figures are its own.
 */

/** This page's lock: one name per page, so another tab's runs do not hold this one's up. */
export const THREADS_LOCK = `ondevice-wasm-threads-${Math.random().toString(36).slice(2)}`;

/** Longer than Chromium's 2 s: a browser that never ends them costs this much per run, not a hang. */
export const THREADS_GONE_DEADLINE_MS = 3000;

/**
 * Resolves once no thread worker of an earlier run is alive (at once when none is), or after `deadlineMs`;
 * true when they are gone, false on the deadline. Where Web Locks are missing (an insecure context) it does not wait.
 */
export async function threadWorkersGone(deadlineMs = THREADS_GONE_DEADLINE_MS): Promise<boolean> {
  if (typeof navigator === 'undefined' || typeof navigator.locks?.request !== 'function') return true;
  if (!awaitThreadWorkers()) return true;
  const signal = AbortSignal.timeout(deadlineMs);
  return navigator.locks.request(THREADS_LOCK, { signal }, () => true).catch(() => false);
}

/**
 * The wait makes every run after a threaded one start ~2 s after it, whatever its length (gaps 2.05–2.08 s with
 * 2 threads, 0.4–1.0 s with 1; terminating the thread workers from their parent takes the same 2 s). The browser
 * tests, which run hundreds of short runs
 * and measure no memory but in memory.test.ts, turn it off for their page (localStorage, so it outlives reloads):
 * `localStorage.setItem(AWAIT_THREAD_WORKERS_KEY, 'off')`. Everything else waits.
 */
export const AWAIT_THREAD_WORKERS_KEY = 'ondevice.awaitThreadWorkers';

function awaitThreadWorkers(): boolean {
  try {
    return globalThis.localStorage?.getItem(AWAIT_THREAD_WORKERS_KEY) !== 'off';
  } catch {
    return true;
  }
}
