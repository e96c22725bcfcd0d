/**
 * fp16 (and q4f16's second step): weights and compute in float16; the main graph's float inputs and outputs stay
 * float32 through Casts. BatchNormalization's statistics are folded in fp32 first (fold-bn.ts); a weight that is
 * still past fp16's range is named in the report's notes.
 */
import { collectWeights, forEachGraph } from '../graph.ts';
import { getAttribute, tensorDims, toNumber, type GraphProto, type NodeProto } from '../model.ts';
import { DataType } from '../onnx-schema.ts';
import { float16Tensor, readFloats } from '../tensor.ts';
import { FP16_MAX, foldBatchNormStats } from './fold-bn.ts';
import { attr, makeNode, type Rewriter } from './rewriter.ts';

/** Inputs that must stay float32 whatever the model's compute type, by op and slot. */
const FLOAT32_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Resize: [1, 2],
  Upsample: [1],
  DynamicQuantizeLinear: [0],
  DequantizeLinear: [1],
};

function retypeValueInfos(g: GraphProto, from: number, to: number): void {
  for (const v of [...g.input, ...g.output]) {
    const t = v.type?.tensorType;
    if (t && t.elemType === from) t.elemType = to;
  }
  // Intermediate types change everywhere: let the runtime infer them again.
  g.valueInfo = [];
}

/** Weights and compute in fp16; the main graph's float inputs and outputs stay float32 through Casts. */
export function toFloat16(rw: Rewriter): void {
  const model = rw.model;
  foldBatchNormStats(rw);
  const fp32Only = new Set<string>();
  forEachGraph(model, (g) => {
    for (const n of g.node) for (const slot of FLOAT32_SLOTS[n.opType] ?? []) if (n.input[slot]) fp32Only.add(n.input[slot]!);
  });
  // Collected afresh: a 4-bit pass (and the fold) before this one added tensors that must turn fp16 too.
  const overflowing: string[] = [];
  const used = new Set<string>();
  forEachGraph(model, (g) => g.node.forEach((n) => n.input.forEach((i) => used.add(i))));
  for (const w of collectWeights(model)) {
    if (w.tensor.dataType !== DataType.FLOAT || fp32Only.has(w.name)) continue;
    if (w.tensor.synthetic) {
      w.tensor.dataType = DataType.FLOAT16;
      continue;
    }
    const values = readFloats(w.tensor)!;
    if (used.has(w.name) && values.some((v) => Math.abs(v) > FP16_MAX)) overflowing.push(w.name);
    const half = float16Tensor(w.tensor.name, tensorDims(w.tensor), values);
    if (w.constantNode) getAttribute(w.constantNode, 'value')!.t = half;
    else Object.assign(w.tensor, { dataType: DataType.FLOAT16, rawData: half.rawData, floatData: [] });
  }
  if (overflowing.length)
    rw.report.notes.push(
      `${overflowing.length} weights have values past fp16's ±${FP16_MAX} and hold ±inf in fp16 (e.g. "${overflowing[0]}"): outputs that depend on them may be wrong`,
    );
  forEachGraph(model, (g, depth) => {
    for (const n of g.node) {
      const to = getAttribute(n, 'to');
      if (n.opType === 'Cast' && to && toNumber(to.i) === DataType.FLOAT && !n.output.every((o) => fp32Only.has(o))) to.i = DataType.FLOAT16;
      const value = getAttribute(n, 'value');
      if (n.opType === 'ConstantOfShape' && value?.t?.dataType === DataType.FLOAT)
        value.t = float16Tensor(value.t.name, tensorDims(value.t), readFloats(value.t)!);
    }
    if (depth > 0) retypeValueInfos(g, DataType.FLOAT, DataType.FLOAT16);
  });
  const graph = model.graph!;
  const head: NodeProto[] = [];
  const tail: NodeProto[] = [];
  const rename = new Map<string, string>();
  for (const v of graph.input) {
    if (v.type?.tensorType?.elemType !== DataType.FLOAT || rw.weights.has(v.name)) continue;
    const half = rw.unique(`${v.name}_fp16`);
    head.push(makeNode('Cast', [v.name], [half], [attr('to', DataType.FLOAT16)]));
    rename.set(v.name, half);
  }
  const renameInputs = (g: GraphProto) => g.node.forEach((n) => (n.input = n.input.map((i) => rename.get(i) ?? i)));
  forEachGraph(model, renameInputs);
  for (const v of graph.output) {
    if (v.type?.tensorType?.elemType !== DataType.FLOAT) continue;
    const half = rw.unique(`${v.name}_fp16`);
    for (const n of graph.node) n.output = n.output.map((o) => (o === v.name ? half : o));
    forEachGraph(model, (g) => g.node.forEach((n) => (n.input = n.input.map((i) => (i === v.name ? half : i)))));
    tail.push(makeNode('Cast', [half], [v.name], [attr('to', DataType.FLOAT)]));
  }
  graph.node = [...head, ...graph.node, ...tail];
  graph.valueInfo = [];
}
