/**
 * fp16's first step: BatchNormalization's statistics folded into a scale and a shift, in fp32, before any weight
 * becomes fp16. BatchNormalization computes scale·(x − mean)/√(var + ε) + B; a trained network's running variance
 * can pass fp16's largest value (65504) — PP-OCRv4 det's head has variances of 1e7–1e8 — and turns to +inf, so
 * the op outputs B alone and the whole map goes flat. The folded form (mean 0, var 1) computes the same function
 * with numbers fp16 holds, and ε no longer has to survive as an fp16 subnormal.
 */
import { forEachGraph } from '../graph.ts';
import { getAttribute, tensorDims, type TensorProto } from '../model.ts';
import { DataType } from '../onnx-schema.ts';
import { floatTensor, readFloats } from '../tensor.ts';
import type { Rewriter } from './rewriter.ts';

/** fp16's largest finite value. */
export const FP16_MAX = 65504;

/** Fold every BatchNormalization whose four statistics are constant float tensors; returns how many. */
export function foldBatchNormStats(rw: Rewriter): number {
  let folded = 0;
  let overflowing = 0;
  forEachGraph(rw.model, (g) => {
    for (const n of g.node) {
      if (n.opType !== 'BatchNormalization' || (n.domain && n.domain !== 'ai.onnx') || n.output.length > 1) continue;
      const params = n.input.slice(1, 5).map((name) => rw.weights.get(name));
      if (params.length !== 4 || params.some((p) => !p || p.tensor.dataType !== DataType.FLOAT || p.tensor.synthetic)) continue;
      const [scale, bias, mean, variance] = params.map((p) => readFloats(p!.tensor));
      if (!scale || !bias || !mean || !variance) continue;
      const c = scale.length;
      if (![bias, mean, variance].every((v) => v.length === c)) continue;
      const eps = getAttribute(n, 'epsilon')?.f ?? 1e-5;
      // √(1 + ε) keeps the result exact for the new variance of 1 (BatchNormalization still adds ε to it).
      const keep = Math.sqrt(1 + eps);
      const s = new Float32Array(c);
      const b = new Float32Array(c);
      for (let i = 0; i < c; i++) {
        s[i] = (scale[i]! / Math.sqrt(variance[i]! + eps)) * keep;
        b[i] = bias[i]! - (mean[i]! * s[i]!) / keep;
      }
      if (variance.some((v) => v > FP16_MAX) || mean.some((m) => Math.abs(m) > FP16_MAX)) overflowing++;
      const dims = tensorDims(params[0]!.tensor);
      const add = (base: string, values: Float32Array): string => {
        const t: TensorProto = floatTensor(rw.unique(`${n.input[0]}_${base}`), dims, values);
        g.initializer.push(t);
        return t.name;
      };
      n.input = [n.input[0]!, add('bn_scale', s), add('bn_shift', b), add('bn_mean0', new Float32Array(c)), add('bn_var1', new Float32Array(c).fill(1))];
      folded++;
    }
  });
  if (folded)
    rw.report.notes.push(
      `folded the statistics of ${folded} BatchNormalization nodes into a scale and a shift in fp32 before fp16` +
        (overflowing ? ` (${overflowing} had a running mean or variance past fp16's 65504, which would have been +inf)` : ''),
    );
  return folded;
}
