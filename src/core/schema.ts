/**
 * The result record (`ondevice.run/1`, one JSON object per run) as a zod schema: the single source of its type.
 * A union keyed on `state`: a completed run has no error; any other carries its reason in `error`.
 */
import { z } from './zod.ts';
import { ERROR_CLASSES } from './error-class.ts';
import { DEVICES, DTYPES, ENGINES, INCOMPLETE_STATES, MODEL_SOURCES, RESULT_SCHEMA, RUN_STATES } from './vocab.ts';
import { EnvSchema } from './schema-env.ts';
import { LatencyStatsSchema } from './schema-latency.ts';
import { TaskRecordSchema } from './schema-task.ts';

export { EnvSchema } from './schema-env.ts';
export { TaskRecordSchema } from './schema-task.ts';
export { LatencyStatsSchema } from './schema-latency.ts';

const ms = z.number().finite().nonnegative();
const bytes = z.number().int().nonnegative();

export const TimingsSchema = z.object({
  /** Fetch (or replica build) plus session creation. */
  loadMs: ms.nullable(),
  fetchMs: ms.nullable(),
  /** Replicas: building the model in the worker (writing its synthetic weights, or finding them cached). */
  buildMs: ms.nullable().default(null),
  sessionMs: ms.nullable(),
  /** The first inference, timed alone: it includes shader compilation and lazy allocation. */
  firstRunMs: ms.nullable(),
  /**
   * The warm-up the run had (the first run included): how many runs, how long, and why it stopped — settled (the
   * last two windows of runs agree), a cap, or a fixed count. Null in records from before warm-up was recorded.
   */
  warmup: z
    .object({ runs: z.number().int().nonnegative(), ms, stop: z.enum(['settled', 'time cap', 'run cap', 'fixed']) })
    .nullable()
    .default(null),
  latency: LatencyStatsSchema.nullable(),
  /** The raw per-iteration samples the statistics came from. */
  samplesMs: z.array(ms),
});

/** Decode speed and memory with the context filled to one length (the context-length run type). */
export const ContextPointSchema = z.object({
  contextTokens: z.number().int().positive(),
  /** Time to fill the context (one prefill pass). */
  prefillMs: ms,
  decodeTokens: z.number().int().nonnegative(),
  decodeTokPerS: z.number().nonnegative().nullable(),
  tpot: LatencyStatsSchema.nullable(),
  /** Bytes of the KV cache at this length, from the model's cache shapes. */
  kvCacheBytes: bytes.nullable(),
  wasmHeapBytes: bytes.nullable(),
  gpuLiveBytes: bytes.nullable(),
});

/**
 * Where a decode step's time goes (medians over every decode step of the measured generations, prefill left out):
 * session.run, building its feeds, sampling (logits readback + argmax), and everything between two tokens that is
 * not session.run (feeds, sampling and the loop's own bookkeeping). An engine that cannot see a part leaves it null.
 */
export const StepBreakdownSchema = z.object({
  n: z.number().int().positive(),
  runMs: ms,
  feedsMs: ms.nullable(),
  samplingMs: ms.nullable(),
  outsideRunMs: ms,
});

export const GenerationSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  /** New tokens of one generation (each measured generation makes this many). */
  newTokens: z.number().int().nonnegative(),
  /** Measured generations (after a warm-up one); the figures below are medians or pooled over them. */
  generations: z.number().int().nonnegative().default(1),
  /** From the call to the first new token: prefill plus the first sampling step (median over generations). */
  ttftMs: ms.nullable(),
  prefillTokPerS: z.number().nonnegative().nullable(),
  /** New tokens after the first ÷ the time they took (pooled over generations). */
  decodeTokPerS: z.number().nonnegative().nullable(),
  /** Time per output token after the first: every inter-token interval of every measured generation. */
  tpot: LatencyStatsSchema.nullable(),
  /** Greedy token ids of the first measured generation (fidelity compares them across levels and engines). */
  tokens: z.array(z.number().int().nonnegative()).default([]),
  text: z.string().nullable().default(null),
  /** Model's maximum context (max_position_embeddings), when known. */
  maxContextTokens: z.number().int().positive().nullable().default(null),
  contexts: z.array(ContextPointSchema).nullable().default(null),
  /**
   * Per decode step, where the time went; null when the engine reports no step timings. Optional (absent in older
   * records) rather than defaulted, so hand-built generation blocks need not name it.
   */
  stepMs: StepBreakdownSchema.nullable().optional(),
});

