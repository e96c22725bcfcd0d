/**
 * A seeded mutator over real ONNX models: near-valid files, where parsers and runtimes break. The same seed and
 * the same base models make the same corpus, byte for byte. Tooling for `npm run fuzz` and the browser test; the
 * app never imports it.
 */
import { seededRandom } from '../../src/core/rng.ts';
import { collectWeights } from '../../src/onnx/graph.ts';
import { decodeModel, encodeModel, type ModelProto } from '../../src/onnx/model.ts';
import { offsetIn, regionsOf } from './wire.ts';

export const MUTATION_KINDS = [
  'bitflip-header',
  'bitflip-graph',
  'bitflip-weights',
  'byterun-header',
  'byterun-graph',
  'byterun-weights',
  'truncate',
  'init-dims',
  'init-dtype',
  'dangling-input',
  'cycle',
  'duplicate-name',
  'huge-size',
  'external-data',
  'future-opset',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

export interface Mutant {
  /** A file name: base model, kind, index (`ppocr-v2-cls.truncate.3.onnx`). */
  name: string;
  base: string;
  kind: MutationKind;
  /** What was changed, for a person reading the table's outliers. */
  detail: string;
  bytes: Uint8Array;
}

export interface BaseModel {
  id: string;
  bytes: Uint8Array;
}

type Rng = () => number;
const pick = <T>(xs: readonly T[], rng: Rng): T => xs[Math.floor(rng() * xs.length)]!;
const int = (n: number, rng: Rng) => Math.floor(rng() * n);

/** Flip 1–8 bits in a region. */
function bitflip(bytes: Uint8Array, ranges: [number, number][], rng: Rng): [Uint8Array, string] | null {
  const out = bytes.slice();
  const flips = 1 + int(8, rng);
  const at: number[] = [];
  for (let i = 0; i < flips; i++) {
    const o = offsetIn(ranges, rng);
    if (o === null) return null;
    out[o]! ^= 1 << int(8, rng);
    at.push(o);
  }
  return [out, `${flips} bit(s) flipped at ${at.join(',')}`];
}

/** Overwrite a run of 4–256 bytes with 0x00, 0xff, or random bytes. */
function byterun(bytes: Uint8Array, ranges: [number, number][], rng: Rng): [Uint8Array, string] | null {
  const o = offsetIn(ranges, rng);
  if (o === null) return null;
  const out = bytes.slice();
  const len = Math.min(4 + int(253, rng), out.length - o);
  const fill = pick(['zero', 'ff', 'random'] as const, rng);
  for (let i = o; i < o + len; i++) out[i] = fill === 'zero' ? 0 : fill === 'ff' ? 0xff : int(256, rng);
  return [out, `${len} bytes of ${fill} at ${o}`];
}

/** Every weight of the model, after a fresh decode (each mutation gets its own copy). */
const weightsOf = (m: ModelProto) => collectWeights(m).filter((w) => w.tensor.dims.length > 0);

/** Structural mutations: decode, change the graph, encode. */
const structural: Record<string, (m: ModelProto, rng: Rng) => string | null> = {
  'init-dims'(m, rng) {
    const w = pick(weightsOf(m), rng);
    if (!w) return null;
    const before = w.tensor.dims.map(Number);
    const how = pick(['double', 'drop', 'add', 'zero', 'negative'] as const, rng);
    const dims = [...before];
    const i = int(dims.length, rng);
    if (how === 'double') dims[i] = dims[i]! * 2;
    else if (how === 'drop') dims.splice(i, 1);
    else if (how === 'add') dims.push(3);
    else if (how === 'zero') dims[i] = 0;
    else dims[i] = -1;
    w.tensor.dims = dims;
    return `${w.name}: dims [${before}] → [${dims}] (${how})`;
  },
  'init-dtype'(m, rng) {
    const w = pick(weightsOf(m), rng);
    if (!w) return null;
    // INT64, FLOAT16, DOUBLE, STRING, BOOL, COMPLEX64, FLOAT8E4M3FN, UINT4, and two that do not exist.
    const to = pick([7, 10, 11, 8, 9, 14, 17, 21, 0, 99], rng);
    const from = w.tensor.dataType;
    w.tensor.dataType = to;
    return `${w.name}: data type ${from} → ${to}`;
  },
  'dangling-input'(m, rng) {
    const nodes = m.graph!.node.filter((n) => n.input.length > 0);
    const n = pick(nodes, rng);
    const i = int(n.input.length, rng);
    const before = n.input[i];
    n.input[i] = `fuzz_missing_${int(1000, rng)}`;
    return `${n.name || n.opType}: input ${i} "${before}" → "${n.input[i]}"`;
  },
  cycle(m, rng) {
    // A node that reads another node's output; make the producer read the consumer's output: m → n → m.
    const g = m.graph!;
    const producer = new Map(g.node.flatMap((n) => n.output.map((o) => [o, n] as const)));
    const pairs = g.node.flatMap((n) => n.input.flatMap((i) => (producer.has(i) ? [[producer.get(i)!, n] as const] : [])));
    if (pairs.length === 0) return null;
    const [p, c] = pick(pairs, rng);
    if (p.input.length === 0) p.input.push(c.output[0]!);
    else p.input[0] = c.output[0]!;
    return `cycle: ${p.name || p.opType} ⇄ ${c.name || c.opType}`;
  },
  'duplicate-name'(m, rng) {
    const g = m.graph!;
    const how = pick(['node output', 'initializer', 'graph input', 'node name'] as const, rng);
    if (how === 'initializer' && g.initializer.length >= 2) {
      const a = pick(g.initializer, rng);
      const b = pick(
        g.initializer.filter((t) => t !== a),
        rng,
      );
      b.name = a.name;
      return `initializer named "${a.name}" twice`;
    }
    if (how === 'graph input' && g.input.length > 0) {
      const a = pick(g.input, rng);
      g.input.push({ ...a });
      return `graph input "${a.name}" listed twice`;
    }
    if (how === 'node name') {
      const a = pick(g.node, rng);
      for (const n of g.node) n.name = a.name || 'same';
      return `every node named "${a.name || 'same'}"`;
    }
    const a = pick(g.node, rng);
    const b = pick(
      g.node.filter((n) => n !== a),
      rng,
    );
    if (!b || !a.output[0]) return null;
    b.output[0] = a.output[0];
    return `output "${a.output[0]}" made by two nodes`;
  },
  'huge-size'(m, rng) {
    const how = pick(['weight dims', 'input dims', 'weight int64'] as const, rng);
    if (how === 'input dims') {
      const input = pick(m.graph!.input, rng);
      const dims = input?.type?.tensorType?.shape?.dim;
      if (!dims || dims.length === 0) return null;
      const d = dims[int(dims.length, rng)]!;
      d.dimValue = pick([2 ** 31, 2 ** 40, 1e15], rng);
      delete d.dimParam;
      return `input "${input!.name}": a dim declared ${d.dimValue}`;
    }
    const w = pick(weightsOf(m), rng);
    if (!w) return null;
    const huge = pick([2 ** 31 - 1, 2 ** 32, 2 ** 40, 2 ** 53 - 1], rng);
    w.tensor.dims = how === 'weight dims' ? [huge] : [huge, huge];
    return `${w.name}: dims declared [${w.tensor.dims}] over ${w.tensor.rawData?.byteLength ?? 0} bytes`;
  },
  'external-data'(m, rng) {
    const ws = weightsOf(m);
    const w = pick(ws, rng);
    if (!w) return null;
    const location = pick(['missing_weights.bin', 'model.onnx_data', '../../../etc/passwd', 'http://example.invalid/w.bin', ''], rng);
    const many = rng() < 0.3;
    for (const x of many ? ws : [w]) {
      x.tensor.dataLocation = 1;
      x.tensor.externalData = [
        { key: 'location', value: location },
        { key: 'offset', value: String(int(4096, rng)) },
        { key: 'length', value: String((x.tensor.rawData?.byteLength ?? 4) || 4) },
      ];
      delete x.tensor.rawData;
      x.tensor.floatData = [];
    }
    return `${many ? `all ${ws.length} weights` : w.name} → external file "${location}"`;
  },
  'future-opset'(m, rng) {
    const how = pick(['default opset', 'ir version', 'com.microsoft opset', 'unknown domain'] as const, rng);
    const v = pick([30, 99, 1000, 2 ** 31 - 1], rng);
    if (how === 'ir version') m.irVersion = v;
    else if (how === 'unknown domain') {
      m.opsetImport.push({ domain: 'org.fuzz.future', version: v });
      const n = pick(m.graph!.node, rng);
      n.domain = 'org.fuzz.future';
    } else {
      const domain = how === 'default opset' ? '' : 'com.microsoft';
      const entry = m.opsetImport.find((o) => (o.domain || '') === domain);
      if (entry) entry.version = v;
      else m.opsetImport.push({ domain, version: v });
    }
    return `${how} → ${v}`;
  },
};

/** One mutant of `base` of the given kind, or null when the model has nothing of that kind to mutate. */
export function mutate(base: BaseModel, kind: MutationKind, rng: Rng): { bytes: Uint8Array; detail: string } | null {
  const regions = regionsOf(base.bytes);
  const [op, where] = kind.split('-') as [string, 'header' | 'graph' | 'weights'];
  if (op === 'bitflip' || op === 'byterun') {
    const r = (op === 'bitflip' ? bitflip : byterun)(base.bytes, regions[where], rng);
    return r && { bytes: r[0], detail: r[1] };
  }
  if (kind === 'truncate') {
    // At a field boundary, or mid-prefix: cut inside a length varint one time in five.
    const at = rng() < 0.8 ? pick(regions.boundaries, rng) : (pick(regions.lengthPrefixes, rng)?.[0] ?? 1) + 1;
    return { bytes: base.bytes.slice(0, at), detail: `cut at byte ${at} of ${base.bytes.length}` };
  }
  if (kind === 'huge-size' && rng() < 0.3) {
    // The byte-level version: a length prefix rewritten to claim far more bytes than the file has.
    const [at, len] = pick(regions.lengthPrefixes, rng) ?? [1, 1];
    const out = base.bytes.slice();
    for (let i = at; i < at + len; i++) out[i] = i < at + len - 1 ? 0xff : 0x7f;
    return { bytes: out, detail: `length prefix at ${at} (${len} bytes) → maximal` };
  }
  const model = decodeModel(base.bytes, base.id);
  const detail = structural[kind]!(model, rng);
  return detail === null ? null : { bytes: encodeModel(model), detail };
}

/**
 * `perKind` mutants of every kind for every base model, seeded: the same arguments give the same files. A kind
 * that finds nothing to mutate in a model (no second initializer, say) is retried with other draws, then skipped.
 */
export function makeCorpus(bases: readonly BaseModel[], perKind: number, seed = 19): Mutant[] {
  const out: Mutant[] = [];
  for (const base of bases) {
    for (const kind of MUTATION_KINDS) {
      const rng = seededRandom(seed ^ hash(`${base.id}/${kind}`));
      for (let i = 0, tries = 0; i < perKind && tries < perKind * 4; tries++) {
        const m = mutate(base, kind, rng);
        if (!m) continue;
        out.push({ name: `${base.id}.${kind}.${i}.onnx`, base: base.id, kind, ...m });
        i++;
      }
    }
  }
  return out;
}

/** A fixed sample of about `n` mutants, spread evenly over the corpus's order (every kind, every model). */
export const sampleCorpus = (corpus: readonly Mutant[], n: number): Mutant[] =>
  corpus.filter((_, i) => i % Math.max(1, Math.floor(corpus.length / n)) === 0).slice(0, n);

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
