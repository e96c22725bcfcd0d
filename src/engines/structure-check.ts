/**
 * The graph structure checks (src/onnx/structure.ts) on a run's model before onnxruntime-web creates its session:
 * a cycle, a dangling input or output, a duplicate name or an opset newer than the runtime's ends the run `errored`
 * (bad-model) with the node, the tensor and what would be valid, instead of onnxruntime's terse text. Files over
 * STRUCTURE_CHECK_MAX_BYTES are checked only once onnxruntime has refused them: decoding holds a second copy of the
 * file in the worker, which a large model's run should not pay (nor its memory figures show) when the file is sound.
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

/** Run `load`: a small file is checked first; a large one, when onnxruntime refuses it as a bad model. */
export async function withStructureCheck<T>(spec: RunSpec, bytes: Uint8Array, load: () => Promise<T>): Promise<T> {
  const small = bytes.byteLength <= STRUCTURE_CHECK_MAX_BYTES;
  if (small) checkStructure(spec, bytes);
  try {
    return await load();
  } catch (err) {
    const info = toErrorInfo(err);
    if (!small && info.class === 'bad-model') {
      try {
        checkStructure(spec, bytes);
      } catch (found) {
        throw Object.assign(found as Error, { raw: info.raw ?? info.message });
      }
    }
    throw err;
  }
}