export const MEMORY_FIELDS = ['modelBytes', 'wasmHeapPeakBytes', 'gpuBufferPeakBytes', 'uaMemoryBytes', 'osPeakRssBytes'] as const;
export type MemoryField = (typeof MEMORY_FIELDS)[number];

/** Memory at one moment of a run, from the worker's probes (null where the probe has nothing to see). */
export const MemorySnapshotSchema = z.object({
  wasmHeapBytes: bytes.nullable(),
  gpuLiveBytes: bytes.nullable(),
});

/** The bytes a run was predicted to need before it was loaded (the fit check; src/core/fit.ts). */
export const PredictedMemorySchema = z.object({
  weightBytes: bytes,
  largestTensorBytes: bytes,
  kvCacheBytes: bytes,
  contextTokens: z.number().int().nonnegative().nullable(),
  activationBytes: bytes,
  /** onnxruntime's own heap (src/core/fit.ts RUNTIME_HEAP_BYTES); 0 in records from before it was counted. */
  runtimeBytes: bytes.default(0),
  totalBytes: bytes,
});

export const MemorySchema = z.object({
  modelBytes: bytes.nullable(),
  wasmHeapPeakBytes: bytes.nullable(),
  gpuBufferPeakBytes: bytes.nullable(),
  uaMemoryBytes: bytes.nullable(),
  osPeakRssBytes: bytes.nullable(),
  /** Why a figure is null, per field. */
  unknown: z.partialRecord(z.enum(MEMORY_FIELDS), z.string()),
  /** The same probes after the session was created, after the last iteration, and after the session was released. */
  phases: z
    .object({ afterLoad: MemorySnapshotSchema.nullable(), afterRun: MemorySnapshotSchema.nullable(), afterDispose: MemorySnapshotSchema.nullable() })
    .nullable()
    .default(null),
  /** What the fit check predicted this run would need, to hold against the peaks measured; null where not estimated. */
  predicted: PredictedMemorySchema.nullable().default(null),
  /**
   * The buffers the engine says it allocated, by backend and kind (llama.cpp's load log for wllama runs: model, KV
   * cache, compute, output; backend 'CPU' lives in the WASM heap, another — 'WebGPU' — on the GPU). A floor of the
   * memory the engine holds, where its heap cannot be read; null for engines that do not say.
   */
  engineBuffers: z
    .array(z.object({ backend: z.string(), kind: z.enum(['model', 'kv', 'compute', 'output']), bytes }))
    .nullable()
    .default(null),
  /** Whole-browser memory from the OS, sampled by the CLI during the run (Linux /proc); null in the app. */
  os: z
    .object({ peakPssBytes: bytes.nullable(), byType: z.record(z.string(), bytes), samples: z.number().int().nonnegative() })
    .nullable()
    .default(null),
});

export const FidelitySchema = z.object({
  reference: z.string(),
  maxAbsDiff: z.number().nonnegative().nullable(),
  cosine: z.number().nullable(),
  top1Agreement: z.number().min(0).max(1).nullable(),
  /** Language models: fraction of greedy tokens equal to fp32's before the first divergence. */
  tokenMatch: z.number().min(0).max(1).nullable(),
  /** Language models: fraction of positions with the same greedy token as fp32, over the whole generation. */
  tokenAgreement: z.number().min(0).max(1).nullable().default(null),
});

/** How close a run came to its backend's roofline (src/roofline/roofline.ts). */
export const UtilisationSchema = z.object({
  fraction: z.number().nonnegative(),
  bound: z.enum(['memory', 'compute']),
  achieved: z.number().nonnegative(),
  attainable: z.number().positive(),
  unit: z.enum(['GB/s', 'GFLOP/s']),
  intensityFlopPerByte: z.number().positive().nullable(),
  /** What the figure was computed from, e.g. "weights 0.65 MB × 394 tok/s". */
  basis: z.string(),
});

export const OutputSchema = z.object({
  name: z.string(),
  type: z.string(),
  dims: z.array(z.number().int()),
  /** Values in row-major order (capped: see `truncated`). */
  values: z.array(z.number()),
  truncated: z.boolean(),
});

