/** A language model on the ORT engine: our own greedy loop (ort-engine) + the model's tokenizer and config. */
import { kvCacheBytes, sortedIds } from '../core/generation.ts';
import type { RunSpec } from '../core/spec.ts';
import { eosIdsOf, fetchRepoJson, maxContextOf, notInHfLayout, type LmConfig } from './hf-files.ts';
import type { LanguageModel } from './lm.ts';
import { loadOrtDecoder, type OrtDecoder } from './ort-decoder.ts';
import type { ExternalData } from './ort-engine.ts';
import type { ReplicaLm } from '../onnx/replica-types.ts';
import { loadTokenizer } from './tokenizer.ts';

/** An ORT language model: the LanguageModel both engines give, its session's creation time, and (loaded with `profiling`) its profile. */
export type OrtLanguageModel = LanguageModel & { sessionMs: number; endProfiling(): string };

export async function loadOrtLanguageModel(spec: RunSpec, bytes: Uint8Array, profiling = false): Promise<OrtLanguageModel> {
  const repo = spec.model.repo;
  if (!repo) throw new Error(notInHfLayout(spec.model.id, { task: 'text-generation' }));
  const [config, tokenizer] = await Promise.all([fetchRepoJson<LmConfig>(repo, 'config.json'), loadTokenizer(repo)]);
  const decoder = await loadOrtDecoder(spec, bytes, config.num_hidden_layers ?? null, undefined, profiling);
  return asLanguageModel(decoder, { maxContextTokens: maxContextOf(config), eos: eosIdsOf(config), encode: tokenizer.encode, decode: tokenizer.decode });
}

/** Our greedy loop as a LanguageModel, given how the model's text becomes ids and back, and its limits. */
function asLanguageModel(decoder: OrtDecoder, m: Pick<LanguageModel, 'maxContextTokens' | 'encode' | 'decode'> & { eos: readonly number[] }): OrtLanguageModel {
  // transformers.js suppresses end-of-sequence until min_new_tokens; we do the same so both engines make the same tokens.
  const banned = sortedIds(m.eos);
  const bytesPerElement = decoder.kv.type === 'float16' ? 2 : 4;
  return {
    sessionMs: decoder.sessionMs,
    maxContextTokens: m.maxContextTokens,
    encode: m.encode,
    decode: m.decode,
    generate: (ids, n, onToken, shouldStop) => decoder.generate(ids, n, banned, onToken, shouldStop),
    kvCacheBytes: (tokens) => kvCacheBytes({ ...decoder.kv, bytesPerElement }, tokens),
    endProfiling: () => decoder.endProfiling(),
    dispose: () => decoder.dispose(),
  };
}

/**
 * A replica has no tokenizer: its prompt becomes one token per 4 UTF-8 bytes (about what BPE vocabularies of
 * 32k–256k give on English text), with ids spread over the vocabulary; ends of sequence never appear.
 */
export function replicaPromptIds(text: string, lm: Pick<ReplicaLm, 'vocab' | 'eos'>): number[] {
  const bytes = new TextEncoder().encode(text);
  const eos = new Set(lm.eos);
  const ids: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    let id = (bytes[i]! * 257 + (bytes[i + 1] ?? 0) * 31 + i) % lm.vocab;
    while (eos.has(id)) id = (id + 1) % lm.vocab;
    ids.push(id);
  }
  return ids.length ? ids : [eos.has(1) ? 2 : 1];
}

/** A replica decoder on the ORT engine: the same greedy loop as a real model, synthetic prompt ids, no text. */
export async function loadOrtReplicaLanguageModel(
  spec: RunSpec,
  graph: Uint8Array,
  externalData: ExternalData,
  lm: ReplicaLm,
  profiling = false,
): Promise<OrtLanguageModel> {
  const decoder = await loadOrtDecoder(spec, graph, lm.layers, externalData, profiling);
  return asLanguageModel(decoder, {
    maxContextTokens: lm.maxContext,
    eos: lm.eos,
    encode: (text) => replicaPromptIds(text, lm),
    // Synthetic weights make meaningless tokens: show their ids, never pretend they are text.
    decode: (ids) => ids.map((id) => `<${id}>`).join(''),
  });
}
