/** One WASM roofline thread: a nested worker that runs the kernels on its slice of the shared memory. */
import { instantiateRoofline, type RooflineExports } from './wasm-kernels.ts';

/** The contract between the roofline worker and each of its threads (comlink, both sides import it). */
export interface RooflineThreadApi {
  /** Instantiate the (already compiled) module on the shared memory; replaces any earlier instance. */
  attach(module: WebAssembly.Module, memory: WebAssembly.Memory): void;
  /** `read_sum` over [start, end): the wrapping u32 sum, which the caller checks. */
  readSum(start: number, end: number): number;
  /** `matmul` over a band of rows; pointers are byte offsets into the shared memory. */
  matmul(a: number, b: number, c: number, rows: number): void;
  /** Drop the instance so the memory can be collected once every thread has let go. */
  detach(): void;
}

export function createRooflineThread(): RooflineThreadApi {
  let kernels: RooflineExports | null = null;
  const attached = (): RooflineExports => {
    if (!kernels) throw new Error('roofline thread: attach() a module and memory first');
    return kernels;
  };
  return {
    attach(module, memory) {
      kernels = instantiateRoofline(module, memory);
    },
    readSum: (start, end) => attached().read_sum(start, end),
    matmul: (a, b, c, rows) => attached().matmul(a, b, c, rows),
    detach() {
      kernels = null;
    },
  };
}