/**
 * One extra iteration run with onnxruntime's profiler after everything else was measured (`--profile`, the app's
 * "Per-operator profile"): the operators that took its time. Times are onnxruntime's own per-node timings.
 */
export const OpProfileSchema = z.object({
  /** What was profiled, in words ("one inference", "a 8-token generation after a 12-token prompt"). */
  workload: z.string(),
  /** session.run calls in the profiled iteration (1, or a generation's steps). */
  runs: z.number().int().positive(),
  /** Wall time of the profiled iteration: its session.run calls, as onnxruntime timed them (profiling on). */
  iterationMs: ms,
  /** Sum of the node (kernel) times in it; the rest of iterationMs is onnxruntime's own work between nodes. */
  kernelMs: ms,
  /** How long profiling took: a second session with the profiler, a warm-up, the profiled iteration, reading it. */
  profilingMs: ms,
  /** Execution providers the nodes ran on (WebGPU runs keep some nodes on the CPU). */
  providers: z.array(z.string()),
  /** The slowest nodes: op type, node name, time summed over the iteration's calls, share of iterationMs. */
  topOps: z.array(
    z.object({
      opType: z.string(),
      node: z.string(),
      provider: z.string().nullable(),
      ms,
      share: z.number().nonnegative(),
      calls: z.number().int().positive(),
    }),
  ),
  /** Every op type: time, share of iterationMs, how many nodes of it, how many node runs. */
  opTypes: z.array(
    z.object({ opType: z.string(), ms, share: z.number().nonnegative(), nodes: z.number().int().positive(), calls: z.number().int().positive() }),
  ),
  /** What the timings mean on this backend (WebGPU: times when the work was submitted, not GPU time); null on wasm. */
  note: z.string().nullable(),
});

/**
 * Why a run did not complete: the error's name (what readers branch on) and message; what kind of failure it was
 * (`class`, src/core/error-class.ts) and the runtime's own text where the message words it otherwise (`raw`).
 * Older records lack both.
 */
export const ErrorSchema = z.object({ name: z.string(), message: z.string(), class: z.enum(ERROR_CLASSES).optional(), raw: z.string().optional() });

/**
 * Every field of a record, whatever its state. Figures stay nullable in every state. A completed run has the figures
 * its kind of run measures — a language model its `generation` (and no `latency` after a context-length sweep), any
 * other model its `latency` (when it ran an iteration) and no `generation` — and a run that stopped keeps those it
 * had (an aborted run's partial figures). Even `env` and `timings.loadMs`, which the runtime sets on every completed
 * run, stay nullable: completed records made without the runtime lack them, and import keeps accepting those.
 */
