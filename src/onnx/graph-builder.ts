/**
 * The small graph-writing helper every generator and replica builder uses: nodes named by their path, shared
 * constants, real weights (`weight`) or synthetic ones (`param`, see synthetic.ts).
 */
import { seededRandom } from '../core/rng.ts';
import {
  AttributeType,
  encodeModel,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type SyntheticFill,
  type TensorProto,
  type ValueInfoProto,
} from './model.ts';
import { DataType } from './onnx-schema.ts';
import { syntheticTensor, WEIGHT_STD } from './synthetic.ts';
import { floatTensor, makeTensor } from './tensor.ts';

export type Dim = number | string;
export type Attr = { int: number } | { ints: number[] } | { float: number } | { tensor: TensorProto };

function toAttribute(name: string, a: Attr): AttributeProto {
  if ('int' in a) return { name, type: AttributeType.INT, i: a.int };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: a.ints };
  if ('float' in a) return { name, type: AttributeType.FLOAT, f: a.float };
  return { name, type: AttributeType.TENSOR, t: a.tensor };
}

export const tensorInfo = (name: string, elemType: number, dims: readonly Dim[]): ValueInfoProto => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

/** Nodes and initializers in the order they are added (so the bytes are the same every build). */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly scalars = new Map<string, string>();

  private fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** One node; `name` is its path (e.g. /model/layers.0/attn/MatMul), its output `${name}_output_0` unless given. */
  op(opType: string, inputs: string[], name: string, attrs: Record<string, Attr> = {}, output?: string, domain = ''): string {
    return this.opN(opType, inputs, name, 1, attrs, output ? [output] : undefined, domain)[0]!;
  }

  opN(opType: string, inputs: string[], name: string, outputs: number, attrs: Record<string, Attr> = {}, names?: string[], domain = ''): string[] {
    const nodeName = this.fresh(name);
    const output = names ?? Array.from({ length: outputs }, (_, i) => this.fresh(`${nodeName}_output_${i}`));
    for (const o of output) this.used.add(o);
    this.nodes.push({ opType, input: inputs, output, name: nodeName, domain, attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)) });
    return output;
  }

  /** A float32 initializer (a learned weight), by its Hugging Face name. */
  weight(name: string, dims: readonly number[], values: ArrayLike<number>): string {
    this.used.add(name);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  /** A synthetic float32 weight (a replica's): shape and type now, bytes only when the model is written. */
  param(name: string, dims: readonly number[], fill: SyntheticFill = { kind: 'normal', std: WEIGHT_STD }): string {
    this.used.add(name);
    this.initializers.push(syntheticTensor(name, DataType.FLOAT, dims, fill));
    return name;
  }

  /** An int64 initializer (shapes, axes, indices), shared by value. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    const known = this.scalars.get(key);
    if (known) return known;
    const name = this.fresh(`/model/constants/int64_${dims.length ? values.join('_').replace(/-/g, 'm') : `scalar_${values[0]}`.replace(/-/g, 'm')}`);
    const raw = new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer);
    this.initializers.push(makeTensor(name, DataType.INT64, dims, raw));
    this.scalars.set(key, name);
    return name;
  }

  /** A float scalar initializer (epsilons, scales), shared by value; fp16 levels turn it fp16 with the weights. */
  float(value: number): string {
    const key = `f32:${value}`;
    const known = this.scalars.get(key);
    if (known) return known;
    const name = this.fresh(`/model/constants/float_${Object.is(value, -0) ? '0' : String(value).replace(/-/g, 'm').replace(/\./g, 'p')}`);
    this.initializers.push(floatTensor(name, [], [value]));
    this.scalars.set(key, name);
    return name;
  }

  /** The model (opset 17, plus com.microsoft when a node uses it). */
  model(name: string, inputs: ValueInfoProto[], outputs: ValueInfoProto[]): ModelProto {
    const opsetImport = [{ domain: '', version: 17 }];
    if (this.nodes.some((n) => n.domain === 'com.microsoft')) opsetImport.push({ domain: 'com.microsoft', version: 1 });
    return {
      irVersion: 8,
      opsetImport,
      producerName: 'ondevice',
      producerVersion: '1',
      graph: { name, node: this.nodes, initializer: this.initializers, input: inputs, output: outputs, valueInfo: [] },
    };
  }

  encode(name: string, inputs: ValueInfoProto[], outputs: ValueInfoProto[]): Uint8Array {
    return encodeModel(this.model(name, inputs, outputs));
  }
}

/** Roughly normal values from a seeded PRNG with + − × only (sum of four uniforms), so every build is bit-identical. */
export function normalSource(seed: number): () => number {
  const rnd = seededRandom(seed);
  return () => (rnd() + rnd() + rnd() + rnd() - 2) * Math.sqrt(3);
}

export const randomMatrix = (normal: () => number, rows: number, cols: number, std: number): Float32Array =>
  Float32Array.from({ length: rows * cols }, () => normal() * std);
