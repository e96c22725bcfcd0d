/** What to know about a quantization level on a backend before running it: one plain sentence, or null. */
import type { Device, Dtype } from './vocab.ts';

/** Levels whose 4-bit MatMuls run in onnxruntime's own 4-bit ops (MatMulNBits, MatMulBnb4). */
export const KERNEL_4BIT_DTYPES: ReadonlySet<Dtype> = new Set<Dtype>(['q4', 'q4f16', 'bnb4']);

/**
 * The note for one level on one backend. onnxruntime-web's wasm build has no 4-bit kernel (MLAS sets none for
 * wasm): MatMulNBits and MatMulBnb4 turn every weight back into fp32 on every call, then multiply.
 */
export function levelNote(dtype: Dtype, device: Device): string | null {
  if (KERNEL_4BIT_DTYPES.has(dtype) && device === 'wasm') {
    const op = dtype === 'bnb4' ? 'MatMulBnb4' : 'MatMulNBits';
    return `${dtype} on wasm: onnxruntime-web has no 4-bit kernel there, so ${op} dequantizes every weight to fp32 on every call (tens of times slower than fp32); q4dq is the same 4-bit download, dequantized once at load, at fp32 speed.`;
  }
  if (dtype === 'q4dq') return 'q4dq: a 4-bit download that onnxruntime dequantizes once at load: fp32 speed, and fp32 memory once loaded.';
  return null;
}

/** The notes for a set of (level, backend) pairs, each once, in the order first met. */
export function levelNotes(pairs: Iterable<readonly [Dtype, Device]>): string[] {
  const notes = new Set<string>();
  for (const [dtype, device] of pairs) {
    const note = levelNote(dtype, device);
    if (note) notes.add(note);
  }
  return [...notes];
}
