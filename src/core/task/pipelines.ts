/**
 * The task pipelines (issue 17) and how a request becomes runs: which bundled models each stage uses, at which level,
 * and the files they need. A task run's `model.id` is its pipeline's id (`ocr:ppocr-v4`, `vad:silero-v5`), its
 * `model.dtype` the level asked for; each stage records the level it actually ran at.
 */
import { resolveModel, type Catalog } from '../catalog.ts';
import type { RunSpec, TaskInput, TaskStage, Workload } from '../spec.ts';
import { DTYPES, InvalidInputError, type Device, type Dtype, type TaskKind } from '../vocab.ts';

export interface PipelineDef {
  id: string;
  name: string;
  stages: { name: string; model: string }[];
  /** Extra files the worker fetches, relative to the app's root. */
  assets: Record<string, string>;
}

export const PIPELINES: Readonly<Record<TaskKind, PipelineDef>> = Object.freeze({
  ocr: {
    id: 'ocr:ppocr-v4',
    name: 'PP-OCRv4 (det + v2 cls + rec)',
    stages: [
      { name: 'det', model: 'ppocr-v4-det' },
      { name: 'cls', model: 'ppocr-v2-cls' },
      { name: 'rec', model: 'ppocr-v4-rec' },
    ],
    assets: { keys: 'bundled/ppocr-keys-v1.txt' },
  },
  vad: { id: 'vad:silero-v5', name: 'Silero VAD v5', stages: [{ name: 'vad', model: 'silero-vad-v5' }], assets: {} },
});

/** The level a stage runs at for a run at `level`: the level itself when its model ships it, else the nearest float one. */
export function stageLevel(level: Dtype, shipped: readonly Dtype[]): { level: Dtype; note?: string } {
  if (shipped.includes(level)) return { level };
  // 4-bit levels leave Conv float: a model without MatMul weights at q4 is its fp32 (q4f16: its fp16).
  const fallback: Dtype = level === 'q4f16' && shipped.includes('fp16') ? 'fp16' : 'fp32';
  return { level: fallback, note: `${level} is not shipped for this model (${shipped.join(', ')}): ${fallback}` };
}

/** Every level at which some stage of the pipeline ships a model (what `--dtype all` means for a task). */
export function pipelineLevels(kind: TaskKind, catalog: Catalog): Dtype[] {
  const shipped = new Set(PIPELINES[kind].stages.flatMap((s) => catalog.models.find((m) => m.id === s.model)?.levels ?? []));
  return DTYPES.filter((d) => shipped.has(d));
}

/** The stages of `kind`'s pipeline at `level`, resolved against the catalog. */
export function pipelineStages(kind: TaskKind, level: Dtype, catalog: Catalog): TaskStage[] {
  return PIPELINES[kind].stages.map((s) => {
    const entry = catalog.models.find((m) => m.id === s.model);
    if (!entry) throw new InvalidInputError(`The ${kind} pipeline needs model "${s.model}", which the catalog lacks. Run \`npm run models\`.`);
    const chosen = stageLevel(level, entry.levels);
    return { name: s.name, model: resolveModel(s.model, chosen.level, catalog), ...(chosen.note ? { note: chosen.note } : {}) };
  });
}

/** What a task run is asked for, without ids (the page adds them). */
export interface TaskRunRequest {
  kind: TaskKind;
  input: TaskInput['input'];
  levels: Dtype[];
  device: Device;
  workload: Workload;
  expectedText?: string;
  expectedSegments?: TaskInput['expectedSegments'];
}

/**
 * One spec per level, fp32 first (the others are compared with it); `ids` makes each run's id. Unknown levels for
 * the pipeline end as the run's own `unavailable` reason rather than an exception.
 */
export function taskSpecs(request: TaskRunRequest, catalog: Catalog, ids: () => string, suiteId: string): RunSpec[] {
  const def = PIPELINES[request.kind];
  const levels = [...new Set(request.levels)].sort((a, b) => (a === 'fp32' ? -1 : b === 'fp32' ? 1 : DTYPES.indexOf(a) - DTYPES.indexOf(b)));
  return levels.map((level) => ({
    id: ids(),
    suiteId,
    model: { id: def.id, source: 'bundled', url: '', dtype: level, task: request.kind },
    engine: 'ort',
    device: request.device,
    workload: request.workload,
    task: {
      kind: request.kind,
      stages: pipelineStages(request.kind, level, catalog),
      input: request.input,
      assets: def.assets,
      ...(request.expectedText !== undefined ? { expectedText: request.expectedText } : {}),
      ...(request.expectedSegments ? { expectedSegments: request.expectedSegments } : {}),
    },
  }));
}
