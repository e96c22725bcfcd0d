/**
 * onnxruntime-web's wasm files as URLs the app serves (never a CDN), one pair per build, and the one setup of its
 * wasm env that both engines use (the ORT engine on onnxruntime-web's env, transformers.js on the one it exposes). The plain build is
 * CPU-only (no WebGPU, no asyncify instrumentation: 14 MB against 27 MB) and is what WASM runs use; WebGPU runs
 * need the asyncify build, which is also the one transformers.js's bundle is written against. The jsep build is
 * the default bundle's (`onnxruntime-web`), loaded only when a workload asks for it, to measure against.
 */
import plainMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import plainWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import asyncifyMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import asyncifyWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import jsepMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import jsepWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import type { OrtBuild } from '../core/vocab.ts';

export const ORT_WASM_PATHS: Readonly<Record<OrtBuild, { mjs: string; wasm: string }>> = Object.freeze({
  plain: Object.freeze({ mjs: plainMjsUrl, wasm: plainWasmUrl }),
  asyncify: Object.freeze({ mjs: asyncifyMjsUrl, wasm: asyncifyWasmUrl }),
  jsep: Object.freeze({ mjs: jsepMjsUrl, wasm: jsepWasmUrl }),
});

/** The wasm flags of onnxruntime-web's `env` (its own, or the one transformers.js exposes as `env.backends.onnx`). */
export interface OrtWasmFlags {
  wasmPaths?: unknown;
  numThreads?: number;
  proxy?: boolean;
}

/** Point onnxruntime-web at the app's files for `build`, on `threads` threads, without its proxy worker (we are already in a worker: it would only add a hop). */
export function setUpOrtWasm(wasm: OrtWasmFlags, build: OrtBuild, threads: number): void {
  wasm.wasmPaths = { ...ORT_WASM_PATHS[build] };
  wasm.numThreads = threads;
  wasm.proxy = false;
}
