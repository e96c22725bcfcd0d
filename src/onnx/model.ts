/** Reading and writing ONNX models (protobufjs over our schema), and the plain types the rest of src/onnx uses. */
import protobuf from 'protobufjs';
import { InvalidInputError } from '../core/vocab.ts';
import { ONNX_PROTO } from './onnx-schema.ts';

/** protobufjs gives int64 fields as Long objects (exact beyond 2^53); keep them for a faithful rewrite. */
export interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
  toNumber(): number;
}
export type Int64 = number | LongLike;

export interface StringStringEntry {
  key: string;
  value: string;
}
export interface TensorProto {
  dims: Int64[];
  dataType: number;
  name: string;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: Int64[];
  doubleData?: number[];
  uint64Data?: Int64[];
  stringData?: Uint8Array[];
  externalData?: StringStringEntry[];
  dataLocation?: number;
  docString?: string;
  /**
   * Not part of ONNX: a replica's weight that has a shape and a type but no bytes yet (see synthetic.ts). Writers
   * generate its data when they write the file; the inspector counts it like any other weight.
   */
  synthetic?: SyntheticFill;
}
/** How a synthetic weight's bytes are made: values of this spread around `mean` (or random bytes for 4/8-bit codes). */
export interface SyntheticFill {
  /** 'normal': roughly N(mean, std²) floats; 'const': every element `mean`; 'bytes': uniform random bytes. */
  kind: 'normal' | 'const' | 'bytes';
  mean?: number;
  std?: number;
  /** Values are clamped to [min, max] when given. */
  min?: number;
  max?: number;
}
export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto | null;
  g?: GraphProto | null;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
}
export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: AttributeProto[];
}
export interface DimensionProto {
  dimValue?: Int64;
  dimParam?: string;
}
export interface TypeProto {
  tensorType?: { elemType: number; shape?: { dim: DimensionProto[] } | null } | null;
}
export interface ValueInfoProto {
  name: string;
  type?: TypeProto | null;
}
export interface GraphProto {
  node: NodeProto[];
  name: string;
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
  sparseInitializer?: unknown[];
}
export interface OperatorSetId {
  domain: string;
  version: Int64;
}
export interface ModelProto {
  irVersion: Int64;
  opsetImport: OperatorSetId[];
  producerName: string;
  producerVersion: string;
  domain?: string;
  modelVersion?: Int64;
  docString?: string;
  graph: GraphProto | null;
  metadataProps?: StringStringEntry[];
  functions?: unknown[];
}

const root = protobuf.parse(ONNX_PROTO).root;
const ModelType = root.lookupType('onnx.ModelProto');

export const AttributeType = Object.freeze({
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
} as const);

/** Protobuf messages cannot exceed 2 GiB; larger ONNX models keep their weights in external files. */
export const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;

export class OnnxFormatError extends InvalidInputError {
  override name = 'OnnxFormatError';
}

export const toNumber = (v: Int64 | undefined | null): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

/** Parse ONNX bytes; the error names the input (`what`) and says what was expected. */
export function decodeModel(bytes: Uint8Array, what = 'the model'): ModelProto {
  if (bytes.byteLength === 0) throw new OnnxFormatError(`${what} is empty (0 bytes): expected an ONNX model.`);
  if (bytes.byteLength > PROTOBUF_LIMIT_BYTES) {
    throw new OnnxFormatError(
      `${what} is ${bytes.byteLength} bytes, over protobuf's 2 GiB limit: models this large keep weights in external data files, which ondevice does not read yet.`,
    );
  }
  let model: ModelProto;
  try {
    model = ModelType.decode(bytes) as unknown as ModelProto;
  } catch (err) {
    throw new OnnxFormatError(`${what} is not a valid ONNX file (protobuf parsing failed: ${(err as Error).message}); it may be truncated or not ONNX at all.`);
  }
  if (!model.graph || toNumber(model.irVersion) <= 0 || model.graph.node.length === 0) {
    throw new OnnxFormatError(`${what} parsed as protobuf but is not an ONNX model (no IR version or no graph nodes).`);
  }
  return model;
}

export function encodeModel(model: ModelProto): Uint8Array {
  return ModelType.encode(model as unknown as protobuf.Message).finish();
}

export const tensorDims = (t: TensorProto): number[] => t.dims.map(toNumber);
export const elementCount = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
export const isExternal = (t: TensorProto): boolean => t.dataLocation === 1;

export function opsetVersion(model: ModelProto, domain = ''): number | null {
  const entry = model.opsetImport.find((o) => (o.domain || '') === (domain === 'ai.onnx' ? '' : domain));
  return entry ? toNumber(entry.version) : null;
}

export function getAttribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

export function attributeInt(node: NodeProto, name: string, fallback: number): number {
  const a = getAttribute(node, name);
  return a?.i != null ? toNumber(a.i) : fallback;
}
