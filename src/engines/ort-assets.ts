/**
 * onnxruntime-web's wasm files as URLs the app serves (never a CDN). Both engines point ORT at these: the webgpu
 * entry uses the asyncify build, the same one transformers.js loads, so the app ships one wasm.
 */
import wasmMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';

export const ORT_WASM_PATHS = Object.freeze({ mjs: wasmMjsUrl, wasm: wasmUrl });
