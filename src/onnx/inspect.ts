/** The ONNX inspector: opsets, I/O, parameter count, bytes by dtype, op histogram, and a FLOPs estimate. */
import { collectWeights, forEachGraph, nodeLabel, type Weight } from './graph.ts';
import { attributeInt, elementCount, isExternal, tensorDims, toNumber, type ModelProto, type NodeProto, type ValueInfoProto } from './model.ts';
import { DATA_TYPE_NAMES, DataType } from './onnx-schema.ts';
import { structureProblems } from './structure.ts';
import { tensorBytes } from './tensor.ts';

export interface ValueInfo {
  name: string;
  type: string;
  /** A number, a symbolic name, or null when unknown. */
  shape: (number | string | null)[] | null;
}

export interface ModelInspection {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: number;
  subgraphs: number;
  opHistogram: Record<string, number>;
  /** Learned values: see `countsAsParameter`. Quantized weights count their logical elements. */
  params: number;
  weightBytes: number;
  bytesByDtype: Record<string, number>;
  weights: number;
  externalData: string[];
  /** Structural faults onnxruntime-web would refuse the model for (structure.ts); empty for a sound graph. */
  problems: string[];
}

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16]);
const QUANT_TYPES = new Set<number>([DataType.INT8, DataType.UINT8, DataType.INT4, DataType.UINT4]);

/** Inputs of quantized ops that hold quantization metadata (scales, zero points), by op: not parameters. */
const METADATA_SLOTS: Readonly<Record<string, readonly number[]>> = {
  DequantizeLinear: [1, 2],
  QuantizeLinear: [1, 2],
  MatMulInteger: [2, 3],
  MatMulNBits: [2, 3, 4],
  MatMulBnb4: [2],
  DynamicQuantizeLinear: [],
};

function valueInfo(v: ValueInfoProto): ValueInfo {
  const t = v.type?.tensorType;
  return {
    name: v.name,
    type: DATA_TYPE_NAMES[t?.elemType ?? 0] ?? 'unknown',
    // A decoded Dimension owns only the fields present in the file; the rest read as prototype defaults (0).
    shape: t?.shape ? t.shape.dim.map((d) => (d.dimParam ? d.dimParam : Object.hasOwn(d, 'dimValue') ? toNumber(d.dimValue) : null)) : null,
  };
}

/**
 * Which weights are parameters: float tensors with more than one element (scalars such as HardSwish's 3 and 6
 * are constants, not learned), and 4/8-bit tensors that are quantized weights; never scales or zero points.
 * MatMulNBits / MatMulBnb4 weights count as their logical K×N elements, not their packed bytes.
 */
function parameterCount(model: ModelProto, weights: Weight[]): number {
  const metadata = new Set<string>();
  const logical = new Map<string, number>();
  forEachGraph(model, (g) => {
    for (const node of g.node) {
      for (const slot of METADATA_SLOTS[node.opType] ?? []) if (node.input[slot]) metadata.add(node.input[slot]!);
      if ((node.opType === 'MatMulNBits' || node.opType === 'MatMulBnb4') && node.input[1]) {
        logical.set(node.input[1], attributeInt(node, 'K', 0) * attributeInt(node, 'N', 0));
      }
    }
  });
  let params = 0;
  for (const w of weights) {
    if (metadata.has(w.name)) continue;
    const n = logical.get(w.name) ?? elementCount(tensorDims(w.tensor));
    if ((FLOAT_TYPES.has(w.tensor.dataType) && n > 1) || QUANT_TYPES.has(w.tensor.dataType) || logical.has(w.name)) params += n;
  }
  return params;
}

