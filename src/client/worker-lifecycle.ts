/**
 * A module worker behind comlink, from spawn to terminate: wrap it, race each call against the worker's death (a
 * script error, a crash), release the proxy and terminate it. The run client and the roofline client share this.
 */
import { releaseProxy, wrap, type Remote } from 'comlink';

export interface WrappedWorker<Api> {
  api: Remote<Api>;
  /** Rejects when the worker dies (script error, crash) or `fail` is called; never resolves. */
  failure: Promise<never>;
  /** Give up on the worker with `err` (an abort's deadline, say): `failure` rejects with it. */
  fail(err: Error): void;
  /** Release the comlink proxy and terminate the worker (its nested workers and its memory go with it). */
  close(): void;
  /** The worker's WASM heap as it last reported it over the lifeline (null before any report): the heap at its death. */
  lastHeapBytes(): number | null;
}

/**
 * The lifeline: a MessagePort the page hands each worker (as a message whose data is null, which comlink ignores),
 * and a Web Lock the worker holds for as long as it lives (`holdLifeline`). A worker that dies without an error
 * event (it closed itself, the browser ended it for memory, its thread crashed) releases the lock, and the page,
 * waiting for that lock, learns of the death: without it a call into a dead worker would wait forever. (A
 * MessagePort's `close` event would say the same, but Chromium does not fire it when a worker ends.) The port also
 * carries the worker's WASM heap size every LIFELINE_HEAP_MS, so a death can say how big the heap had grown.
 */
const LIFELINE_HEAP_MS = 200;

type LifelineMessage = { lock: string } | { held: true } | { heapBytes: number | null };

/**
 * The worker's half (call it first thing in a worker entry that the page wraps with wrapWorker). Returns `beat`,
 * which sends the heap's size now if it changed: the interval only runs when the worker yields to its event loop,
 * and a run's busy loops (session.run after session.run) do not, so the runtime beats with each progress report.
 */
export function holdLifeline(heapBytes: () => number | null = () => null): () => void {
  let port: MessagePort | null = null;
  let last: number | null = null;
  const beat = () => {
    const bytes = heapBytes();
    if (port && bytes !== last) port.postMessage({ heapBytes: (last = bytes) } satisfies LifelineMessage);
  };
  const onMessage = (e: MessageEvent) => {
    const p = e.data === null ? e.ports[0] : undefined;
    if (!p) return;
    port = p;
    self.removeEventListener('message', onMessage);
    p.onmessage = (m: MessageEvent<LifelineMessage>) => {
      if (!('lock' in m.data) || typeof navigator.locks === 'undefined') return;
      // Held until this worker ends: the request's callback never settles.
      void navigator.locks.request(m.data.lock, () => {
        p.postMessage({ held: true } satisfies LifelineMessage);
        return new Promise<never>(() => undefined);
      });
    };
    setInterval(beat, LIFELINE_HEAP_MS);
  };
  self.addEventListener('message', onMessage);
  return beat;
}

/**
 * Wrap a freshly spawned module worker. The caller constructs it (`new Worker(new URL('…', import.meta.url), …)`
 * where Vite can see the URL); `label` names it in the error a crash turns into ("The run's worker failed: …").
 */
export function wrapWorker<Api>(worker: Worker, label: string): WrappedWorker<Api> {
  const api = wrap<Api>(worker);
  const lifeline = new MessageChannel();
  worker.postMessage(null, [lifeline.port2]);
  const lock = `ondevice-worker-${crypto.randomUUID()}`;
  const released = new AbortController();
  let heapBytes: number | null = null;
  let fail: (err: Error) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => {
    fail = reject;
    const died = () =>
      reject(
        Object.assign(new Error(`${label} died: it ended without an error (closed itself, or the browser ended it: out of memory or a crash)`), {
          name: 'WorkerError',
        }),
      );
    lifeline.port1.onmessage = (e: MessageEvent<LifelineMessage>) => {
      if ('heapBytes' in e.data) heapBytes = e.data.heapBytes;
      // The worker holds its lock: ours is granted when the worker is gone (close() withdraws the request first).
      else if ('held' in e.data) navigator.locks?.request(lock, { signal: released.signal }, died).catch(() => undefined);
    };
    lifeline.port1.postMessage({ lock } satisfies LifelineMessage);
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      reject(Object.assign(new Error(`${label} failed: ${e.message || 'it crashed or its script did not load'}`), { name: 'WorkerError' }));
    });
  });
  failure.catch(() => undefined);
  return {
    api,
    failure,
    fail,
    close() {
      released.abort();
      lifeline.port1.onmessage = null;
      lifeline.port1.close();
      api[releaseProxy]();
      worker.terminate();
    },
    lastHeapBytes: () => heapBytes,
  };
}

/** Run one task on a fresh worker and terminate it afterwards, whatever happens; rejects if the worker dies first. */
export async function withWorker<Api, T>(worker: Worker, label: string, task: (api: Remote<Api>) => Promise<T>): Promise<T> {
  const w = wrapWorker<Api>(worker, label);
  try {
    return await Promise.race([task(w.api), w.failure]);
  } finally {
    w.close();
  }
}
