/**
 * The `transformers` engine of the engine table (engine.ts's interface): models run through transformers.js
 * pipelines, as an app would use them. The only importer of @huggingface/transformers, loaded on the first load
 * (ORT-only runs never parse it). Offline by default: local files the app serves, ORT's wasm from the app (never a
 * CDN); a hub host (the Hub or a mirror) only for models whose source is `hub`.
 */
import type { ProgressInfo, Tensor } from '@huggingface/transformers';
import { kvCacheBytes, type StepTiming } from '../core/generation.ts';
import { outputRecord } from '../core/result.ts';
import type { OutputRecord } from '../core/schema.ts';
import { DEFAULT_GENERATION, type Progress, type RunSpec } from '../core/spec.ts';
import {
  DEVICES,
  DTYPE_FILE_SUFFIX,
  FP16_COMPUTE_DTYPES,
  MODEL_SOURCES,
  ONNX_DTYPES,
  ortBuildFor,
  type Device,
  type OnnxDtype,
  type OrtBuild,
} from '../core/vocab.ts';
import type { Engine } from './engine.ts';
import { notInHfLayout } from './hf-files.ts';
import type { LanguageModel } from './lm.ts';
import { setUpOrtWasm } from './ort-assets.ts';

/** What the engine uses of transformers.js: imported on the first load, by name so the bundler keeps only these. */
type Library = Pick<typeof import('@huggingface/transformers'), 'BaseStreamer' | 'InterruptableStoppingCriteria' | 'Tensor' | 'env' | 'pipeline'>;
let library: Library | null = null;
async function loadLibrary(): Promise<Library> {
  if (library) return library;
  const { BaseStreamer, InterruptableStoppingCriteria, Tensor, env, pipeline } = await import('@huggingface/transformers');
  return (library = { BaseStreamer, InterruptableStoppingCriteria, Tensor, env, pipeline });
}

/** The onnxruntime-web build transformers.js runs on for `device` (its bundle is onnxruntime-web's webgpu entry). */
const TRANSFORMERS_BUILD = (device: Device): OrtBuild => ortBuildFor(device);

/** The text a text model (classifier, encoder) is run on: the workload's prompt. */
const textOf = (spec: RunSpec): string => spec.workload.generation?.prompt ?? DEFAULT_GENERATION.prompt;

function configure({ env }: Library, spec: RunSpec, threads: number): void {
  const repo = spec.model.repo!;
  const onnx = env.backends.onnx;
  if (onnx.wasm) setUpOrtWasm(onnx.wasm, TRANSFORMERS_BUILD(spec.device), threads);
  // Not transformers.js's own wasm cache: it copies onnxruntime's .wasm into the Cache API and compiles it in this
  // worker every run, importing its .mjs from a blob: URL that the app's CSP refuses (script-src 'self'). The app
  // serves both files, and the page hands its compiled module over as ort runs get it (src/engines/wasm-handoff.ts).
  env.useWasmCache = false;
  const host = repo.host.endsWith('/') ? repo.host : `${repo.host}/`;
  const hub = repo.layout === 'hub';
  env.allowLocalModels = !hub;
  env.allowRemoteModels = hub;
  if (hub) {
    env.remoteHost = host;
    env.remotePathTemplate = '{model}/resolve/{revision}/';
  } else {
    // A path, not a URL: transformers.js only probes local files (for tokenizer and processor files) when
    // localModelPath is not an http(s) URL. The app serves them on its own origin.
    env.localModelPath = new URL(host).pathname;
  }
  // Hub downloads are cached (Cache API) so a second run, or a run after an interrupted one, reuses finished files.
  env.useBrowserCache = hub;
}

/** Where the bytes went: the ONNX file's size from the download progress, and per-file progress for the UI. */
function progressAdapter(onProgress: (p: Progress) => void) {
  let onnxBytes: number | null = null;
  const callback = (info: ProgressInfo) => {
    if (info.status === 'progress') {
      onProgress({ phase: 'download', file: info.file, loadedBytes: info.loaded, totalBytes: info.total || null });
      if (info.file.endsWith('.onnx') && info.total) onnxBytes = info.total;
    }
  };
  return { callback, bytes: () => onnxBytes };
}

type AnyPipeline = Awaited<ReturnType<Library['pipeline']>>;