export function inspectModel(model: ModelProto): ModelInspection {
  const graph = model.graph!;
  const histogram = new Map<string, number>();
  let nodes = 0;
  let subgraphs = -1;
  forEachGraph(model, (g) => {
    subgraphs += 1;
    for (const node of g.node) {
      nodes += 1;
      const key = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : node.opType;
      histogram.set(key, (histogram.get(key) ?? 0) + 1);
    }
  });
  const weights = collectWeights(model);
  const bytesByDtype: Record<string, number> = {};
  let weightBytes = 0;
  for (const w of weights) {
    const b = tensorBytes(w.tensor);
    weightBytes += b;
    const key = DATA_TYPE_NAMES[w.tensor.dataType] ?? `type${w.tensor.dataType}`;
    bytesByDtype[key] = (bytesByDtype[key] ?? 0) + b;
  }
  const initializerNames = new Set(graph.initializer.map((t) => t.name));
  return {
    irVersion: toNumber(model.irVersion),
    opsets: model.opsetImport.map((o) => ({ domain: o.domain || 'ai.onnx', version: toNumber(o.version) })),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    // Older exports list initializers among the inputs; those are not inputs a caller feeds.
    inputs: graph.input.filter((v) => !initializerNames.has(v.name)).map(valueInfo),
    outputs: graph.output.map(valueInfo),
    nodes,
    subgraphs,
    opHistogram: Object.fromEntries([...histogram].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
    params: parameterCount(model, weights),
    weightBytes,
    bytesByDtype,
    weights: weights.length,
    externalData: weights.filter((w) => isExternal(w.tensor)).map((w) => w.name),
    problems: structureProblems(model).map((p) => p.message),
  };
}

export interface FlopsEstimate {
  /** Floating-point operations, a multiply-add counted as 2. */
  flops: number;
  byOp: Record<string, number>;
  /** Nodes of a counted kind whose shapes were unknown (inside subgraphs, or not probed). */
  unknown: string[];
  convention: string;
}

export const FLOPS_CONVENTION =
  'multiply-add = 2 FLOPs; counts MatMul, Gemm, Conv, ConvTranspose, MatMulInteger, MatMulNBits, MatMulBnb4 and attention ops; element-wise ops, norms and activations are not counted';

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** FLOPs of one node from the shapes of its inputs and outputs; null when it is not a counted op. */
export function nodeFlops(node: NodeProto, shape: (name: string) => number[] | undefined): number | null | 'unknown' {
  const input = (i: number) => (node.input[i] ? shape(node.input[i]!) : undefined);
  const out = node.output[0] ? shape(node.output[0]) : undefined;
  switch (node.opType) {
    case 'MatMul':
    case 'MatMulInteger': {
      const a = input(0);
      if (!a || !out) return 'unknown';
      return 2 * prod(out) * (a.at(-1) ?? 1);
    }
    case 'Gemm': {
      const a = input(0);
      if (!a || !out) return 'unknown';
      const k = attributeInt(node, 'transA', 0) ? a[0]! : a[1]!;
      return 2 * prod(out) * k;
    }
    case 'MatMulNBits':
    case 'MatMulBnb4': {
      if (!out) return 'unknown';
      return 2 * prod(out) * attributeInt(node, 'K', 0);
    }
    case 'Conv': {
      const w = input(1);
      if (!w || !out) return 'unknown';
      // W is [Cout, Cin/group, k...]: each output element is a dot product over Cin/group × k... values.
      return 2 * prod(out) * prod(w.slice(1));
    }
    case 'ConvTranspose': {
      const x = input(0);
      const w = input(1);
      if (!x || !w) return 'unknown';
      // W is [Cin, Cout/group, k...]: every input element is scattered into Cout/group × k... outputs.
      return 2 * prod(x) * prod(w.slice(1));
    }
    case 'Attention':
    case 'MultiHeadAttention':
    case 'GroupQueryAttention': {
      const q = input(0);
      if (!q || !out) return 'unknown';
      // Q·Kᵀ and P·V over the sequence seen (present key length when the op exposes it, else the query's).
      const present = node.output[1] ? shape(node.output[1]) : undefined;
      const kvLen = present?.[2] ?? q[1] ?? 1;
      const hidden = out.at(-1) ?? 1;
      return 2 * 2 * (q[0] ?? 1) * (q[1] ?? 1) * kvLen * hidden;
    }
    default:
      return null;
  }
}

/** FLOPs for the main graph, given every value's shape (probed by running the model once at the chosen inputs). */
export function estimateFlops(model: ModelProto, shape: (name: string) => number[] | undefined): FlopsEstimate {
  const byOp: Record<string, number> = {};
  const unknown: string[] = [];
  let flops = 0;
  forEachGraph(model, (g, depth) => {
    for (const node of g.node) {
      const f = depth === 0 ? nodeFlops(node, shape) : nodeFlops(node, () => undefined);
      if (f === null) continue;
      if (f === 'unknown') {
        unknown.push(nodeLabel(node));
        continue;
      }
      flops += f;
      byOp[node.opType] = (byOp[node.opType] ?? 0) + f;
    }
  });
  return { flops, byOp, unknown, convention: FLOPS_CONVENTION };
}

/** Weight shapes are known without running: seed the shape lookup with them. */
export function weightShapes(model: ModelProto): Map<string, number[]> {
  return new Map(collectWeights(model).map((w) => [w.name, tensorDims(w.tensor)]));
}

/**
 * A copy of the model whose main graph also outputs every intermediate value, so one run reveals every shape.
 * Values already outputs, and weights, are skipped.
 */
export function exposeAllValues(model: ModelProto): ModelProto {
  const graph = model.graph!;
  const have = new Set([...graph.output.map((o) => o.name), ...collectWeights(model).map((w) => w.name)]);
  const extra: ValueInfoProto[] = [];
  for (const node of graph.node) {
    for (const name of node.output) {
      if (name && !have.has(name)) {
        have.add(name);
        extra.push({ name });
      }
    }
  }
  return { ...model, graph: { ...graph, output: [...graph.output, ...extra] } };
}

/** What one generated token costs a decoder, from its graph alone (no session, no shapes). */
export interface DecoderStepCost {
  /** 2 × Σ K·N over the MatMul-like ops with a weight operand: the FLOPs of one token's projections and head. */
  matmulFlops: number;
  /**
   * Bytes of weights read once per token: every weight some op other than Gather consumes is read whole; an
   * embedding table only a Gather reads gives one row per token.
   */
  weightBytes: number;
}

const MATMUL_OPS = new Set(['MatMul', 'Gemm', 'MatMulInteger', 'MatMulNBits', 'MatMulBnb4']);
/** Ops that hand a weight on unchanged in size (a transposed or dequantized lm_head): K·N is the weight's. */
const WEIGHT_PASSTHROUGH = new Set(['Transpose', 'Cast', 'DequantizeLinear']);

/** FLOPs and weight bytes of one decode step (one new token, any context), main graph only. */
export function decoderStepCost(model: ModelProto): DecoderStepCost {
  const graph = model.graph!;
  const weights = new Map(
    collectWeights(model)
      .filter((w) => w.graph === graph)
      .map((w) => [w.name, w.tensor]),
  );
  const producer = new Map<string, NodeProto>();
  for (const node of graph.node) for (const o of node.output) if (o) producer.set(o, node);
  /** The weight a value is, or is made from by a size-keeping op. */
  const weightOf = (name: string | undefined) => {
    if (!name) return undefined;
    const direct = weights.get(name);
    if (direct) return direct;
    const p = producer.get(name);
    return p && WEIGHT_PASSTHROUGH.has(p.opType) ? weights.get(p.input[0] ?? '') : undefined;
  };
  let matmulFlops = 0;
  const readWhole = new Set<string>();
  const gathered = new Set<string>();
  for (const node of graph.node) {
    if (MATMUL_OPS.has(node.opType)) {
      if (node.opType === 'MatMulNBits' || node.opType === 'MatMulBnb4') matmulFlops += 2 * attributeInt(node, 'K', 0) * attributeInt(node, 'N', 0);
      else {
        const b = weightOf(node.input[1]);
        if (b) matmulFlops += 2 * elementCount(tensorDims(b));
      }
    }
    node.input.forEach((name, slot) => {
      if (!weights.has(name)) return;
      if (node.opType === 'Gather' && slot === 0) gathered.add(name);
      else readWhole.add(name);
    });
  }
  let weightBytes = 0;
  for (const [name, t] of weights) {
    if (readWhole.has(name)) weightBytes += tensorBytes(t);
    else if (gathered.has(name)) weightBytes += tensorBytes(t) / Math.max(1, tensorDims(t)[0] ?? 1);
  }
  return { matmulFlops, weightBytes: Math.round(weightBytes) };
}
