/**
 * The wllama engine: llama.cpp compiled to WebAssembly (@wllama/wllama), on GGUF files, timed by the same LM code
 * as the other engines (lm.ts). The only importer of @wllama/wllama, and its wasm is the app's own asset (no CDN).
 *
 * wllama runs llama.cpp in a worker of its own, which it starts from a blob: URL; here that worker is nested in the
 * run's worker (Chromium allows it, and the app's CSP has `worker-src blob:`), and llama.cpp's own pthreads are
 * workers of that one. Prompts start as token ids from the model's tokenizer.json (the same ids the other engines
 * feed) and are turned back into text, since wllama 3 takes text prompts only; llama.cpp's tokenizer must then give
 * the same count of ids (checked on every generation: the GGUF carries the same byte-level BPE vocabulary and
 * merges; a replica's prompt is one letter per token of its synthetic vocabulary, src/gguf/replica.ts). Each
 * streamed token comes back with its id (a top-1 log-probability entry), so greedy tokens compare one for one.
 */
import { Wllama, WllamaAbortError, type RawCompletionChunk } from '@wllama/wllama';
import wllamaWasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { runContextTokens, sortedIds } from '../core/generation.ts';
import { llamaBuffers } from '../core/llama-log.ts';
import { fitProblem, WASM_HEAP_LIMIT_BYTES } from '../core/fit.ts';
import type { RunResult } from '../core/schema.ts';
import { DEFAULT_GENERATION, type Progress, type RunSpec } from '../core/spec.ts';
import { GGUF_DTYPES } from '../core/vocab.ts';
import { GgufFormatError } from '../gguf/format.ts';
import { ggufReplicaFit } from '../gguf/fit.ts';
import type { GgufLevel } from '../gguf/llama.ts';
import { checkGgufParts, readGgufHeader } from '../gguf/read.ts';
import { ggufReplicaParts, ggufReplicaProblem, replicaPromptText, replicaSpecialIds } from '../gguf/replica.ts';
import { splitFileName, WLLAMA_FILE_LIMIT_BYTES } from '../gguf/split.ts';
import { UnsupportedError, type Engine } from './engine.ts';
import { ggufReplicaData, ReplicaStorageError } from './replica-store.ts';
import { unreadableCopyProblem } from '../core/replica-storage.ts';
import { fetchModelBytes } from './fetch-model.ts';
import { eosIdsOf, fetchRepoJson, maxContextOf, notInHfLayout, type LmConfig } from './hf-files.ts';
import { AbortedError, type LanguageModel } from './lm.ts';
import { replicaPromptIds } from './ort-lm.ts';
import { loadTokenizer } from './tokenizer.ts';

/** How many of llama.cpp's last warning and error lines a failed load reports. */
const LOG_TAIL_LINES = 8;

/** llama.cpp's KV cache comes in cells of this many tokens (it pads its context to a multiple of 256). */
const CONTEXT_STEP = 256;

/** A replica config's trained context: `max_position_embeddings` (gpt2: `n_positions`). */
const trainedContext = (config: Record<string, unknown>): number | null => Number(config.max_position_embeddings ?? config.n_positions) || null;

/**
 * The context llama.cpp is loaded with: what the run reaches (prompt or longest context point, plus the new tokens, and
 * one for the BOS llama.cpp may add), padded to its cell size, within the model's own. The KV cache is then sized as
 * the ONNX replicas' fit check sizes theirs, not for the model's whole context (4096 cells took 90 MiB of SmolLM2's
 * 245 MiB for a 35-token run, and would put a 7B model at q4_0 over the heap).
 */
function runContext(spec: RunSpec, text: LmText): number {
  const g = { ...DEFAULT_GENERATION, ...spec.workload.generation };
  const need = runContextTokens(g, text.encode(g.prompt).length + 1, null);
  const padded = Math.ceil(need / CONTEXT_STEP) * CONTEXT_STEP;
  return Math.min(padded, text.maxContext ?? padded);
}

/** A chunk's token id: llama-server's streamed log-probabilities carry it (`id`), as does `tokens` with return_tokens. */
function chunkTokenIds(chunk: RawCompletionChunk): number[] | null {
  const c = chunk as unknown as {
    tokens?: number[];
    choices?: { logprobs?: { content?: { id?: number }[] } | null }[];
    completion_probabilities?: { id?: number }[];
  };
  if (Array.isArray(c.tokens) && c.tokens.length) return c.tokens;
  const content = c.choices?.[0]?.logprobs?.content ?? c.completion_probabilities;
  if (Array.isArray(content) && content.length && content.every((p) => typeof p.id === 'number')) return content.map((p) => p.id!);
  return null;
}

