/**
 * The quantizer: one fp32 ONNX model in, each of transformers.js's levels out (fp16, q8, int8, uint8, q4, q4f16,
 * bnb4) and ondevice's q4dq, with a report of what was quantized and what was left as it was. Pure: bytes in,
 * bytes out. This module is the entry (quantizeModel, quantizeGraph); its parts are in quantize/: the options and
 * report (types.ts), the rewriting state (rewriter.ts), the per-op pass of the 8- and 4-bit levels (pass.ts), 8-bit
 * (int8.ts), 4-bit packing (pack4.ts), q4dq (q4dq.ts) and fp16 (fp16.ts, after
 * fold-bn.ts folds BatchNormalization's statistics in fp32).
 */
import { isGgufDtype, ONNX_DTYPES, type Dtype } from '../core/vocab.ts';
import { collectWeights, forEachGraph } from './graph.ts';
import { decodeModel, encodeModel, type ModelProto } from './model.ts';
import { DataType } from './onnx-schema.ts';
import { tensorBytes } from './tensor.ts';
import { toFloat16 } from './quantize/fp16.ts';
import { quantizeGraphs } from './quantize/pass.ts';
import { Rewriter } from './quantize/rewriter.ts';
import type { QuantizedModel, QuantizeOptions, QuantizeReport } from './quantize/types.ts';

export type { QuantizedModel, QuantizeOptions, QuantizeReport } from './quantize/types.ts';
export { QUANTIZE_LEVELS } from './quantize/types.ts';
export { quantize8 } from './quantize/int8.ts';
export { blockQuantize4, packBnb4, packNBits, packNibbles, symmetricScale } from './quantize/pack4.ts';

/** Drop nodes whose outputs nobody reads any more (the fp32 weights that were replaced). */
function pruneUnusedConstants(model: ModelProto): void {
  const used = new Set<string>();
  forEachGraph(model, (g) => {
    for (const n of g.node) for (const i of n.input) used.add(i);
    for (const o of g.output) used.add(o.name);
  });
  forEachGraph(model, (g) => {
    g.node = g.node.filter((n) => n.opType !== 'Constant' || n.output.some((o) => used.has(o)));
    g.initializer = g.initializer.filter((t) => used.has(t.name));
  });
}

/** What the quantizer cannot do with a file (not a fault of the file): results call it `unsupported`. */
const unsupported = (message: string) => Object.assign(new Error(message), { name: 'UnsupportedError' });

/** Build one level from fp32 ONNX bytes. `what` names the input in errors. */
export function quantizeModel(fp32: Uint8Array, level: Dtype, options: QuantizeOptions = {}, what = 'the model'): QuantizedModel {
  const model = decodeModel(fp32, what);
  let report: QuantizeReport;
  let bytes: Uint8Array;
  try {
    report = quantizeGraph(model, level, options, what, fp32.byteLength);
    bytes = encodeModel(model);
  } catch (err) {
    // Whatever a damaged file trips on, the message names the file and the level (the error keeps its class).
    const e = err as Error;
    if (!e.message.includes(what)) e.message = `${what} could not be made ${level}: ${e.message}`;
    throw e;
  }
  report.bytesAfter = bytes.byteLength;
  return { bytes, report };
}

/**
 * Rewrite a model to one level, in place. Synthetic weights (replicas) are rewritten to synthetic tensors of the
 * level's types and shapes, so a replica of any size is quantized without its fp32 values ever existing.
 */
export function quantizeGraph(model: ModelProto, level: Dtype, options: QuantizeOptions = {}, what = 'the model', bytesBefore = 0): QuantizeReport {
  if (isGgufDtype(level))
    throw unsupported(
      `${level} is a GGUF level (llama.cpp's blocks, made by src/gguf for the wllama engine); the ONNX quantizer makes ${ONNX_DTYPES.join(', ')}`,
    );
  const opts: Required<QuantizeOptions> = { blockSize: 32, zeroPoints: false, bnb4Type: 1, ...options };
  if (!(opts.blockSize >= 16 && (opts.blockSize & (opts.blockSize - 1)) === 0)) {
    throw new Error(`block size ${opts.blockSize} is not valid: use a power of two ≥ 16 (32 is usual)`);
  }
  const rw = new Rewriter(model, level, bytesBefore);
  const external = [...rw.weights.values()].filter((w) => w.tensor.dataLocation === 1);
  if (external.length)
    throw unsupported(`${what} keeps ${external.length} weights in external data files (e.g. "${external[0]!.name}"), which the quantizer does not read yet`);
  if ([...rw.weights.values()].some((w) => w.tensor.dataType === DataType.FLOAT16)) {
    throw unsupported(`${what} already has fp16 weights: the quantizer starts from an fp32 model`);
  }
  if (level !== 'fp32' && level !== 'fp16') quantizeGraphs(rw, level, opts);
  if (level === 'fp16' || level === 'q4f16') toFloat16(rw);
  pruneUnusedConstants(model);
  if (level !== 'fp16') {
    // What still multiplies by a float weight after the rewrite: the ops this level left as they were.
    const floatWeights = new Set(
      collectWeights(model)
        .filter((w) => w.tensor.dataType === DataType.FLOAT || w.tensor.dataType === DataType.FLOAT16)
        .map((w) => w.name),
    );
    forEachGraph(model, (g) => {
      for (const n of g.node) {
        if (['MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'LSTM', 'GRU'].includes(n.opType) && n.input.slice(1).some((i) => floatWeights.has(i))) {
          rw.report.untouchedOps[n.opType] = (rw.report.untouchedOps[n.opType] ?? 0) + 1;
        }
      }
    });
  }
  return rw.report;
}

/** Bytes of all weights in a model (for size ratios independent of graph overhead). */
export function weightBytesOf(bytes: Uint8Array): number {
  return collectWeights(decodeModel(bytes)).reduce((s, w) => s + tensorBytes(w.tensor), 0);
}
