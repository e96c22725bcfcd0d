/**
 * The graph structure checks (src/onnx/structure.ts) on a run's model before onnxruntime-web creates its session:
 * a cycle, a dangling input or output, a duplicate name or an opset newer than the runtime's ends the run `errored`
 * (bad-model) with the node, the tensor and what would be valid, instead of onnxruntime's terse text. Files over
 * STRUCTURE_CHECK_MAX_BYTES are checked only once onnxruntime has refused them: decoding takes time and JS memory in
 * the run's worker (raw weights are views of the file's bytes, but weights kept as float_data become JS arrays),
 * which a large model's run should not pay, nor its memory figures show, when the file is sound.
 */
import { toErrorInfo } from '../core/result.ts';
import type { RunSpec } from '../core/spec.ts';
import { decodeModel } from '../onnx/model.ts';
import { assertStructure } from '../onnx/structure.ts';

export const STRUCTURE_CHECK_MAX_BYTES = 256 * 2 ** 20;

const what = (spec: RunSpec) => `Model "${spec.model.id}"`;

/** Throws when the bytes decode to a graph with a structural fault; bytes that do not decode are left to onnxruntime. */
export function checkStructure(spec: RunSpec, bytes: Uint8Array): void {
  let model;
  try {
    model = decodeModel(bytes, what(spec));
  } catch {
    return;
  }
  assertStructure(model, what(spec));
}

/**
 * Run `load`: a small file is checked first; a large one, or a bundled model (ondevice's own, every level of which
 * test/unit/structure.test.ts checks: a fresh worker's first decode costs ~0.2 s), when onnxruntime refuses it.
 */
export async function withStructureCheck<T>(spec: RunSpec, bytes: Uint8Array, load: () => Promise<T>): Promise<T> {
  const first = spec.model.source !== 'bundled' && bytes.byteLength <= STRUCTURE_CHECK_MAX_BYTES;
  if (first) checkStructure(spec, bytes);
  try {
    return await load();
  } catch (err) {
    const info = toErrorInfo(err);
    if (!first && info.class === 'bad-model') {
      try {
        checkStructure(spec, bytes);
      } catch (found) {
        throw Object.assign(found as Error, { raw: info.raw ?? info.message });
      }
    }
    throw err;
  }
}
