/** The environment fingerprint recorded with every run. */
import { VERSIONS } from './build-info.ts';
import type { Capabilities } from './capabilities.ts';
import type { Env } from './schema.ts';
import type { ThreadChoice } from './threads.ts';

/** The build field is filled by the engine's load, the compile fields once the run has loaded onnxruntime (src/engines/runtime.ts). */
export function envFrom(caps: Capabilities, numThreads: number | null, threads: ThreadChoice | null = null): Env {
  return {
    userAgent: caps.userAgent,
    hardwareConcurrency: caps.hardwareConcurrency,
    deviceMemory: caps.deviceMemory,
    crossOriginIsolated: caps.crossOriginIsolated,
    numThreads,
    webgpu: caps.webgpu,
    versions: { ...VERSIONS },
    ortBuild: null,
    wasmCompiledBy: null,
    wasmCompileMs: null,
    threads,
    roofline: null,
    wllama: null,
  };
}
