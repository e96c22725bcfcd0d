/**
 * The worker side of src/client/wasm-modules.ts: when the page hands over onnxruntime's compiled wasm, the
 * emscripten glue's `WebAssembly.instantiateStreaming(fetch(url))` instantiates that module instead of fetching
 * and compiling the file again. Only the URL it was compiled from is answered this way.
 *
 * And with a `threadsLock`, each onnxruntime thread worker (emscripten's `em-pthread`) this worker starts holds that
 * Web Lock (shared) for as long as it lives, so the page can tell when a terminated run's thread workers are really
 * gone (src/client/thread-workers.ts): they idle in `Atomics.wait`, where Chromium ends them only 2 s after
 * `terminate()`, holding their share of the wasm memory until then.
 */
let installed = false;
let used = false;
let marked = false;

/** Whether onnxruntime's wasm in this worker was the page's module (true) or compiled here. */
export const compiledWasmUsed = (): boolean => used;

export function useCompiledWasm(module: WebAssembly.Module, url: string, threadsLock?: string): void {
  if (threadsLock) markThreadWorkers(threadsLock);
  if (installed) return;
  installed = true;
  const original = WebAssembly.instantiateStreaming.bind(WebAssembly);
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const response = await source;
    if (response.url !== url) return original(response, imports);
    // NOTE: the body is not read; cancelling it frees the connection.
    void response.body?.cancel().catch(() => undefined);
    used = true;
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };
}

/** The module a thread worker runs instead of the glue itself: take the lock, then the glue (it sees its own name). */
const lockingModule = (lock: string, glue: string): string =>
  `import ${JSON.stringify(glue)};\nnavigator.locks.request(${JSON.stringify(lock)}, { mode: 'shared' }, () => new Promise(() => undefined));\n`;

function markThreadWorkers(lock: string): void {
  const Native = globalThis.Worker;
  if (marked || typeof Native !== 'function' || typeof navigator.locks?.request !== 'function') return;
  marked = true;
  globalThis.Worker = class extends Native {
    constructor(url: string | URL, options?: WorkerOptions) {
      const thread = options?.type === 'module' && options.name?.startsWith('em-pthread');
      // The glue's messages wait for the module graph (its own import included) to evaluate: none is lost.
      super(thread ? URL.createObjectURL(new Blob([lockingModule(lock, String(url))], { type: 'text/javascript' })) : url, options);
    }
  };
}
