/** Worker entry: one run per worker, behind the comlink contract in src/core/contract.ts. */
import { expose } from 'comlink';
import { createRuntime } from '../src/engines/runtime.ts';

expose(createRuntime());
