/** Worker entry: one run per worker, behind the comlink contract in src/core/contract.ts. */
import { expose } from 'comlink';
import { holdLifeline } from '../src/client/worker-lifecycle.ts';
import { wasmHeapBytes } from '../src/engines/memory-probes.ts';
import { createRuntime } from '../src/engines/runtime.ts';

// First: the page learns of this worker's death, and its heap at the time, through the lifeline it sends.
const beat = holdLifeline(() => wasmHeapBytes().bytes);
expose(createRuntime(beat));
