/**
 * The protobuf wire format, just enough to find where fields start and end in an ONNX file: the fuzzer truncates
 * at those boundaries and aims its bit flips at the header, the graph or the weights.
 */

export interface WireField {
  /** Field number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32). */
  no: number;
  wire: number;
  /** Where its tag starts, where its payload starts, and the byte after it. */
  start: number;
  dataStart: number;
  end: number;
}

function varint(buf: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (!(b & 0x80)) return [value, i + 1];
  }
  throw new Error(`bad varint at ${at}`);
}

/** The fields of one message between `start` and `end`; stops at the first malformed tag. */
export function wireFields(buf: Uint8Array, start = 0, end = buf.length): WireField[] {
  const out: WireField[] = [];
  let at = start;
  while (at < end) {
    let tag: number;
    let p: number;
    try {
      [tag, p] = varint(buf, at);
    } catch {
      break;
    }
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    let dataStart = p;
    let fieldEnd: number;
    if (wire === 0) [, fieldEnd] = varint(buf, p);
    else if (wire === 1) fieldEnd = p + 8;
    else if (wire === 5) fieldEnd = p + 4;
    else if (wire === 2) {
      const [len, q] = varint(buf, p);
      dataStart = q;
      fieldEnd = q + len;
    } else break;
    if (fieldEnd > end || no === 0) break;
    out.push({ no, wire, start: at, dataStart, end: fieldEnd });
    at = fieldEnd;
  }
  return out;
}

/** Byte ranges [start, end) of an ONNX file by what they hold. */
export interface Regions {
  /** ModelProto's own fields: IR version, opsets, producer, metadata (everything but the graph). */
  header: [number, number][];
  /** The graph's structure: small nodes, inputs, outputs, value infos, its name. */
  graph: [number, number][];
  /** Weights: initializers and large nodes (Constant nodes holding tensors). */
  weights: [number, number][];
  /** Every field boundary, the file's own fields and the graph's (offsets to truncate at). */
  boundaries: number[];
  /** Length-delimited fields whose length prefix can be rewritten: [where the prefix starts, its byte length]. */
  lengthPrefixes: [number, number][];
}

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
/** A node this large holds a tensor (PP-OCR and Silero keep their weights in Constant nodes). */
const WEIGHTY_NODE_BYTES = 1024;

export function regionsOf(buf: Uint8Array): Regions {
  const r: Regions = { header: [], graph: [], weights: [], boundaries: [], lengthPrefixes: [] };
  for (const f of wireFields(buf)) {
    r.boundaries.push(f.start, f.end);
    if (f.no !== MODEL_GRAPH || f.wire !== 2) {
      r.header.push([f.start, f.end]);
      continue;
    }
    r.lengthPrefixes.push([f.start + 1, f.dataStart - f.start - 1]);
    for (const g of wireFields(buf, f.dataStart, f.end)) {
      r.boundaries.push(g.end);
      if (g.wire === 2) r.lengthPrefixes.push([g.start + 1, g.dataStart - g.start - 1]);
      const weighty = g.no === GRAPH_INITIALIZER || (g.no === GRAPH_NODE && g.end - g.start >= WEIGHTY_NODE_BYTES);
      (weighty ? r.weights : r.graph).push([g.start, g.end]);
    }
  }
  r.boundaries = [...new Set(r.boundaries)].filter((b) => b > 0 && b < buf.length).sort((a, b) => a - b);
  return r;
}

/** A uniformly chosen byte offset inside the ranges (weighted by their lengths); null when they are empty. */
export function offsetIn(ranges: readonly [number, number][], random: () => number): number | null {
  const total = ranges.reduce((s, [a, b]) => s + (b - a), 0);
  if (total === 0) return null;
  let k = Math.floor(random() * total);
  for (const [a, b] of ranges) {
    if (k < b - a) return a + k;
    k -= b - a;
  }
  return null;
}
