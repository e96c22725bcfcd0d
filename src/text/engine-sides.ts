/** The engines side by side as cells of text, for the app's table and the report's (the CLI has its own narrow layout). */
import { ENGINE_SHORT, engineSides, type EngineCell } from '../core/engine-sides.ts';
import type { RunResult } from '../core/schema.ts';
import { ENGINE_LABEL } from '../core/vocab.ts';
import { formatMs, formatRate } from './format.ts';

export interface EngineSidesText {
  head: string[];
  /** Per row: its cells (as `head`), and the runs they come from. */
  rows: { cells: string[]; runIds: string[] }[];
  /** The notes of the starred levels, each once, then what the figures are. */
  notes: string[];
}

/** Per engine: its level (starred when it has a note), decode tok/s, TTFT and prefill tok/s. */
const FIGURES: readonly [string, (c: EngineCell) => string][] = [
  ['level', (c) => `${c.dtype}${c.note ? ' *' : ''}`],
  ['decode tok/s', (c) => formatRate(c.decodeTokPerS)],
  ['TTFT', (c) => formatMs(c.ttftMs)],
  ['prefill tok/s', (c) => formatRate(c.prefillTokPerS)],
];

/** A row per model, backend and size class where at least two engines completed a generation; null when none. */
export function engineSidesText(results: readonly RunResult[]): EngineSidesText | null {
  const { engines, rows } = engineSides(results);
  if (rows.length === 0) return null;
  const head = ['model', 'backend', 'weights', ...engines.flatMap((e) => FIGURES.map(([f]) => `${ENGINE_SHORT[e]} ${f}`)), 'fastest decode'];
  const notes = new Set<string>();
  const out = rows.map((row) => {
    const cells = [row.model.replace(/^replica:(.*\/)?/, ''), row.device, row.size];
    for (const e of engines) {
      const c = row.cells[e];
      if (c?.note) notes.add(c.note);
      cells.push(...FIGURES.map(([, f]) => (c ? f(c) : '—')));
    }
    const f = row.fastest;
    cells.push(f ? `${ENGINE_LABEL[f.engine]} ${f.dtype}${f.overSlowest === null ? '' : `, ${f.overSlowest.toFixed(1)}× the slowest`}` : '—');
    return { cells, runIds: Object.values(row.cells).map((c) => c.runId) };
  });
  const legend = `${engines.map((e) => `${ENGINE_SHORT[e]}: ${ENGINE_LABEL[e]}`).join(', ')}. Each engine runs the levels of its own format (GGUF q4_0 for wllama, ONNX q4 for the others); a row puts each engine's fastest level of the same size class of weights side by side.`;
  return { head, rows: out, notes: [...[...notes].map((n) => `* ${n}`), legend] };
}
