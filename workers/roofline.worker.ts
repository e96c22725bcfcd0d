/** Worker entry: one device-roofline measurement per worker, behind the comlink contract in src/roofline/measure.ts. */
import { expose } from 'comlink';
import { holdLifeline } from '../src/client/worker-lifecycle.ts';
import { createRooflineRuntime } from '../src/roofline/measure.ts';

// The page learns of this worker's death through the lifeline it sends (src/client/worker-lifecycle.ts).
holdLifeline();

// WASM threads are nested workers (Chromium allows a dedicated worker to start workers; the page is cross-origin
// isolated, so they share the WebAssembly.Memory). The URL is written here, where the bundler can see it.
expose(createRooflineRuntime(() => new Worker(new URL('./roofline-thread.worker.ts', import.meta.url), { type: 'module', name: 'ondevice-roofline-thread' })));
