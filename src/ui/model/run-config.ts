/** What the run form holds, as plain data: presets make one, share links carry one, the form turns one into a plan. */
import type { Catalog } from '../../core/catalog.ts';
import type { SuitePlan } from '../../core/plan.ts';
import { DEFAULT_WORKLOAD, type Workload } from '../../core/spec.ts';
import { type Device, type Dtype, type Engine } from '../../core/vocab.ts';

export interface RunConfig {
  /** Catalog ids, `replica:NAME`, `hub:ORG/NAME` or http(s) URLs, as SuitePlan takes them. */
  models: string[];
  dtypes: Dtype[] | 'shipped';
  devices: Device[];
  engines: Engine[] | 'auto';
  iterations: number;
  warmup: number;
  /** WASM threads; null: auto (calibrated per device); `sweep`: one model at every count. */
  threads: number | 'sweep' | null;
  /** Stop measuring after this long; null: run every iteration. */
  timeBudgetMs: number | null;
  /** One more iteration per run with onnxruntime's profiler (ORT engine runs): the top operators. Absent: off. */
  profile?: boolean;
}

export const DEFAULT_CONFIG: Readonly<RunConfig> = Object.freeze<RunConfig>({
  models: [],
  dtypes: ['fp32'],
  devices: ['wasm', 'webgpu'],
  engines: 'auto',
  iterations: 20,
  warmup: 2,
  threads: null,
  timeBudgetMs: 10_000,
});

export const PRESETS = ['quick', 'full', 'claims'] as const;
export type Preset = (typeof PRESETS)[number];

/** The model Quick check runs: the generated MLP loads in milliseconds on every backend. */
const QUICK_MODEL = 'mlp-1m';

/**
 * The configuration a preset stands for. `claims` has none of its own: the claims check decides its runs, so it
 * returns null and the caller hands over to it.
 */
export function presetConfig(preset: Preset, catalog: Catalog): RunConfig | null {
  switch (preset) {
    case 'quick': {
      const model = catalog.models.find((m) => m.id === QUICK_MODEL) ?? catalog.models[0];
      return { ...DEFAULT_CONFIG, models: model ? [model.id] : [], dtypes: ['fp32'], devices: ['wasm'], iterations: 5, warmup: 1, timeBudgetMs: 5_000 };
    }
    // Every level each model ships: asking every model for every level would add runs that can only be unsupported.
    case 'full':
      return { ...DEFAULT_CONFIG, models: catalog.models.map((m) => m.id), dtypes: 'shipped', devices: ['wasm', 'webgpu'] };
    case 'claims':
      return null;
  }
}

/** A suite plan from a configuration and the workload fields the configuration does not carry (prompt, tokens). */
export function planOf(config: RunConfig, extra: Pick<Workload, 'generation'> & Pick<SuitePlan, 'roofline'> = {}): SuitePlan {
  const { roofline, ...workloadExtra } = extra;
  return {
    models: config.models,
    devices: config.devices,
    dtypes: config.dtypes,
    engines: config.engines,
    // The app warms up as the CLI does: at least `warmup` runs, then until steady (src/core/warmup.ts).
    workload: {
      iterations: config.iterations,
      warmup: config.warmup,
      warmupCapMs: DEFAULT_WORKLOAD.warmupCapMs ?? null,
      timeBudgetMs: config.timeBudgetMs,
      numThreads: config.threads,
      ...(config.profile ? { profile: true } : {}),
      ...workloadExtra,
    },
    ...(roofline ? { roofline } : {}),
  };
}
