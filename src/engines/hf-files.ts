/**
 * The small JSON files of a Hugging Face-layout model (config.json, tokenizer.json, …), fetched with errors
 * that name the file, the URL and what would be valid.
 */
import { repoFileUrl } from '../core/catalog.ts';
import type { ModelRepo } from '../core/spec.ts';

/**
 * The one message for a model that is a single ONNX file where a model folder in the Hugging Face layout is needed:
 * by an engine (`instead`: the engines that take a single file) or by a task (which a plain model run avoids).
 */
export function notInHfLayout(modelId: string, needs: { engine: string; instead: readonly string[] } | { task: string }): string {
  const [who, remedy] =
    'engine' in needs
      ? [`Engine "${needs.engine}"`, `Use engine ${needs.instead.map((e) => `"${e}"`).join(' or ')}.`]
      : [`${needs.task[0]!.toUpperCase()}${needs.task.slice(1).replaceAll('-', ' ')}`, 'Run it as a plain model (task "unknown") or give its model folder.'];
  return `${who} needs a model in the Hugging Face layout (config.json, tokenizer.json, onnx/model*.onnx); "${modelId}" is a single ONNX file. ${remedy}`;
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

export async function fetchRepoJson<T = Record<string, unknown>>(repo: ModelRepo, file: string): Promise<T> {
  const url = repoFileUrl(repo, file);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new ModelFileError(`Could not fetch ${file} of model "${repo.id}" from ${url}: ${String(err)}.`);
  }
  if (!response.ok) {
    const missing = response.status === 404 ? ` — the model "${repo.id}" or its ${file} does not exist there` : '';
    throw new ModelFileError(
      `Could not fetch ${file} of model "${repo.id}" from ${url}: HTTP ${response.status} ${response.statusText}${missing}. A Hugging Face-layout model needs config.json, tokenizer.json, tokenizer_config.json and onnx/model*.onnx.`,
    );
  }
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ModelFileError(`${file} of model "${repo.id}" (${url}) is not valid JSON: ${(err as Error).message}.`);
  }
}

/** The config.json fields the runner reads. */
export interface LmConfig {
  max_position_embeddings?: number;
  n_positions?: number;
  eos_token_id?: number | number[] | null;
  bos_token_id?: number | null;
  model_type?: string;
  num_hidden_layers?: number;
}

export const maxContextOf = (c: LmConfig): number | null => c.max_position_embeddings ?? c.n_positions ?? null;

export const eosIdsOf = (c: LmConfig): number[] => (c.eos_token_id == null ? [] : Array.isArray(c.eos_token_id) ? c.eos_token_id : [c.eos_token_id]);
