/** The figures rules read from runs (p50, decode speed, bytes, parameters…) and the best run by a figure. */
import type { Found } from './rule.ts';
import type { RunResult } from '../../core/schema.ts';
import { DEVICES, type Device } from '../../core/vocab.ts';

export type Figure = (r: RunResult) => number | null;
export interface Best {
  run: RunResult;
  value: number;
}

/** The run with the best figure ("best backend": the completed run with the best figure among the devices present). */
export function best(runs: readonly RunResult[], figure: Figure, direction: 'max' | 'min'): Best | null {
  let out: Best | null = null;
  for (const run of runs) {
    const value = figure(run);
    if (value === null || !Number.isFinite(value)) continue;
    if (!out || (direction === 'max' ? value > out.value : value < out.value)) out = { run, value };
  }
  return out;
}

/** The engine and level a run used, as evidence names them ("wllama q4_0", "ort q4", "transformers.js q8"). */
export const engineLevel = (r: RunResult): string => `${r.engine === 'transformers' ? 'transformers.js' : r.engine} ${r.model.dtype}`;
/** Where a run ran, for sentences: the backend, then the engine and level ("wasm (wllama q4_0)"). */
export const where = (r: RunResult): string => `${r.device} (${engineLevel(r)})`;

export const p50: Figure = (r) => r.timings.latency?.p50Ms ?? null;
export const decode: Figure = (r) => r.generation?.decodeTokPerS ?? null;
export const ttft: Figure = (r) => r.generation?.ttftMs ?? null;
export const bytes: Figure = (r) => r.model.bytes;
export const flops: Figure = (r) => r.model.flops;
/** Peak memory of a run: the WASM heap, plus live GPU buffers on WebGPU (where the weights are). */
export const peakBytes: Figure = (r) => {
  const heap = r.memory.wasmHeapPeakBytes;
  if (heap === null) return null;
  if (r.device !== 'webgpu') return heap;
  return r.memory.gpuBufferPeakBytes === null ? null : heap + r.memory.gpuBufferPeakBytes;
};
/**
 * Parameters counted in the built graph. NOTE: a replica run starts with the catalog's published count in
 * `model.params` (emptyResult copies the reference's); the runtime replaces it with the graph's count when it builds
 * the graph, just before the fit check records `memory.predicted`. So a replica run with a prediction carries the
 * graph's count whatever its state (a run that did not fit still counted its graph); one without carries only the
 * published figure, which must not be taken for a measurement.
 */
export const graphParams: Figure = (r) =>
  r.model.source === 'replica' ? (r.memory.predicted !== null ? r.model.params : null) : r.state === 'completed' ? r.model.params : null;

/** The devices on which both runs lists have a completed run with the figure, with each side's best run there. */
export function pairs(a: Found, b: Found, fa: Figure, fb: Figure, direction: 'max' | 'min'): { device: Device; a: Best; b: Best }[] {
  const out: { device: Device; a: Best; b: Best }[] = [];
  for (const device of DEVICES) {
    const x = best(
      a.completed.filter((r) => r.device === device),
      fa,
      direction,
    );
    const y = best(
      b.completed.filter((r) => r.device === device),
      fb,
      direction,
    );
    if (x && y) out.push({ device, a: x, b: y });
  }
  return out;
}

/** Those of `found` with no completed run: what a check lacks. */
export const need = (...found: Found[]): Found[] => found.filter((f) => f.completed.length === 0);
