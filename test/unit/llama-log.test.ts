// llama.cpp's load log → the buffers a wllama run records (lines as wllama 3.13's llama.cpp b12211 prints them).
import { describe, expect, it } from 'vitest';
import { llamaBuffers } from '../../src/core/llama-log.ts';

const MiB = 1024 * 1024;

describe('llamaBuffers', () => {
  it('reads model, KV, compute and output buffers per backend and ignores the other lines', () => {
    const lines = [
      'print_info: file size   = 0.17 MiB (8.55 BPW) ',
      'load_tensors:          CPU model buffer size =     0.17 MiB',
      'llama_context:        CPU  output buffer size =     0.00 MiB',
      'llama_kv_cache:        CPU KV buffer size =     1.00 MiB',
      'llama_kv_cache: size =    1.00 MiB (  4096 cells,   2 layers,  1/1 seqs), K (f16):    0.50 MiB, V (f16):    0.50 MiB',
      'sched_reserve:        CPU compute buffer size =     5.78 MiB',
    ];
    expect(llamaBuffers(lines)).toEqual([
      { backend: 'CPU', kind: 'model', bytes: Math.round(0.17 * MiB) },
      { backend: 'CPU', kind: 'output', bytes: 0 },
      { backend: 'CPU', kind: 'kv', bytes: MiB },
      { backend: 'CPU', kind: 'compute', bytes: Math.round(5.78 * MiB) },
    ]);
  });

  it('sums a backend that prints the same kind twice and keeps backends apart', () => {
    const lines = [
      'load_tensors:   CPU_Mapped model buffer size =   100.00 MiB',
      'load_tensors:       WebGPU model buffer size =  1500.50 MiB',
      'sched_reserve:      WebGPU compute buffer size =    10.00 MiB',
      'sched_reserve:      WebGPU compute buffer size =     2.00 MiB',
    ];
    expect(llamaBuffers(lines)).toEqual([
      { backend: 'CPU_Mapped', kind: 'model', bytes: 100 * MiB },
      { backend: 'WebGPU', kind: 'model', bytes: Math.round(1500.5 * MiB) },
      { backend: 'WebGPU', kind: 'compute', bytes: 12 * MiB },
    ]);
    expect(llamaBuffers(['nothing here'])).toEqual([]);
  });
});
