/** The environment part of the result record (`env`): where and with what setup a run was made. Part of schema.ts's `ondevice.run/1`. */
import { z } from './zod.ts';
import { ORT_BUILDS } from './vocab.ts';

const bytes = z.number().int().nonnegative();

export const EnvSchema = z.object({
  userAgent: z.string(),
  hardwareConcurrency: z.number().int().nullable(),
  deviceMemory: z.number().nullable(),
  crossOriginIsolated: z.boolean(),
  numThreads: z.number().int().nullable(),
  webgpu: z
    .object({
      vendor: z.string(),
      architecture: z.string(),
      description: z.string(),
      shaderF16: z.boolean(),
      maxBufferSize: z.number(),
      maxStorageBufferBindingSize: z.number(),
    })
    .nullable(),
  /** Package versions baked into the build (`wllama`: @wllama/wllama; records from before it was recorded say 'unknown'). */
  versions: z.object({ ondevice: z.string(), onnxruntimeWeb: z.string(), transformers: z.string(), wllama: z.string().default('unknown') }),
  /** The onnxruntime-web wasm build the run loaded (null: none, or a record from before builds were recorded). */
  ortBuild: z.enum(ORT_BUILDS).nullable().default(null),
  /** Who compiled that wasm: the page, once, handing the module to the run's worker; or the worker itself. */
  wasmCompiledBy: z.enum(['page', 'worker']).nullable().default(null),
  /** The page's fetch and compile of that wasm (once per page, in no run's load time); null when the worker compiled it. */
  wasmCompileMs: z.number().nonnegative().nullable().default(null),
  /**
   * The WASM thread count asked for (a number, `auto`, `sweep`), the one used (null: the run never started), onnxruntime-web's
   * own default here, why, and for `auto` the calibration behind it (src/core/threads.ts). Older records lack it.
   */
  threads: z
    .object({
      requested: z.union([z.literal('auto'), z.literal('sweep'), z.number().int().positive()]),
      chosen: z.number().int().positive().nullable(),
      ortDefault: z.number().int().positive(),
      reason: z.string(),
      calibration: z
        .object({
          reference: z.string(),
          timings: z.array(z.object({ threads: z.number().int().positive(), p50Ms: z.number().nonnegative(), n: z.number().int().nonnegative() })),
          measuredAt: z.string(),
          elapsedMs: z.number().nonnegative(),
          cached: z.boolean(),
        })
        .nullable(),
    })
    .nullable()
    .default(null),
  /**
   * How a wllama run set llama.cpp up, as llama.cpp reported it after loading (null: not a wllama run, or an older
   * record): its build, whether its pthreads ran, the thread count, context, the prompt batch (`nBatch`, logical) and
   * micro-batch (`nUbatch`, what one graph evaluates), flash attention as asked ('auto': llama.cpp decides), and
   * whether each step computed the top token's probability over the vocabulary (true: ondevice reads the ids from it).
   */
  wllama: z
    .object({
      llamaCpp: z.string(),
      multiThread: z.boolean(),
      threads: z.number().int().positive(),
      nCtx: z.number().int().positive(),
      nBatch: z.number().int().positive(),
      nUbatch: z.number().int().positive(),
      flashAttn: z.enum(['auto', 'on', 'off']),
      tokenProbs: z.boolean(),
    })
    .nullable()
    .default(null),
  /** The device roofline of this run's backend (measured once per device and cached), when the suite asked for it. */
  roofline: z
    .object({
      device: z.enum(['wasm', 'webgpu']),
      bandwidthGBps: z.number().positive(),
      bandwidthBufferBytes: bytes,
      gflops: z.number().positive(),
      matmulSize: z.number().int().positive(),
      threads: z.number().int().positive().nullable(),
      measuredAt: z.string(),
    })
    .nullable()
    .default(null),
});
