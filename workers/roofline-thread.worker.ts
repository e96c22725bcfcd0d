/** Worker entry: one WASM roofline thread, started by the roofline worker (nested workers share its memory). */
import { expose } from 'comlink';
import { createRooflineThread } from '../src/roofline/wasm-thread.ts';

expose(createRooflineThread());
