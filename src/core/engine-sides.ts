/**
 * The engines side by side on the same language model: onnxruntime-web (our ORT loop), transformers.js and wllama
 * (llama.cpp) each run the levels of their own format (ONNX q4, GGUF q4_0…), so they are compared per size class of
 * the weights (4-bit, 8-bit, 16-bit, 32-bit), not per level name. Pure.
 */
import type { RunResult } from './schema.ts';
import { levelNote } from './level-note.ts';
import { DEVICES, ENGINES, type Device, type Dtype, type Engine, type GgufDtype } from './vocab.ts';

/** The bits a level stores each weight in: what makes an ONNX level and a GGUF level comparable. */
export const SIZE_CLASSES = ['4-bit', '8-bit', '16-bit', '32-bit'] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];

export const SIZE_CLASS: Readonly<Record<Dtype, SizeClass>> = Object.freeze({
  fp32: '32-bit',
  fp16: '16-bit',
  q8: '8-bit',
  int8: '8-bit',
  uint8: '8-bit',
  q4: '4-bit',
  q4dq: '4-bit',
  q4f16: '4-bit',
  bnb4: '4-bit',
  f32: '32-bit',
  f16: '16-bit',
  q8_0: '8-bit',
  q4_0: '4-bit',
  q4_k_m: '4-bit',
});

/** The GGUF level of the same size class as an ONNX level a claim or a user names (q4 → q4_0); null for the rest. */
export const GGUF_TWIN: Readonly<Partial<Record<Dtype, GgufDtype>>> = Object.freeze({ fp32: 'f32', fp16: 'f16', q8: 'q8_0', q4: 'q4_0' });

/** GGUF levels beside an ONNX level besides its GGUF_TWIN: llama.cpp's Q4_K_M mix is 4-bit (4.5–6.6 bits a weight) as q4 is. */
const MORE_TWINS: Readonly<Partial<Record<GgufDtype, Dtype>>> = Object.freeze({ q4_k_m: 'q4' });

/** The ONNX level a GGUF level stands beside (q4_0 → q4, q4_k_m → q4): the level claims and tables name a size class by; others are their own. */
export const onnxTwin = (dtype: Dtype): Dtype =>
  (Object.keys(GGUF_TWIN) as Dtype[]).find((d) => GGUF_TWIN[d] === dtype) ?? MORE_TWINS[dtype as GgufDtype] ?? dtype;

/** Short names of the engines in narrow columns. */
export const ENGINE_SHORT: Readonly<Record<Engine, string>> = Object.freeze({ ort: 'ort', transformers: 'tjs', wllama: 'wllama' });

/** One engine's best run in a row: the level of its class it decoded fastest at. */
export interface EngineCell {
  engine: Engine;
  dtype: Dtype;
  runId: string;
  ttftMs: number | null;
  prefillTokPerS: number | null;
  decodeTokPerS: number | null;
  tpotP50Ms: number | null;
  /** What to know about this level on this backend (onnxruntime-web's q4 on wasm has no 4-bit kernel), or null. */
  note: string | null;
}

export interface EngineSidesRow {
  model: string;
  device: Device;
  size: SizeClass;
  /** Per engine that completed a generation of this model, backend and class; absent where none did. */
  cells: Partial<Record<Engine, EngineCell>>;
  /** The engine that decoded fastest, and how many times the slowest engine's rate it reached (null with one rate). */
  fastest: { engine: Engine; dtype: Dtype; decodeTokPerS: number; overSlowest: number | null } | null;
}

export interface EngineSides {
  /** The engines that have a cell in some row, in ENGINES order: the table's column groups. */
  engines: Engine[];
  rows: EngineSidesRow[];
}

const cellOf = (r: RunResult): EngineCell => ({
  engine: r.engine,
  dtype: r.model.dtype,
  runId: r.id,
  ttftMs: r.generation?.ttftMs ?? null,
  prefillTokPerS: r.generation?.prefillTokPerS ?? null,
  decodeTokPerS: r.generation?.decodeTokPerS ?? null,
  tpotP50Ms: r.generation?.tpot?.p50Ms ?? null,
  note: levelNote(r.model.dtype, r.device),
});

/** Whether cell `a` is the better pick of two of the same engine: a decode rate beats none, then the higher rate; the later run on a tie. */
const better = (a: EngineCell, b: EngineCell): boolean => (a.decodeTokPerS ?? -1) >= (b.decodeTokPerS ?? -1);

/**
 * Completed generation runs (context sweeps left out) grouped by model, backend and size class; a row where at least
 * two engines ran. Each engine's cell is its fastest decoding level of the class (the last run of a repeated spec).
 * Rows in the order of the models' first runs, then backend and class order.
 */
export function engineSides(results: readonly RunResult[]): EngineSides {
  const rows = new Map<string, EngineSidesRow>();
  const models: string[] = [];
  for (const r of results) {
    if (r.state !== 'completed' || !r.generation || r.generation.contexts) continue;
    if (!models.includes(r.model.id)) models.push(r.model.id);
    const size = SIZE_CLASS[r.model.dtype];
    const key = `${r.model.id}\u0000${r.device}\u0000${size}`;
    const row = rows.get(key) ?? { model: r.model.id, device: r.device, size, cells: {}, fastest: null };
    rows.set(key, row);
    const cell = cellOf(r);
    const had = row.cells[r.engine];
    if (!had || better(cell, had)) row.cells[r.engine] = cell;
  }
  const order = (row: EngineSidesRow) => models.indexOf(row.model) * 100 + DEVICES.indexOf(row.device) * 10 + SIZE_CLASSES.indexOf(row.size);
  const out = [...rows.values()].filter((row) => Object.keys(row.cells).length >= 2).sort((a, b) => order(a) - order(b));
  for (const row of out) {
    const rates = Object.values(row.cells).filter((c) => c.decodeTokPerS !== null && c.decodeTokPerS > 0);
    if (!rates.length) continue;
    const top = rates.reduce((a, b) => (b.decodeTokPerS! > a.decodeTokPerS! ? b : a));
    const low = Math.min(...rates.map((c) => c.decodeTokPerS!));
    row.fastest = {
      engine: top.engine,
      dtype: top.dtype,
      decodeTokPerS: top.decodeTokPerS!,
      overSlowest: rates.length >= 2 ? top.decodeTokPerS! / low : null,
    };
  }
  return { engines: ENGINES.filter((e) => out.some((row) => row.cells[e])), rows: out };
}
