/** Tokenizers for the ORT engine's LM loop, from a model's tokenizer.json. The only importer of @huggingface/tokenizers. */
import { Tokenizer } from '@huggingface/tokenizers';
import type { ModelRepo } from '../core/spec.ts';
import { fetchRepoJson, ModelFileError } from './hf-files.ts';

export interface TextTokenizer {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Text with the special tokens kept (as their text), for an engine that tokenizes the text again. */
  decodeAll(ids: readonly number[]): string;
}

export async function loadTokenizer(repo: ModelRepo): Promise<TextTokenizer> {
  const [json, config] = await Promise.all([fetchRepoJson(repo, 'tokenizer.json'), fetchRepoJson(repo, 'tokenizer_config.json')]);
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json, config);
    tokenizer.encode('ok');
  } catch (err) {
    throw new ModelFileError(
      `tokenizer.json of model "${repo.id}" is not a usable tokenizer: ${(err as Error).message}. Expected the Hugging Face tokenizers JSON format (a "model" with its vocab).`,
    );
  }
  return {
    encode: (text) => tokenizer.encode(text).ids,
    decode: (ids) => tokenizer.decode([...ids], { skip_special_tokens: true }),
    decodeAll: (ids) => tokenizer.decode([...ids], { skip_special_tokens: false }),
  };
}