async function loadPipeline(tf: Library, spec: RunSpec, threads: number, onProgress: (p: Progress) => void) {
  if (!spec.model.repo) throw new Error(notInHfLayout(spec.model.id, { engine: 'transformers', instead: ['ort'] }));
  configure(tf, spec, threads);
  const progress = progressAdapter(onProgress);
  const t0 = performance.now();
  const repo = spec.model.repo;
  let pipe: AnyPipeline;
  try {
    pipe = (await tf.pipeline(spec.model.task as 'text-generation', repo.id, {
      device: spec.device,
      // transformers.js knows no q4dq: its file is picked by name (model_q4dq.onnx) and loaded as an fp32 file.
      ...(spec.model.dtype === 'q4dq'
        ? { dtype: 'fp32', model_file_name: `model${DTYPE_FILE_SUFFIX.q4dq}` }
        : { dtype: spec.model.dtype as Exclude<OnnxDtype, 'q4dq'> }),
      // Weight-only DequantizeLinear (q4dq, q8 Conv weights) folded to fp32 once at load, not run on every call.
      session_options: { extra: { session: { disable_quant_qdq: '1' } } },
      progress_callback: progress.callback,
    })) as AnyPipeline;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const where = repo.layout === 'hub' ? `${repo.host}${repo.id}` : `${repo.host}${repo.id} (local)`;
    const hint = /network|fetch|load failed/i.test(message)
      ? ' A download failed or was cut off; run again — files that finished are cached.'
      : /locate file|404/i.test(message)
        ? ` Check the model id, and that it ships ${spec.model.dtype}.`
        : '';
    throw Object.assign(
      new Error(
        `transformers.js could not load ${spec.model.task} model "${repo.id}" at ${spec.model.dtype} on ${spec.device} from ${where}: ${message.replace(/\.$/, '')}.${hint}`,
      ),
      { name: 'ModelLoadError' },
    );
  }
  return { pipe, loadMs: performance.now() - t0, bytes: progress.bytes() };
}

/** A streamer that collects the ids transformers.js streams: the first `put` is the prompt, each later one a new token. */
function tokenStreamer({ BaseStreamer }: Library, onToken: (id: number, step?: StepTiming) => void, lastRunMs: () => number | null) {
  let prompt = true;
  return new (class extends BaseStreamer {
    override put(value: bigint[][]): void {
      if (prompt) {
        prompt = false;
        return;
      }
      // A step's forward (one session.run) comes before its put, so the last run timed is this token's.
      const runMs = lastRunMs();
      onToken(Number(value[0]![0]), runMs === null ? undefined : { runMs, feedsMs: null, samplingMs: null });
    }
    override end(): void {}
  })();
}

interface ModelConfigLike {
  max_position_embeddings?: number;
  num_hidden_layers?: number;
  num_key_value_heads?: number;
  num_attention_heads?: number;
  hidden_size?: number;
  head_dim?: number;
}

interface TimedSession {
  run(feeds: unknown, ...rest: unknown[]): Promise<unknown>;
}

/**
 * Time each session.run of the model's decoder session, for the per-step breakdown: transformers.js runs its whole
 * step (inputs, logits processors, sampling) in its own code, so only the run itself can be timed apart. The
 * wrapper adds one await per step. Returns the last run's milliseconds, or null when there is no session to time.
 */
function timeSessionRuns(model: { sessions?: Record<string, TimedSession> }): () => number | null {
  const session = model.sessions?.['model'] ?? model.sessions?.['decoder_model_merged'];
  if (!session || typeof session.run !== 'function') return () => null;
  let last: number | null = null;
  const run = session.run.bind(session);
  session.run = async (feeds, ...rest) => {
    const t0 = performance.now();
    const out = await run(feeds, ...rest);
    last = performance.now() - t0;
    return out;
  };
  return () => last;
}

