/**
 * What every quantization pass shares: the per-graph rewriting state (weights by name, unique names, opset
 * imports, the report), node builders, and what a replica's synthetic weights become at each level.
 */
import type { Dtype } from '../../core/vocab.ts';
import { collectWeights, forEachGraph, type Weight } from '../graph.ts';
import { AttributeType, tensorDims, toNumber, type AttributeProto, type ModelProto, type NodeProto, type TensorProto } from '../model.ts';
import { DataType } from '../onnx-schema.ts';
import { WEIGHT_STD } from '../synthetic.ts';
import { readFloats } from '../tensor.ts';
import type { QuantizeReport } from './types.ts';

/**
 * A float weight for the rewrite: its values, or null for a replica's synthetic weight (see synthetic.ts), which
 * the rewrite turns into synthetic tensors of the level's types and shapes without ever making the fp32 values.
 */
export type FloatWeight = { values: Float32Array | null; dims: number[]; std?: number };

// What synthetic quantized tensors hold: random codes, and scales that map them back to about WEIGHT_STD.
export const SYN_CODES = { kind: 'bytes' } as const;
// Scales are chosen so that the dequantized weights keep the synthetic fp32 weight's spread: random codes have a
// spread of their own (uniform bytes: 73.9; uniform nibbles around 8: 4.61; NF4's table: 0.53), and weights that
// shrink or grow activations layer after layer would end in denormals or infinities, which run at other speeds.
const CODE_STD = { int8: 73.9, nibble: 4.61, nf4: 0.53 } as const;
export const syntheticScale = (w: FloatWeight, codes: keyof typeof CODE_STD) => ({ kind: 'const', mean: (w.std ?? WEIGHT_STD) / CODE_STD[codes] }) as const;

export function attr(name: string, value: number | number[] | string | TensorProto, kind?: 'float'): AttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === 'number') return kind === 'float' ? { name, type: AttributeType.FLOAT, f: value } : { name, type: AttributeType.INT, i: value };
  return { name, type: AttributeType.TENSOR, t: value };
}

export function makeNode(opType: string, input: string[], output: string[], attribute: AttributeProto[] = [], domain = ''): NodeProto {
  return { opType, input, output, attribute, domain, name: `${output[0]}_${opType}` };
}

export const constantNode = (tensor: TensorProto): NodeProto => makeNode('Constant', [], [tensor.name], [attr('value', tensor)]);

/** Per-graph rewriting state: weights by name (outer scopes included), and unique names. */
export class Rewriter {
  readonly weights = new Map<string, Weight>();
  private readonly names = new Set<string>();
  readonly report: QuantizeReport;

  constructor(
    readonly model: ModelProto,
    level: Dtype,
    bytesBefore: number,
  ) {
    for (const w of collectWeights(model)) this.weights.set(w.name, w);
    forEachGraph(model, (g) => {
      for (const n of g.node) for (const o of n.output) this.names.add(o);
      for (const t of g.initializer) this.names.add(t.name);
      for (const v of g.input) this.names.add(v.name);
    });
    this.report = { level, quantized: [], skipped: [], notes: [], untouchedOps: {}, bytesBefore, bytesAfter: 0 };
  }

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** A float weight's values and dims, or null when `name` is not a constant float tensor. */
  floatWeight(name: string | undefined): FloatWeight | null {
    const w = name ? this.weights.get(name) : undefined;
    if (!w || w.tensor.dataType !== DataType.FLOAT) return null;
    if (w.tensor.synthetic) return { values: null, dims: tensorDims(w.tensor), std: w.tensor.synthetic.std ?? WEIGHT_STD };
    const values = readFloats(w.tensor);
    return values ? { values, dims: tensorDims(w.tensor) } : null;
  }

  requireOpset(domain: string, version: number): void {
    const entry = this.model.opsetImport.find((o) => (o.domain || '') === domain);
    if (!entry) this.model.opsetImport = [...this.model.opsetImport, { domain, version }];
    else if (toNumber(entry.version) < version) entry.version = version;
  }
}
