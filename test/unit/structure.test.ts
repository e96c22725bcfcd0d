// Graph structure checks (src/onnx/structure.ts) against onnxruntime-web itself, in Node: the version limits are
// where it stops loading, every fuzzed structural fault it refuses is found, and nothing it loads is refused.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { makeCorpus } from '../../bench/fuzz/mutate.ts';
import { buildMlp } from '../../src/onnx/build-mlp.ts';
import { inspectModel } from '../../src/onnx/inspect.ts';
import { decodeModel, encodeModel, type ModelProto } from '../../src/onnx/model.ts';
import { assertStructure, ORT_WEB_LIMITS, structureProblems } from '../../src/onnx/structure.ts';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'fatal';

/** Whether onnxruntime-web creates a session for the bytes; its text when it does not. */
async function ortLoads(bytes: Uint8Array): Promise<string | true> {
  try {
    const s = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
    await s.release();
    return true;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const mlp = () => buildMlp({ input: 16, hidden: [32], output: 8, seed: 1 });
const stamped = (edit: (m: ModelProto) => void): Uint8Array => {
  const m = decodeModel(mlp());
  edit(m);
  return encodeModel(m);
};
const setOpset = (domain: string, version: number) => (m: ModelProto) => {
  const entry = m.opsetImport.find((o) => (o.domain || 'ai.onnx') === domain);
  if (entry) entry.version = version;
  else m.opsetImport.push({ domain: domain === 'ai.onnx' ? '' : domain, version });
};

describe("onnxruntime-web's limits, as it behaves", () => {
  it.each(Object.entries(ORT_WEB_LIMITS.opsets))('domain %s: opset %i loads, the next does not, and only the next is refused here', async (domain, max) => {
    const at = stamped(setOpset(domain, max));
    const past = stamped(setOpset(domain, max + 1));
    expect(await ortLoads(at)).toBe(true);
    expect(await ortLoads(past)).toMatch(/opset|Opset/);
    expect(structureProblems(decodeModel(at))).toEqual([]);
    expect(structureProblems(decodeModel(past)).map((p) => p.message)).toEqual([
      `opset ${max + 1} for domain ${domain}; ${ORT_WEB_LIMITS.runtime} supports up to ${max} (re-export at opset ${max} or lower)`,
    ]);
  });
  it(`IR version ${ORT_WEB_LIMITS.irVersion} loads, the next does not`, async () => {
    const at = stamped((m) => (m.irVersion = ORT_WEB_LIMITS.irVersion));
    const past = stamped((m) => (m.irVersion = ORT_WEB_LIMITS.irVersion + 1));
    expect(await ortLoads(at)).toBe(true);
    expect(await ortLoads(past)).toMatch(/IR version/);
    expect(structureProblems(decodeModel(at))).toEqual([]);
    expect(structureProblems(decodeModel(past)).map((p) => p.kind)).toEqual(['ir-version']);
  });
});

describe('structural faults in the fuzzed corpus (bench/fuzz/mutate.ts)', () => {
  const bases = ['mlp-1m', 'ppocr-v2-cls', 'silero-vad-v5'].map((id) => ({ id, bytes: new Uint8Array(readFileSync(`models/bundled/${id}.onnx`)) }));
  bases.push({ id: 'tiny-bert', bytes: new Uint8Array(readFileSync('models/bundled/tiny-bert/onnx/model.onnx')) });
  const corpus = makeCorpus(bases, 5).filter((m) => ['dangling-input', 'cycle', 'duplicate-name', 'future-opset'].includes(m.kind));

  it('finds a fault in every file onnxruntime-web refuses (but a node in a domain it has no kernels for), and none in a file it loads', async () => {
    expect(corpus.length).toBe(80);
    const missed: string[] = [];
    const refusedWrongly: string[] = [];
    for (const m of corpus) {
      const loads = await ortLoads(m.bytes);
      const problems = structureProblems(decodeModel(m.bytes));
      if (loads === true && problems.length) refusedWrongly.push(`${m.name} (${m.detail}): ${problems[0]!.message}`);
      // A node whose domain has no kernels is an unsupported op, onnxruntime's to say (it names the op and domain).
      if (loads !== true && problems.length === 0 && !/is not a registered function\/op/.test(loads)) missed.push(`${m.name} (${m.detail}): ${loads}`);
    }
    expect(refusedWrongly).toEqual([]);
    expect(missed).toEqual([]);
  }, 60_000);
  it('names the node, the tensor and what is valid', () => {
    const dangling = corpus.find((m) => m.name === 'mlp-1m.dangling-input.0.onnx')!;
    expect(() => assertStructure(decodeModel(dangling.bytes), 'Model "mlp-1m.dangling-input.0.onnx"')).toThrow(
      'Model "mlp-1m.dangling-input.0.onnx" is not a graph onnxruntime-web 1.31 can load: node "softmax" reads "fuzz_missing_994" (input 0), which no node, initializer or graph input produces; it should name one of them.',
    );
    const cycle = structureProblems(decodeModel(corpus.find((m) => m.name === 'mlp-1m.cycle.0.onnx')!.bytes));
    expect(cycle.map((p) => p.message)).toEqual([
      'the graph has a cycle: "layer0/Add" reads "h0" from "layer0/Relu", "layer0/Relu" reads "h0_add" from "layer0/Add"; a graph must be acyclic',
    ]);
    const twice = structureProblems(decodeModel(corpus.find((m) => m.name === 'mlp-1m.duplicate-name.1.onnx')!.bytes));
    expect(twice.map((p) => p.kind)).toContain('duplicate-output');
    expect(twice.find((p) => p.kind === 'duplicate-output')!.message).toMatch(
      /^tensor "h0_mm" is the output of two nodes, "[^"]+" and "[^"]+"; each tensor has one producer$/,
    );
    // The inspector lists them too (the app's file panel and `ondevice inspect` print them).
    expect(inspectModel(decodeModel(corpus.find((m) => m.name === 'mlp-1m.cycle.0.onnx')!.bytes)).problems).toEqual(cycle.map((p) => p.message));
    expect(inspectModel(decodeModel(bases[0]!.bytes)).problems).toEqual([]);
    const future = structureProblems(decodeModel(stamped(setOpset('ai.onnx', 99))));
    expect(future.map((p) => p.message)).toEqual(['opset 99 for domain ai.onnx; onnxruntime-web 1.31 supports up to 26 (re-export at opset 26 or lower)']);
  });
});

describe('sound models', () => {
  const files = [
    ...readdirSync('models/bundled').filter((f) => f.endsWith('.onnx')),
    ...readdirSync('models/bundled')
      .filter((d) => !d.includes('.'))
      .flatMap((d) => readdirSync(join('models/bundled', d, 'onnx')).map((f) => join(d, 'onnx', f))),
  ];
  it('every bundled model at every level passes (subgraphs, outer-scope names and Constant nodes included)', () => {
    expect(files.length).toBeGreaterThan(40);
    const faults = files.flatMap((f) =>
      structureProblems(decodeModel(new Uint8Array(readFileSync(join('models/bundled', f))))).map((p) => `${f}: ${p.message}`),
    );
    expect(faults).toEqual([]);
  });
});
