/**
 * The buffer sizes llama.cpp prints while it loads a model ("load_tensors:   CPU model buffer size = 0.17 MiB",
 * "llama_kv_cache:   CPU KV buffer size = 1.00 MiB", "sched_reserve:   CPU compute buffer size = 5.78 MiB",
 * "llama_context:   CPU  output buffer size = 0.00 MiB"), as the run's `memory.engineBuffers`. The wllama engine reads
 * them from llama.cpp's log, since the WebAssembly memory they live in belongs to a worker the run cannot see.
 */
export interface EngineBuffer {
  backend: string;
  kind: 'model' | 'kv' | 'compute' | 'output';
  bytes: number;
}

const LINE = /(\S+)\s+(model|KV|compute|output) buffer size\s*=\s*([\d.]+) MiB/;

/** Every buffer the lines name, summed per backend and kind, in the order first seen. */
export function llamaBuffers(lines: readonly string[]): EngineBuffer[] {
  const found = new Map<string, EngineBuffer>();
  for (const line of lines) {
    const m = LINE.exec(line);
    if (!m) continue;
    const kind = m[2] === 'KV' ? 'kv' : (m[2] as EngineBuffer['kind']);
    const key = `${m[1]}:${kind}`;
    const bytes = Math.round(Number(m[3]) * 1024 * 1024);
    const seen = found.get(key);
    if (seen) seen.bytes += bytes;
    else found.set(key, { backend: m[1]!, kind, bytes });
  }
  return [...found.values()];
}