const RunFieldsSchema = z.object({
  schema: z.literal(RESULT_SCHEMA),
  id: z.string().min(1),
  /** Groups the runs of one suite. */
  suiteId: z.string().nullable(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  state: z.enum(RUN_STATES),
  model: z.object({
    id: z.string().min(1),
    source: z.enum(MODEL_SOURCES),
    url: z.string().nullable(),
    dtype: z.enum(DTYPES),
    bytes: bytes.nullable(),
    params: z.number().int().nonnegative().nullable(),
    /**
     * FLOPs of one inference at the run's input shapes (a multiply-add counts 2); for language models, FLOPs per
     * generated token (see `flopsBasis`). Replicas' builders count them, the inspector counts the rest after the
     * run; null where neither can. Older records lack it.
     */
    flops: z.number().nonnegative().nullable().default(null),
    /**
     * What `flops` counts ("per inference at x[1,256]", "per generated token at mean context 36: …"), or why it is
     * null. Older records lack it.
     */
    flopsBasis: z.string().nullable().default(null),
    /**
     * Language models: bytes of weights read per generated token (every weight but embedding tables, of which a
     * token reads one row), from the graph; the bandwidth utilisation's numerator. Older records lack it.
     */
    weightBytesPerToken: bytes.nullable().default(null),
  }),
  engine: z.enum(ENGINES),
  task: z.string(),
  device: z.enum(DEVICES),
  workload: z.object({
    iterations: z.number().int().nonnegative(),
    warmup: z.number().int().nonnegative(),
    /** Adaptive warm-up's cap (null: a fixed count of `warmup` runs). */
    warmupCapMs: ms.nullable().default(null),
    timeBudgetMs: z.number().nonnegative().nullable(),
    /** `picked`: the declared shape and the dims ondevice chose where the model left them open (core/inputs.ts). */
    inputs: z.array(z.object({ name: z.string(), type: z.string(), dims: z.array(z.number().int()), picked: z.string().optional() })),
  }),
  timings: TimingsSchema,
  generation: GenerationSchema.nullable(),
  memory: MemorySchema,
  fidelity: FidelitySchema.nullable(),
  /**
   * Replicas only: how the model was built. Its timings and memory are the real model's; its outputs are
   * meaningless (synthetic weights), so it has no fidelity.
   */
  replica: z
    .object({
      paramsPublished: z.number().int().nonnegative().nullable(),
      /** Where the built weights were kept: the origin-private file system (reused by later runs) or memory. */
      cache: z.enum(['opfs', 'memory']),
      /** True when the weights were already built by an earlier run. */
      cached: z.boolean(),
      dataBytes: bytes,
      cacheNote: z.string().nullable(),
      /** GGUF replicas: how many files the model was written as (more than one: split, as llama.cpp's gguf-split does). */
      files: z.number().int().positive().optional(),
    })
    .nullable()
    .default(null),
  /** Utilisation of the device roofline; null (with `utilisationReason`) when not asked for or not computable. */
  utilisation: UtilisationSchema.nullable().default(null),
  utilisationReason: z.string().nullable().default(null),
  /** The per-operator profile (asked for with `workload.profile`); null with `profileReason` when asked for and not made. */
  profile: OpProfileSchema.nullable().default(null),
  profileReason: z.string().nullable().default(null),
  env: EnvSchema.nullable(),
  /**
   * Runs on a remote browser (`--connect`): the device's label (what resume matches on) and the endpoint it was
   * reached at, credentials and query string removed; null for the CLI's own browser and the app.
   */
  remote: z
    .object({
      label: z.string().min(1),
      endpoint: z.string(),
      /**
       * Which plan of the suite asked for the run (its index: the claims suite has several, and two may run the same
       * spec); `--resume` matches on it. Older records lack it.
       */
      plan: z.number().int().nonnegative().optional(),
    })
    .nullable()
    .default(null),
  outputs: z.array(OutputSchema).nullable(),
  /** Task runs only (`model.id` is then the pipeline's, e.g. `ocr:ppocr-v4`); absent in every other record. */
  pipeline: TaskRecordSchema.optional(),
  error: ErrorSchema.nullable(),
});

/**
 * What a record's state says of its reason: a completed run has no error; one that errored, was unsupported here
 * or was aborted carries it.
 */
const StateSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('completed'), error: z.null() }),
  z.object({ state: z.enum(INCOMPLETE_STATES), error: ErrorSchema }),
]);

/**
 * The record: its fields, and the union keyed on `state`. The fields are checked as one flat object first, so a bad
 * record's first problem is reported as it always was (`state` among the others, in field order).
 */
export const RunResultSchema = z.intersection(RunFieldsSchema, StateSchema);

export type LatencyStatsRecord = z.infer<typeof LatencyStatsSchema>;
export type Memory = z.infer<typeof MemorySchema>;
export type Generation = z.infer<typeof GenerationSchema>;
export type ContextPoint = z.infer<typeof ContextPointSchema>;
export type StepBreakdown = z.infer<typeof StepBreakdownSchema>;
export type MemorySnapshot = z.infer<typeof MemorySnapshotSchema>;
export type Env = z.infer<typeof EnvSchema>;
export type UtilisationRecord = z.infer<typeof UtilisationSchema>;
export type OutputRecord = z.infer<typeof OutputSchema>;
export type RunResult = z.infer<typeof RunResultSchema>;
/** A run that completed: every phase ran, no error; its figures are those its kind of run measures. */
export type CompletedRun = Extract<RunResult, { state: 'completed' }>;
/** A run that did not complete: its reason in `error`, and the figures it had when it stopped. */
export type IncompleteRun = Exclude<RunResult, { state: 'completed' }>;
export type OpProfile = z.infer<typeof OpProfileSchema>;
export type Timings = z.infer<typeof TimingsSchema>;
export type PredictedMemory = z.infer<typeof PredictedMemorySchema>;
export type TaskRecord = z.infer<typeof TaskRecordSchema>;
export type ReplicaRecord = NonNullable<RunResult['replica']>;
