/**
 * onnxruntime's wasm, compiled once per page and handed to every run's worker. A fresh worker would otherwise
 * compile 14–27 MB of wasm with V8's baseline compiler and tier its hot functions up again while the model runs;
 * a WebAssembly.Module posted to a worker shares its compiled (and tiered-up) code with the page's copy.
 */
import { ORT_WASM_PATHS } from '../engines/ort-assets.ts';
import type { OrtBuild } from '../core/vocab.ts';

/** The absolute URL of a build's wasm (what the worker's fetch will ask for). */
export const ortWasmUrl = (build: OrtBuild): string => new URL(ORT_WASM_PATHS[build].wasm, location.href).href;

const compiled = new Map<string, Promise<{ module: WebAssembly.Module; compileMs: number } | null>>();

/**
 * The compiled module of a build, and how long the page took to fetch and compile it
 * (once per page: no run's load time includes it); null where it cannot be compiled here (the worker then compiles its own).
 */
export function compiledOrtWasm(build: OrtBuild): Promise<{ module: WebAssembly.Module; compileMs: number } | null> {
  const url = ortWasmUrl(build);
  let entry = compiled.get(url);
  if (!entry) {
    const t0 = performance.now();
    entry = WebAssembly.compileStreaming(fetch(url, { credentials: 'same-origin' })).then(
      (module) => ({ module, compileMs: performance.now() - t0 }),
      () => null,
    );
    compiled.set(url, entry);
  }
  return entry;
}
