/** The engine table: every engine the runtime runs, by its name in core/vocab.ts. A new engine is one line here. */
import type { Engine as EngineName } from '../core/vocab.ts';
import type { Engine } from './engine.ts';
import { ortEngine } from './ort.ts';
import { transformersEngine } from './transformers-engine.ts';
import { wllamaEngine } from './wllama-engine.ts';

export const ENGINE_TABLE: Readonly<Record<EngineName, Engine>> = Object.freeze({
  ort: ortEngine,
  transformers: transformersEngine,
  wllama: wllamaEngine,
});
