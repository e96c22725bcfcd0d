/** A language model on the ORT engine: our own greedy loop (ort-engine) + the model's tokenizer and config. */
import { kvCacheBytes } from '../core/generation.ts';
import type { RunSpec } from '../core/spec.ts';
import { eosIdsOf, fetchRepoJson, maxContextOf, type LmConfig } from './hf-files.ts';
import { argmax, type LanguageModel } from './lm.ts';
import { loadOrtDecoder } from './ort-engine.ts';
import { loadTokenizer } from './tokenizer.ts';

export async function loadOrtLanguageModel(spec: RunSpec, bytes: Uint8Array): Promise<LanguageModel & { sessionMs: number }> {
  const repo = spec.model.repo;
  if (!repo) throw new Error(`Model "${spec.model.id}" has no tokenizer or config: text generation needs a model in the Hugging Face layout (config.json, tokenizer.json, onnx/…).`);
  const [config, tokenizer] = await Promise.all([fetchRepoJson<LmConfig>(repo, 'config.json'), loadTokenizer(repo)]);
  const decoder = await loadOrtDecoder(spec, bytes, argmax, config.num_hidden_layers ?? null);
  // transformers.js suppresses end-of-sequence until min_new_tokens; we do the same so both engines make the same tokens.
  const banned = new Set(eosIdsOf(config));
  const bytesPerElement = decoder.kv.type === 'float16' ? 2 : 4;
  return {
    sessionMs: decoder.sessionMs,
    maxContextTokens: maxContextOf(config),
    encode: tokenizer.encode,
    decode: tokenizer.decode,
    generate: (ids, n, onToken, shouldStop) => decoder.generate(ids, n, banned, onToken, shouldStop),
    kvCacheBytes: (tokens) => kvCacheBytes({ ...decoder.kv, bytesPerElement }, tokens),
    dispose: () => decoder.dispose(),
  };
}
