/**
 * The worker side of src/client/wasm-modules.ts: when the page hands over onnxruntime's compiled wasm, the
 * emscripten glue's `WebAssembly.instantiateStreaming(fetch(url))` instantiates that module instead of fetching
 * and compiling the file again. Only the URL it was compiled from is answered this way.
 */
let installed = false;
let used = false;

/** Whether onnxruntime's wasm in this worker was the page's module (true) or compiled here. */
export const compiledWasmUsed = (): boolean => used;

export function useCompiledWasm(module: WebAssembly.Module, url: string): void {
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