async function loadLanguageModel(
  tf: Library,
  spec: RunSpec,
  threads: number,
  onProgress: (p: Progress) => void,
): Promise<LanguageModel & { loadMs: number; bytes: number | null }> {
  const { pipe, loadMs, bytes } = await loadPipeline(tf, spec, threads, onProgress);
  const { tokenizer, model } = pipe as unknown as {
    tokenizer: { encode(text: string): number[]; decode(ids: number[], o?: { skip_special_tokens?: boolean }): string };
    model: { config: ModelConfigLike; sessions?: Record<string, TimedSession>; generate(o: Record<string, unknown>): Promise<unknown> };
  };
  const lastRunMs = timeSessionRuns(model);
  const c = model.config;
  const heads = c.num_attention_heads ?? 1;
  const kv = {
    layers: c.num_hidden_layers ?? 0,
    kvHeads: c.num_key_value_heads ?? heads,
    headDim: c.head_dim ?? (c.hidden_size ?? 0) / heads,
    bytesPerElement: FP16_COMPUTE_DTYPES.has(spec.model.dtype) ? 2 : 4,
  };
  return {
    loadMs,
    bytes,
    maxContextTokens: c.max_position_embeddings ?? null,
    encode: (text) => tokenizer.encode(text),
    decode: (ids) => tokenizer.decode([...ids], { skip_special_tokens: true }),
    async generate(ids, n, onToken, shouldStop) {
      const out: number[] = [];
      const stop = new tf.InterruptableStoppingCriteria();
      const streamer = tokenStreamer(
        tf,
        (id, step) => {
          out.push(id);
          onToken(id, step);
          if (shouldStop()) stop.interrupt();
        },
        lastRunMs,
      );
      const inputIds = new tf.Tensor(
        'int64',
        BigInt64Array.from(ids, (i) => BigInt(i)),
        [1, ids.length],
      );
      const mask = new tf.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
      await model.generate({
        input_ids: inputIds,
        attention_mask: mask,
        max_new_tokens: n,
        min_new_tokens: n,
        do_sample: false,
        streamer,
        stopping_criteria: [stop],
      });
      return out;
    },
    kvCacheBytes: (tokens) => (kv.layers > 0 ? kvCacheBytes(kv, tokens) : null),
    dispose: () => pipe.dispose(),
  };
}

/** A non-generative pipeline (text-classification, token-classification, feature-extraction) on one text. */
async function loadTask(tf: Library, spec: RunSpec, text: string, threads: number, onProgress: (p: Progress) => void) {
  const { pipe, loadMs, bytes } = await loadPipeline(tf, spec, threads, onProgress);
  const callable = pipe as unknown as ((text: string, o?: Record<string, unknown>) => Promise<unknown>) & {
    tokenizer: (text: string) => Record<string, Tensor>;
    model: (inputs: Record<string, Tensor>) => Promise<Record<string, Tensor>>;
  };
  const options = spec.model.task === 'text-classification' ? { top_k: null } : {};
  return {
    loadMs,
    bytes,
    inputs: Object.entries(callable.tokenizer(text)).map(([name, t]) => ({ name, type: t.type, dims: [...t.dims] })),
    /** One pipeline call (tokenize, model, post-process): what an app pays per text. */
    async run(capture: boolean): Promise<OutputRecord[] | null> {
      await callable(text, options);
      if (!capture) return null;
      // Fidelity compares the model's raw outputs, not the post-processed labels.
      const raw = await callable.model(callable.tokenizer(text));
      return Object.entries(raw).map(([name, t]) => outputRecord(name, t.type, t.dims, t.data as ArrayLike<number | bigint>));
    },
    dispose: () => pipe.dispose(),
  };
}

export const transformersEngine: Engine = {
  name: 'transformers',
  capabilities: {
    devices: DEVICES,
    dtypes: ONNX_DTYPES,
    tasks: 'any',
    sources: MODEL_SOURCES.filter((s) => s !== 'replica'),
    hfLayoutFor: 'any',
    ortBuildChoice: false,
  },

  async load(spec, { threads, result, onProgress }) {
    const tf = await loadLibrary();
    result.env!.ortBuild = TRANSFORMERS_BUILD(spec.device);
    const loaded =
      spec.model.task === 'text-generation'
        ? await loadLanguageModel(tf, spec, threads, onProgress)
        : await loadTask(tf, spec, textOf(spec), threads, onProgress);
    // transformers.js fetches and creates the session in one call: its load time is the whole of it.
    result.timings.loadMs = loaded.loadMs;
    result.model.bytes = loaded.bytes;
    if ('inputs' in loaded) {
      result.workload.inputs = loaded.inputs;
      return { kind: 'runnable', model: loaded };
    }
    return { kind: 'lm', model: loaded };
  },
};
