/**
 * `performance.measureUserAgentSpecificMemory()`: the browser's own count of the memory this page and its
 * workers use (JS heaps, WebAssembly memories, DOM), which only a cross-origin isolated page may ask for.
 * Chromium answers at its next garbage collection — up to tens of seconds later — unless launched with
 * `--enable-blink-features=ForceEagerMeasureMemory` (the CLI does): so a measurement has a deadline, and a
 * late one is null with that reason instead of holding up the suite.
 */
export const UA_MEMORY_DEADLINE_MS = 2000;

interface UaMemoryResult {
  bytes: number;
  breakdown: { bytes: number; types: string[]; attribution: { scope: string }[] }[];
}

export type UaMemory = { bytes: number; reason: null } | { bytes: null; reason: string };

/**
 * Measured on these machines: with onnxruntime's WASM threads alive (its pthread workers wait in
 * `Atomics.wait`), Chromium never answers — 30 s and counting — so a run with more than one thread is not
 * measured at all; with one thread it answers in ≈30–70 ms, but only in a page that has never had a thread
 * worker: once one has lived, Chromium 156 does not answer again, even when (2 s after their run's terminate,
 * src/client/thread-workers.ts) no worker of that run is left. So in practice it needs a page that has run
 * single-threaded only.
 */
let threadedWorkerSeen = false;

/** A worker with WASM threads has lived in this page (a threaded run, the thread calibration): Chromium will not answer. */
export function noteThreadedWorker(): void {
  threadedWorkerSeen = true;
}

export async function measureUaMemory(wasmThreads: number, deadlineMs = UA_MEMORY_DEADLINE_MS): Promise<UaMemory> {
  if (wasmThreads > 1) threadedWorkerSeen = true;
  else if (threadedWorkerSeen) {
    // Asking would only wait out the deadline (2 s a run) for the same null.
    return {
      bytes: null,
      reason:
        'not measured: a WASM thread worker has lived in this page (an earlier threaded run or the thread calibration), and Chromium then never answers measureUserAgentSpecificMemory(); run single-threaded in a fresh page (CLI: --threads 1) to get it',
    };
  }
  if (wasmThreads > 1) {
    return {
      bytes: null,
      reason: `not measured: with ${wasmThreads} WASM threads Chromium never answers measureUserAgentSpecificMemory() (onnxruntime's thread workers wait in Atomics.wait); run with 1 thread (CLI: --threads 1) to get it`,
    };
  }
  const perf = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<UaMemoryResult> };
  if (typeof perf.measureUserAgentSpecificMemory !== 'function') {
    return { bytes: null, reason: 'performance.measureUserAgentSpecificMemory() is not available in this browser' };
  }
  if (!globalThis.crossOriginIsolated) {
    return { bytes: null, reason: 'the page is not cross-origin isolated, which measureUserAgentSpecificMemory() needs' };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<UaMemory>((ok) => {
    timer = setTimeout(
      () =>
        ok({
          bytes: null,
          reason: `measureUserAgentSpecificMemory() did not answer within ${deadlineMs} ms (the browser measures at its next garbage collection, and never while a WASM thread worker — even one left behind by an earlier threaded run in this page — is alive)`,
        }),
      deadlineMs,
    );
  });
  try {
    const measured = perf.measureUserAgentSpecificMemory().then(
      (r): UaMemory => ({ bytes: r.bytes, reason: null }),
      (err: unknown): UaMemory => ({ bytes: null, reason: `measureUserAgentSpecificMemory() failed: ${String(err)}` }),
    );
    return await Promise.race([measured, late]);
  } finally {
    clearTimeout(timer);
  }
}