const fileName = (url: string): string => url.replace(/[?#].*$/, '').replace(/^.*\//, '');

/** What the engine needs of a model besides its GGUF bytes: its limits, and how its text becomes ids and back. */
interface LmText {
  maxContext: number | null;
  eos: number[];
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** The prompt as the text llama.cpp is given, which it must read back as exactly `ids.length` tokens (its BOS aside). */
  promptText(ids: readonly number[]): string;
}

/** A model in the Hugging Face layout: its config and tokenizer.json. */
async function repoText(spec: RunSpec): Promise<LmText> {
  const repo = spec.model.repo;
  if (!repo) throw new UnsupportedError(notInHfLayout(spec.model.id, { task: 'text-generation' }));
  const [config, tokenizer] = await Promise.all([fetchRepoJson<LmConfig>(repo, 'config.json'), loadTokenizer(repo)]);
  const bos = config.bos_token_id ?? null;
  return {
    maxContext: maxContextOf(config),
    eos: eosIdsOf(config),
    encode: tokenizer.encode,
    decode: tokenizer.decode,
    // Special tokens stay as their text (llama-server parses them as special), except the leading BOS llama.cpp adds.
    promptText: (ids) => tokenizer.decodeAll(bos !== null && ids[0] === bos ? ids.slice(1) : ids),
  };
}

/** A replica: synthetic prompt ids (as on the ORT engine), written as letters its synthetic vocabulary reads one per token. */
function replicaText(config: Record<string, unknown>): LmText {
  const eosValue = config.eos_token_id as number | number[] | null | undefined;
  const lm = { vocab: Number(config.vocab_size), eos: eosValue == null ? [] : Array.isArray(eosValue) ? eosValue : [eosValue] };
  return {
    maxContext: trainedContext(config),
    // The GGUF's own end-of-sequence ids (a config shrunk for tests has its eos moved inside its vocabulary).
    eos: replicaSpecialIds(config as unknown as Parameters<typeof replicaSpecialIds>[0]).eos,
    encode: (text) => replicaPromptIds(text, lm),
    decode: (ids) => ids.map((id) => `<${id}>`).join(''),
    promptText: replicaPromptText,
  };
}

/** Read back the header of each part and check they are the whole model, in order (read.ts checkGgufParts). */
async function checkParts(blobs: Blob[], headerBytes: number[], names: string[]): Promise<void> {
  const headers = await Promise.all(
    blobs.map(async (blob, i) => ({
      file: names[i]!,
      header: readGgufHeader(new Uint8Array(await blob.slice(0, headerBytes[i]).arrayBuffer()), names[i]!, blob.size),
    })),
  );
  checkGgufParts(headers);
}

/**
 * The GGUF file of a replica, made in this worker as it streams out of the writer (never at fp32), cached in OPFS; a
 * replica over wllama's per-file limit is written as split parts (src/gguf/split.ts), which wllama loads together.
 */
async function replicaBlobs(spec: RunSpec, text: LmText, result: RunResult, onProgress: (p: Progress) => void, aborted: () => boolean): Promise<Blob[]> {
  const { config, ggufFileBytes } = spec.model.replica!;
  const arch = ggufReplicaProblem(config);
  if (arch) throw new UnsupportedError(`Replica "${spec.model.id}" at ${spec.model.dtype}: ${arch}`);
  const parts = ggufReplicaParts(config, spec.model.dtype as GgufLevel, spec.model.id, ggufFileBytes ?? WLLAMA_FILE_LIMIT_BYTES);
  // The ONNX replicas' fit check, before a byte is made: the whole model (every part) and llama.cpp's KV cache in the WASM heap.
  const predicted = ggufReplicaFit(config, parts, runContext(spec, text));
  result.memory.predicted = predicted;
  const advice = spec.model.dtype === 'q4_0' ? 'q4_0 is the smallest level wllama runs here.' : 'Try a smaller quantization level (q4_0).';
  const problem = fitProblem(predicted, 'wasm', { wasmHeapBytes: WASM_HEAP_LIMIT_BYTES }, advice);
  if (problem) throw new UnsupportedError(`${spec.model.id} at ${spec.model.dtype} on ${spec.device}: ${problem}`);
  // Streamed into the OPFS cache (a second run finds it there), as the ONNX replicas' weights are.
  const data = await ggufReplicaData(parts, (writtenBytes, totalBytes) => onProgress({ phase: 'build', writtenBytes, totalBytes }), aborted);
  const n = parts.parts.length;
  const names = data.blobs.map((b, i) => (b as File).name ?? (n > 1 ? splitFileName(spec.model.id, i, n) : `${spec.model.id}.gguf`));
  result.replica = {
    paramsPublished: spec.model.params ?? null,
    cache: data.cache,
    cached: data.cached,
    dataBytes: parts.totalBytes,
    cacheNote: data.note,
    files: n,
  };
  try {
    await checkParts(
      data.blobs,
      parts.parts.map((p) => p.header.length),
      names,
    );
  } catch (err) {
    // Chromium's NotReadableError on a Blob of gigabytes says nothing of the model: name it, its size and where it was kept.
    if (err instanceof Error && !(err instanceof GgufFormatError))
      err.message = `Replica "${spec.model.id}" at ${spec.model.dtype} (${parts.totalBytes} bytes in ${n} GGUF file${n > 1 ? 's' : ''} of at most ${WLLAMA_FILE_LIMIT_BYTES} bytes, kept in ${data.cache === 'opfs' ? 'OPFS' : `memory: ${data.note}`}) could not be read back: ${err.name}: ${err.message}`;
    throw err;
  }
  return data.blobs;
}

/** What llama.cpp is asked for beyond threads and context: left to llama.cpp's defaults, recorded as it reports them. */
const FLASH_ATTN = 'auto';

async function loadWllamaLm(spec: RunSpec, model: Blob[], threads: number, text: LmText, result: RunResult): Promise<LanguageModel & { sessionMs: number }> {
  const maxContext = text.maxContext;
  const eos = sortedIds(text.eos);
  // llama.cpp's log is kept only until the model is loaded, for the buffer sizes it prints (memory.engineBuffers); its
  // warnings and errors (the last few lines) also until the end: a failed load or generation ends with them, since
  // wllama itself says only "(ABORT)" or "failed to load model".
  let loadLog: string[] | null = [];
  const keep = (...args: unknown[]) => void loadLog?.push(args.join(' '));
  const logTail: string[] = [];
  const tail = (...args: unknown[]): void => {
    logTail.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    if (logTail.length > LOG_TAIL_LINES) logTail.shift();
  };
  const logger = { debug: keep, log: keep, warn: (...args: unknown[]) => (keep(...args), tail(...args)), error: tail };
  const withLog = (err: unknown): unknown => {
    if (err instanceof Error && logTail.length) err.message = `${err.message} — llama.cpp's log ends: ${logTail.join(' | ')}`;
    return err;
  };
  const wllama = new Wllama({ default: new URL(wllamaWasmUrl, self.location.href).href }, { suppressNativeLog: false, logger, allowOffline: true });
  const t0 = performance.now();
  try {
    await wllama.loadModel(model, {
      n_threads: threads,
      n_ctx: runContext(spec, text),
      n_gpu_layers: spec.device === 'webgpu' ? 99999 : 0,
      n_parallel: 1,
    });
  } catch (err) {
    throw withLog(err);
  }
  const sessionMs = performance.now() - t0;
  result.memory.engineBuffers = llamaBuffers(loadLog);
  loadLog = null;
  const loaded = wllama.getLoadedContextInfo();
  if (result.env)
    result.env.wllama = {
      llamaCpp: Wllama.getLibllamaVersion(),
      multiThread: wllama.isMultithread(),
      threads: wllama.getNumThreads(),
      nCtx: loaded.n_ctx,
      nBatch: loaded.n_batch,
      nUbatch: loaded.n_ubatch,
      flashAttn: FLASH_ATTN,
      tokenProbs: true,
    };
  return {
    sessionMs,
    maxContextTokens: maxContext,
    encode: text.encode,
    decode: text.decode,
    async generate(ids, n, onToken, shouldStop) {
      const out: number[] = [];
      const abort = new AbortController();
      let problem: Error | null = null;
      let promptSeen: number | null = null;
      try {
        await wllama.createCompletion({
          // wllama 3 takes a prompt as text only (its glue passes a string to llama-server's task), so the ids go back
          // to text and llama.cpp tokenizes them again, adding BOS itself; the count it reports is checked below.
          prompt: text.promptText(ids),
          max_tokens: n,
          temperature: 0,
          stream: true,
          abortSignal: abort.signal,
          // End-of-sequence is suppressed so that runs compare (as the other engines do); the prompt is decoded again
          // on every generation (no prompt cache), so each one pays its prefill. The token ids come back only as the
          // top-1 log-probability of each step (the OpenAI-style chunks wllama streams drop `return_tokens`), so
          // llama-server makes one pass over the vocabulary per step for them (recorded as env.wllama.tokenProbs).
          logit_bias: Object.fromEntries(eos.map((id) => [String(id), -1e9])),
          ...({ cache_prompt: false, ignore_eos: true, n_probs: 1, logprobs: 1, return_tokens: true } as object),
          onData: (chunk: RawCompletionChunk) => {
            const promptTokens = (chunk as { usage?: { prompt_tokens?: number } }).usage?.prompt_tokens;
            if (promptTokens !== undefined) promptSeen = promptTokens;
            if (problem || out.length >= n) return;
            const got = chunkTokenIds(chunk);
            if (!got) {
              if (chunk.choices?.[0]?.finish_reason) return; // the closing chunk
              problem = new Error(`wllama streamed a chunk without token ids: ${JSON.stringify(chunk).slice(0, 400)}`);
              abort.abort();
              return;
            }
            for (const id of got) {
              out.push(id);
              onToken(id);
            }
            if (shouldStop()) abort.abort();
          },
        } as Parameters<Wllama['createCompletion']>[0] & { onData: (c: RawCompletionChunk) => void });
      } catch (err) {
        if (!(err instanceof WllamaAbortError) && !(err as Error).name?.includes('Abort')) throw withLog(err);
      }
      if (problem) throw problem;
      if (promptSeen !== null && promptSeen !== ids.length)
        throw new Error(
          `llama.cpp read the prompt of model "${spec.model.id}" as ${promptSeen} tokens where its tokenizer gives ${ids.length}: the GGUF's tokenizer.ggml.* does not reproduce the model's tokenizer, so its tokens cannot be compared with the other engines'.`,
        );
      if (shouldStop() && out.length < n) throw new AbortedError('Aborted while generating.');
      return out;
    },
    kvCacheBytes: () => null,
    dispose: () => wllama.exit(),
  };
}

export const wllamaEngine: Engine = {
  name: 'wllama',
  capabilities: {
    devices: ['wasm', 'webgpu'],
    dtypes: GGUF_DTYPES,
    tasks: ['text-generation'],
    sources: ['bundled', 'replica'],
    hfLayoutFor: ['text-generation'],
    ortBuildChoice: false,
  },

  async load(spec, { threads, result, onProgress, aborted }) {
    const t0 = performance.now();
    let model: Blob[];
    let text: LmText;
    if (spec.model.replica) {
      text = replicaText(spec.model.replica.config);
      model = await replicaBlobs(spec, text, result, onProgress, aborted);
      result.timings.buildMs = performance.now() - t0;
    } else {
      const bytes = await fetchModelBytes(spec.model.id, spec.model.url, onProgress);
      result.timings.fetchMs = performance.now() - t0;
      // A bad file gets a message naming it and what is wrong, before llama.cpp's bare "failed to load model".
      try {
        readGgufHeader(bytes, fileName(spec.model.url));
      } catch (err) {
        if (err instanceof GgufFormatError) err.message = `Model "${spec.model.id}" (${spec.model.dtype}): ${err.message}`;
        throw err;
      }
      model = [new Blob([bytes as BlobPart])];
      text = await repoText(spec);
    }
    result.model.bytes = model.reduce((sum, b) => sum + b.size, 0);
    const lm = await loadWllamaLm(spec, model, threads, text, result).catch((err: unknown) => {
      // A replica held in memory that Chromium dropped: the reason, not wllama's bare NotReadableError.
      const message = String((err as Error)?.message ?? err);
      const note = result.replica?.cache === 'memory' ? result.replica.cacheNote : null;
      const bytes = model.reduce((s, b) => s + b.size, 0);
      if (note && /NotReadableError/.test(message)) throw new ReplicaStorageError(unreadableCopyProblem(note, bytes, message));
      throw err;
    });
    result.timings.sessionMs = lm.sessionMs;
    result.timings.loadMs = performance.now() - t0;
    return { kind: 'lm', model: lm };
  },
};
