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
}

/**
 * Wrap a freshly spawned module worker. The caller constructs it (`new Worker(new URL('…', import.meta.url), …)`
 * where Vite can see the URL); `label` names it in the error a crash turns into ("The run's worker failed: …").
 */
export function wrapWorker<Api>(worker: Worker, label: string): WrappedWorker<Api> {
  const api = wrap<Api>(worker);
  let fail: (err: Error) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => {
    fail = reject;
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
      api[releaseProxy]();
      worker.terminate();
    },
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
