// The level notes: 4-bit kernels on wasm are named for what they cost; q4dq for what it is; nothing else is.
import { describe, expect, it } from 'vitest';
import { levelNote, levelNotes } from '../../src/core/level-note.ts';
import { DEVICES, DTYPES } from '../../src/core/vocab.ts';

describe('levelNote', () => {
  it('names the op that dequantizes every call for each 4-bit kernel level on wasm, and only there', () => {
    expect(levelNote('q4', 'wasm')).toMatch(/^q4 on wasm: .* MatMulNBits dequantizes every weight to fp32 on every call .*q4dq/);
    expect(levelNote('q4f16', 'wasm')).toMatch(/MatMulNBits/);
    expect(levelNote('bnb4', 'wasm')).toMatch(/MatMulBnb4 dequantizes/);
    for (const d of ['q4', 'q4f16', 'bnb4'] as const) expect(levelNote(d, 'webgpu')).toBeNull();
    expect(levelNote('q4dq', 'webgpu')).toMatch(/^q4dq: a 4-bit download .* once at load/);
    const quiet = DTYPES.filter((d) => !['q4', 'q4f16', 'bnb4', 'q4dq'].includes(d));
    for (const d of quiet) for (const dev of DEVICES) expect(levelNote(d, dev), `${d} ${dev}`).toBeNull();
  });
  it('levelNotes gives each note once, in the order met', () => {
    const notes = levelNotes([
      ['q4', 'wasm'],
      ['fp32', 'wasm'],
      ['q4', 'wasm'],
      ['q4dq', 'wasm'],
      ['q4dq', 'webgpu'],
      ['q4', 'webgpu'],
    ]);
    expect(notes).toEqual([levelNote('q4', 'wasm'), levelNote('q4dq', 'wasm')]);
  });
});
