/** The one typed boundary between page and worker: the client wraps it with comlink, the worker exposes it. */
import type { Capabilities } from './capabilities.ts';
import type { RunResult } from './schema.ts';
import type { Progress, RunSpec } from './spec.ts';

export interface RunnerApi {
  /** What this device offers (WebGPU adapter, WASM SIMD/threads, isolation), probed inside the worker. */
  capabilities(): Promise<Capabilities>;
  /**
   * Load, warm up, measure and dispose, in that order; always resolves to a result (a failure is a result
   * with a reason). Timing happens here, inside the worker. The worker is terminated afterwards.
   */
  execute(spec: RunSpec, onProgress: (p: Progress) => void): Promise<RunResult>;
  /**
   * A bare `session.run` loop on the same model and inputs, with no harness around it: the reference the
   * runner's own overhead is measured against (bench/runner-overhead.ts).
   */
  bareLoop(spec: RunSpec, iterations: number): Promise<number[]>;
}
