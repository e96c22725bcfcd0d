// The claims (models/claims.json, src/claims/claims.ts) and devices (src/core/machine.ts): the file covers claims.md,
// each verdict kind comes out of hand-made results with the numbers and sentences it should have, thresholds can
// be overridden and are reported, and the suite plans run every (model, level, workload) once.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.ts';
import { applyThresholds, parseClaims, parseThresholdFlag, parseThresholdFlags, selectClaims } from '../../src/claims/claims.ts';
import { evaluateClaims } from '../../src/claims/evaluate.ts';
import { claimRunPlans, promptOfTokens } from '../../src/claims/plan.ts';
import type { Claim, Verdict } from '../../src/claims/types.ts';
import { deviceIdentity, groupByDevice } from '../../src/core/machine.ts';
import { emptyResult, finish } from '../../src/core/result.ts';
import { RunResultSchema, type ContextPoint, type Env, type RunResult } from '../../src/core/schema.ts';
import { summarize } from '../../src/core/stats.ts';
import type { Device, Dtype } from '../../src/core/vocab.ts';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const claimsJson: unknown = JSON.parse(readFileSync('models/claims.json', 'utf8'));
const { claims } = parseClaims(claimsJson);

const R = (id: string) => `replica:${id}`;
const GOOGLENET = R('torchvision/googlenet');
const VGG = R('torchvision/vgg16');
const ALEXNET = R('torchvision/alexnet');
const RESNET = R('torchvision/resnet50');
const RESNEXT = R('torchvision/resnext50_32x4d');
const MOBILENET = R('torchvision/mobilenet_v2');
const VIT384 = R('vit_l_16@384');
const EFFNET = R('FixEfficientNet-L2 (EfficientNet-L2)');
const PHI = R('microsoft/Phi-3.5-mini-instruct');
const LLAMA = R('meta-llama/Llama-3.1-8B');
const MISTRAL = R('mistralai/Mistral-7B-v0.3');
const DCLM = R('apple/DCLM-7B');
const SMOL135 = R('HuggingFaceTB/SmolLM2-135M');
const SMOL360 = R('HuggingFaceTB/SmolLM2-360M');
const QWEN = R('Qwen/Qwen2.5-0.5B');

const ENV: Env = {
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36',
  hardwareConcurrency: 2,
  deviceMemory: 8,
  crossOriginIsolated: true,
  numThreads: 2,
  threads: null,
  webgpu: { vendor: 'google', architecture: 'swiftshader', description: '', shaderF16: false, maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 27 },
  versions: { ondevice: '0.0.0', onnxruntimeWeb: '1.31.0', transformers: '3.8.0' },
  ortBuild: 'plain',
  wasmCompiledBy: 'page',
  wasmCompileMs: 180,
  roofline: null,
};

// ----- A small factory over emptyResult: replica runs as the runtime records them.

let n = 0;
interface Figures {
  p50?: number;
  bytes?: number;
  /** Parameters counted in the built graph (the runtime sets them with memory.predicted). */
  params?: number;
  flops?: number | null;
  inputs?: { name: string; dims: number[] }[];
  decode?: number;
  ttft?: number;
  heap?: number;
  gpu?: number;
  contexts?: [length: number, decodeTokPerS: number][];
  paramsPublished?: number;
}

function replicaRun(model: string, dtype: Dtype, device: Device, f: Figures = {}, suiteId: string | null = 'suite-1'): RunResult {
  const entry = catalog.replicas!.find((e) => `replica:${e.id}` === model)!;
  const r = emptyResult(
    {
      id: `run-${++n}`,
      suiteId,
      engine: 'ort',
      device,
      workload: { iterations: 5, warmup: 1 },
      model: { id: model, source: 'replica', url: '', dtype, task: entry.task, params: entry.paramsPublished },
    },
    new Date('2026-12-02T08:00:00.000Z'),
  );
  r.env = device === 'webgpu' ? ENV : { ...ENV };
  r.model.params = f.params ?? entry.paramsPublished;
  r.memory.predicted = { weightBytes: 1, largestTensorBytes: 1, kvCacheBytes: 0, contextTokens: null, activationBytes: 0, runtimeBytes: 0, totalBytes: 1 };
  r.model.bytes = f.bytes ?? null;
  r.model.flops = f.flops ?? null;
  r.replica = { paramsPublished: f.paramsPublished ?? entry.paramsPublished, cache: 'memory', cached: false, dataBytes: f.bytes ?? 0, cacheNote: null };
  r.memory.wasmHeapPeakBytes = f.heap ?? 100e6;
  r.memory.gpuBufferPeakBytes = device === 'webgpu' ? (f.gpu ?? 0) : null;
  r.workload.inputs = (f.inputs ?? []).map((i) => ({ ...i, type: 'float32' }));
  if (f.p50 !== undefined) r.timings.latency = summarize([f.p50]);
  if (f.decode !== undefined || f.contexts) {
    const contexts: ContextPoint[] | null = f.contexts
      ? f.contexts.map(([contextTokens, decodeTokPerS]) => ({
          contextTokens,
          prefillMs: 1,
          decodeTokens: 8,
          decodeTokPerS,
          tpot: null,
          kvCacheBytes: contextTokens * 1000,
          wasmHeapBytes: 200e6,
          gpuLiveBytes: null,
        }))
      : null;
    r.generation = {
      promptTokens: 128,
      newTokens: 8,
      generations: 1,
      ttftMs: f.ttft ?? null,
      prefillTokPerS: null,
      decodeTokPerS: f.decode ?? null,
      tpot: null,
      tokens: [],
      text: null,
      maxContextTokens: 8192,
      contexts,
    };
  }
  return finish(r, 'completed', null, new Date('2026-12-02T08:00:01.000Z'));
}

/** A run that ended without figures, as the runtime leaves it (the fit check counted the graph first, if `counted`). */
function failedRun(
  model: string,
  dtype: Dtype,
  device: Device,
  message: string,
  state: 'unsupported' | 'errored' | 'aborted' = 'unsupported',
  counted = false,
): RunResult {
  const entry = catalog.replicas!.find((e) => `replica:${e.id}` === model)!;
  const r = emptyResult(
    {
      id: `run-${++n}`,
      suiteId: 'suite-1',
      engine: 'ort',
      device,
      workload: { iterations: 1, warmup: 1 },
      model: { id: model, source: 'replica', url: '', dtype, task: entry.task, params: entry.paramsPublished },
    },
    new Date('2026-12-02T08:00:00.000Z'),
  );
  r.env = ENV;
  if (counted)
    r.memory.predicted = { weightBytes: 1, largestTensorBytes: 1, kvCacheBytes: 0, contextTokens: null, activationBytes: 0, runtimeBytes: 0, totalBytes: 1 };
  return finish(
    r,
    state,
    { name: state === 'unsupported' ? 'UnsupportedError' : state === 'aborted' ? 'AbortError' : 'Error', message },
    new Date('2026-12-02T08:00:01.000Z'),
  );
}

const IMAGE_224 = [{ name: 'pixel_values', dims: [1, 3, 224, 224] }];
const verdictOf = (id: string, results: RunResult[], overrides = {}): Verdict => {
  const v = evaluateClaims(claims, results, overrides).find((x) => x.claimId === id);
  if (!v) throw new Error(`no verdict for ${id}`);
  return v;
};

// ----- The file

describe('models/claims.json', () => {
  it('parses and has exactly the claims of docs/claims-source.md, in its order', () => {
    const md = readFileSync('docs/claims-source.md', 'utf8');
    const ids = [...md.matchAll(/^\| ([a-z0-9][a-z0-9-]*) \|/gm)].map((m) => m[1]).filter((id) => id !== 'id');
    expect(ids.length).toBeGreaterThanOrEqual(18);
    expect(claims.map((c) => c.id)).toEqual(ids);
  });

  it('quotes each claim verbatim, from the document claims.md files it under', () => {
    const md = readFileSync('docs/claims-source.md', 'utf8');
    for (const c of claims) {
      expect(md).toContain(`| ${c.id} | ${c.quote} | ${c.english} |`);
      const section = md.slice(md.indexOf(`## From \`${c.source.document}\``));
      expect(section.indexOf(`| ${c.id} |`)).toBeGreaterThan(0);
      expect(section.slice(0, section.indexOf(`| ${c.id} |`)).match(/## From/g)).toHaveLength(1);
    }
  });

  it('names every model by the id its results carry (replica:<catalog id>)', () => {
    const ids = new Set(catalog.replicas!.map((r) => `replica:${r.id}`));
    for (const c of claims) for (const g of c.runs) for (const m of g.models) expect(ids.has(m), `${c.id}: ${m}`).toBe(true);
  });

  it('says test-time-compute runs at q8 and why', () => {
    const c = claims.find((x) => x.id === 'test-time-compute')!;
    expect(c.runs[0]!.dtypes).toEqual(['q8']);
    expect(c.check).toMatch(/q8, not q4.*10× slower/);
  });

  it('rejects a bad claim with its id and the field', () => {
    const bad = structuredClone(claimsJson) as { claims: Record<string, unknown>[] };
    (bad.claims[2]!.thresholds as { value: unknown }[])[0]!.value = 'fast';
    expect(() => parseClaims(bad)).toThrow(/claim "mobilenet-on-device", field thresholds\[0\]\.value: /);
    const noRule = structuredClone(claimsJson) as { claims: Record<string, unknown>[] };
    noRule.claims[0]!.rule = 'guess';
    expect(() => parseClaims(noRule)).toThrow(/claim "cnn-shrink-100x", field rule: unknown rule "guess". Should be one of: cnn-shrink-100x, /);
    const noRole = structuredClone(claimsJson) as { claims: Record<string, unknown>[] };
    delete (noRole.claims[0]!.roles as Record<string, unknown>).reference;
    expect(() => parseClaims(noRole)).toThrow(/claim "cnn-shrink-100x", field roles: rule "cnn-shrink-100x" needs the role "reference"/);
  });
});

// ----- Thresholds

describe('thresholds', () => {
  it('parses CLAIM.NAME=VALUE', () => {
    expect(parseThresholdFlag('mobilenet-on-device.p50Ms=40', claims)).toEqual({ key: 'mobilenet-on-device.p50Ms', value: 40 });
    expect(parseThresholdFlags(['slm-on-phone.speedRatio=1.5', 'slm-on-phone.ttftMs=3e3'], claims)).toEqual({
      'slm-on-phone.speedRatio': 1.5,
      'slm-on-phone.ttftMs': 3000,
    });
  });

  it('rejects a value typed as text, naming it and asking for a number', () => {
    expect(() => parseThresholdFlag('mobilenet-on-device.p50Ms=fast', claims)).toThrow(
      'Threshold "mobilenet-on-device.p50Ms" needs a number (e.g. mobilenet-on-device.p50Ms=40); got "fast".',
    );
    expect(() => parseThresholdFlag('mobilenet-on-device.p50Ms=', claims)).toThrow(/needs a number .*got ""/);
    expect(() => parseThresholdFlag('mobilenet-on-device.p50Ms', claims)).toThrow(/should look like CLAIM_ID.NAME=VALUE/);
  });

  it('rejects unknown claims and thresholds, listing the valid names', () => {
    expect(() => parseThresholdFlag('mobilenet.p50Ms=40', claims)).toThrow(
      /Unknown claim "mobilenet" in threshold "mobilenet.p50Ms=40". Thresholds are: cnn-shrink-100x.sizeRatio, resnet-moderate-compute.paramsRatio, mobilenet-on-device.p50Ms, /,
    );
    expect(() => parseThresholdFlag('mobilenet-on-device.latency=40', claims)).toThrow(
      'Unknown threshold "latency" of claim "mobilenet-on-device". Should be one of: mobilenet-on-device.p50Ms, mobilenet-on-device.fp32MB, mobilenet-on-device.q8MB.',
    );
    expect(() => applyThresholds(claims, { 'nope.x': 1 })).toThrow(/Unknown threshold "nope.x". Should be one of: cnn-shrink-100x.sizeRatio, /);
  });

  it('applies overrides without touching the defaults', () => {
    const changed = applyThresholds(claims, { 'mobilenet-on-device.p50Ms': 40 });
    expect(changed.find((c) => c.id === 'mobilenet-on-device')!.thresholds[0]!.value).toBe(40);
    expect(claims.find((c) => c.id === 'mobilenet-on-device')!.thresholds[0]!.value).toBe(33);
  });
});

// ----- Verdicts

describe('verdicts', () => {
  const cnn = () => [
    replicaRun(VGG, 'fp32', 'wasm', { bytes: 553_430_176, p50: 812, params: 138_357_544, inputs: IMAGE_224 }),
    replicaRun(ALEXNET, 'fp32', 'wasm', { bytes: 244_403_360, p50: 61, params: 61_100_840, inputs: IMAGE_224 }),
    replicaRun(GOOGLENET, 'fp32', 'wasm', { bytes: 26_499_616, p50: 58, params: 6_624_904, flops: 3.0e9, inputs: IMAGE_224 }),
  ];

  it('cnn-shrink-100x: not-held, by how much, with the ratio and the latency ratio', () => {
    const results = cnn();
    const v = verdictOf('cnn-shrink-100x', results);
    expect(v.verdict).toBe('not-held');
    // 553,430,176 / 26,499,616 = 20.884…; 100 / 20.884 = 4.788…
    expect(v.margin).toBe('size ratio vgg16 ÷ googlenet 20.9× against ≥ 100× (4.79× short)');
    expect(v.summary).toBe(
      'At fp32, vgg16 is 553 MB and googlenet 26.5 MB: googlenet is 20.9× smaller (alexnet 9.22×); latency ratio vgg16 14× on wasm, alexnet 1.05× on wasm. size ratio vgg16 ÷ googlenet 20.9× (≥ 100×).',
    );
    expect(v.evidence.find((e) => e.label === 'vgg16 ÷ googlenet model bytes')!.value).toBeCloseTo(20.8845, 4);
    expect(v.runIds.sort()).toEqual(results.map((r) => r.id).sort());
    expect(v.devices).toEqual(['wasm']);
    expect(v.device?.label).toBe('Chromium (headless) 131 · Linux x86_64 · 2 cores · 8 GiB · WebGPU google/swiftshader');
    expect(v.thresholds).toEqual([{ name: 'sizeRatio', value: 100, unit: '×', label: 'VGG-16 fp32 bytes ÷ GoogLeNet fp32 bytes at least', direction: 'min' }]);
    expect(v.unmeasuredParts?.[0]?.part).toBe('no collapse in quality');
  });

  it('an override changes the verdict, and the verdict reports the threshold it used', () => {
    const v = verdictOf('cnn-shrink-100x', cnn(), { 'cnn-shrink-100x.sizeRatio': 20 });
    expect(v.verdict).toBe('held');
    expect(v.margin).toBeNull();
    expect(v.thresholds[0]!.value).toBe(20);
    expect(v.summary).toMatch(/size ratio vgg16 ÷ googlenet 20.9× \(≥ 20×\)\.$/);
  });

  it('mobilenet-on-device: held on the best backend and level; not-held says by how much; an override flips it back', () => {
    const fast = [
      replicaRun(MOBILENET, 'fp32', 'wasm', { p50: 14.2, bytes: 14_020_000, inputs: IMAGE_224 }),
      replicaRun(MOBILENET, 'q8', 'wasm', { p50: 11.5, bytes: 3_850_000, inputs: IMAGE_224 }),
      replicaRun(MOBILENET, 'fp32', 'webgpu', { p50: 210, bytes: 14_020_000, inputs: IMAGE_224, gpu: 50e6 }),
    ];
    const held = verdictOf('mobilenet-on-device', fast);
    expect(held.verdict).toBe('held');
    expect(held.summary).toBe(
      'mobilenet_v2 at 224×224, batch 1: p50 latency (q8 on wasm) 11.5 ms (≤ 33 ms); fp32 size 14 MB (≤ 15 MB); q8 size 3.85 MB (≤ 4.5 MB).',
    );
    expect(held.evidence[0]).toEqual({ label: 'mobilenet_v2 q8 p50 on wasm (best backend and level)', value: 11.5, unit: 'ms', runId: fast[1]!.id });
    expect(held.evidence.find((e) => e.label === 'mobilenet_v2 fp32 peak memory on webgpu')!.value).toBe(150);
    expect(held.devices).toEqual(['wasm', 'webgpu']);

    const slow = [replicaRun(MOBILENET, 'fp32', 'wasm', { p50: 41.2, bytes: 14_020_000 }), replicaRun(MOBILENET, 'q8', 'wasm', { p50: 52, bytes: 4_700_000 })];
    const missed = verdictOf('mobilenet-on-device', slow);
    expect(missed.verdict).toBe('not-held');
    expect(missed.margin).toBe('p50 latency (fp32 on wasm) 41.2 ms against ≤ 33 ms (8.2 ms over); q8 size 4.7 MB against ≤ 4.5 MB (0.2 MB over)');
    const relaxed = verdictOf('mobilenet-on-device', slow, { 'mobilenet-on-device.p50Ms': 45, 'mobilenet-on-device.q8MB': 5 });
    expect(relaxed.verdict).toBe('held');
    expect(relaxed.thresholds.map((t) => [t.name, t.value])).toEqual([
      ['p50Ms', 45],
      ['fp32MB', 15],
      ['q8MB', 5],
    ]);
  });

  it('hosting-7b-70b: cannot-run-here when every run failed, with their errors and ids', () => {
    const heap =
      'replica:meta-llama/Llama-3.1-8B at q4 on wasm: needs 6.13 GiB (weights 6.02 GiB + KV cache 0.01 GiB + activations 0.10 GiB); the WASM heap allows 4.00 GiB';
    const results = [
      failedRun(LLAMA, 'q4', 'wasm', heap, 'unsupported', true),
      failedRun(MISTRAL, 'q4', 'wasm', 'WebAssembly.Memory(): could not allocate memory', 'errored', true),
      failedRun(DCLM, 'q4', 'wasm', 'Replica "apple/DCLM-7B" cannot be built: no replica builder for model_type \'openlm\'.'),
    ];
    const v = verdictOf('hosting-7b-70b', results);
    expect(v.verdict).toBe('cannot-run-here');
    expect(v.reasons).toEqual([
      `Llama-3.1-8B at q4 on wasm: ${heap}`,
      'Mistral-7B-v0.3 at q4 on wasm: WebAssembly.Memory(): could not allocate memory',
      'DCLM-7B at q4 on wasm: Replica "apple/DCLM-7B" cannot be built: no replica builder for model_type \'openlm\'.',
    ]);
    expect(v.runIds).toEqual(results.map((r) => r.id));
    expect(v.summary).toBe('Cannot be checked on this device: no completed run of Llama-3.1-8B at q4, Mistral-7B-v0.3 at q4, DCLM-7B at q4.');
    expect(v.devices).toEqual(['wasm']);
  });

  it('hosting-7b-70b: held when one 7B/8B model decodes fast enough on some backend, the failures kept as evidence', () => {
    const results = [
      failedRun(LLAMA, 'q4', 'wasm', 'needs 6.13 GiB; the WASM heap allows 4.00 GiB'),
      replicaRun(LLAMA, 'q4', 'webgpu', { decode: 6.4, ttft: 900 }),
      replicaRun(MISTRAL, 'q4', 'webgpu', { decode: 3.1, ttft: 1100 }),
    ];
    const v = verdictOf('hosting-7b-70b', results);
    expect(v.verdict).toBe('held');
    expect(v.summary).toBe(
      'Llama-3.1-8B at q4 decodes 6.4 tok/s on webgpu; Mistral-7B-v0.3 at q4 decodes 3.1 tok/s on webgpu; DCLM-7B at q4 could not run (no run of replica:apple/DCLM-7B at q4 on this device in these results) (bar ≥ 5 tok/s).',
    );
    expect(v.evidence.find((e) => e.label.startsWith('DCLM-7B'))!.value).toBeNull();
    expect(v.runIds).toEqual([results[1]!.id, results[2]!.id]);
    // Slower than the bar: not-held, by how much.
    const slow = verdictOf('hosting-7b-70b', [replicaRun(MISTRAL, 'q4', 'webgpu', { decode: 3.1, ttft: 1100 })]);
    expect(slow.verdict).toBe('not-held');
    expect(slow.margin).toBe('Mistral-7B-v0.3 at q4 decode on webgpu 3.1 tok/s against ≥ 5 tok/s (1.9 tok/s short)');
  });

  it('cannot-run-here from absent runs: no run of X at Y on this device in these results (never a throw)', () => {
    const v = verdictOf('small-trend', []);
    expect(v.verdict).toBe('cannot-run-here');
    expect(v.reasons).toEqual(['no run of replica:google/gemma-2-2b at q4 on this device in these results']);
    expect(v.runIds).toEqual([]);
    const all = evaluateClaims(claims, []);
    expect(all.map((x) => x.claimId)).toEqual(claims.map((c) => c.id));
    expect(all.filter((x) => x.verdict !== 'not-measurable').every((x) => x.verdict === 'cannot-run-here' && x.reasons.length > 0)).toBe(true);
  });

  it('not-measurable claims keep their reason and need no runs', () => {
    const v = verdictOf('slm-99pct', cnn());
    expect(v).toMatchObject({ verdict: 'not-measurable', margin: null, runIds: [], devices: [], evidence: [] });
    expect(v.reasons).toEqual(['a claim about use cases in general; no measurement on a device speaks to it']);
    expect(
      evaluateClaims(claims, [])
        .filter((x) => x.verdict === 'not-measurable')
        .map((x) => x.claimId),
    ).toEqual(['phi35-beats-8b', 'slm-99pct', 'slm-train-fast', 'densing-law']);
  });

  it('resnet-moderate-compute: held when params are moderate and FLOPs and latency higher; not-held names what failed', () => {
    const base = cnn();
    const results = [
      ...base,
      replicaRun(RESNET, 'fp32', 'wasm', { p50: 95, params: 25_557_032, flops: 8.18e9, bytes: 102e6, inputs: IMAGE_224 }),
      replicaRun(RESNEXT, 'fp32', 'wasm', { p50: 120, params: 25_028_904, flops: 8.46e9, bytes: 100e6, inputs: IMAGE_224 }),
    ];
    const v = verdictOf('resnet-moderate-compute', results);
    expect(v.verdict).toBe('held');
    expect(v.summary).toContain(
      "resnet50: 25.56 M parameters (3.86× googlenet's, ≤ 2× or below vgg16's 138.4 M), 8.18 GFLOP against googlenet's 3, p50 95 ms against googlenet's 58 ms on wasm",
    );
    const quick = [
      ...base,
      replicaRun(RESNET, 'fp32', 'wasm', { p50: 40, params: 25_557_032, flops: 8.18e9 }),
      replicaRun(RESNEXT, 'fp32', 'wasm', { p50: 120, params: 25_028_904, flops: 8.46e9 }),
    ];
    const missed = verdictOf('resnet-moderate-compute', quick);
    expect(missed.verdict).toBe('not-held');
    expect(missed.margin).toBe("resnet50 p50 40 ms not above googlenet's 58 ms on wasm");
    // FLOPs are needed: a run without them (an old record) makes the check impossible, not false.
    const old = [...base.map((r) => ({ ...r, model: { ...r.model, flops: null } })), ...quick.slice(3)];
    expect(verdictOf('resnet-moderate-compute', old).reasons[0]).toMatch(/^run run-\d+ recorded no FLOPs \(model\.flops\)$/);
  });

  it('resnet-input: the input as run and its FLOPs', () => {
    const run = replicaRun(RESNET, 'fp32', 'wasm', { p50: 95, flops: 8.18e9, inputs: IMAGE_224 });
    const v = verdictOf('resnet-input', [run]);
    expect(v.verdict).toBe('held');
    expect(v.summary).toBe('resnet50 ran with input pixel_values [1,3,224,224]: 8.18 GFLOP (4.09 G multiply-adds), against the quoted [1,3,224,224].');
    expect(v.evidence).toEqual([{ label: 'resnet50 FLOPs at pixel_values [1,3,224,224]', value: 8.18, unit: 'GFLOP', runId: run.id }]);
    const other = verdictOf('resnet-input', [
      replicaRun(RESNET, 'fp32', 'wasm', { p50: 95, flops: null, inputs: [{ name: 'pixel_values', dims: [1, 3, 256, 256] }] }),
    ]);
    expect(other.verdict).toBe('not-held');
    expect(other.margin).toBe('the input is pixel_values [1,3,256,256], not [1,3,224,224]; no FLOPs recorded for it');
  });

  it('vit-l-size: parameters and FLOPs from the graph against the quote, and which multiply-add convention the quote uses', () => {
    const run = replicaRun(VIT384, 'fp32', 'wasm', {
      p50: 9000,
      params: 304_715_752,
      flops: 2 * 191.07e9,
      inputs: [{ name: 'pixel_values', dims: [1, 3, 384, 384] }],
    });
    const v = verdictOf('vit-l-size', [run]);
    expect(v.verdict).toBe('held');
    expect(v.summary).toBe(
      'The vit_l_16@384 graph has 304.7 M parameters against the quoted 307 M (−0.74 %). At pixel_values [1,3,384,384] it does 191 G multiply-adds (382 GFLOP counting each as 2): the quoted 191 G counts a multiply-add once (MACs) (+0.19 %). parameter gap to the quoted 307 M 0.744% (≤ 3%); compute gap to the quoted 191 G 0.194% (≤ 3%).',
    );
    expect(v.runIds).toEqual([run.id]);
  });

  it('phi35-params: counted from the graph even when the run itself did not finish; a tighter bar makes it not-held', () => {
    const run = failedRun(PHI, 'q4', 'wasm', 'Aborted after 0 measured generation(s)', 'errored', true);
    run.model.params = 3_821_079_552;
    const v = verdictOf('phi35-params', [run]);
    expect(v.verdict).toBe('held');
    expect(v.summary).toBe(
      `The Phi-3.5-mini-instruct graph has 3.821 B parameters against the quoted 3.8 B (+0.55 %). parameter gap to the quoted 3.8 B 0.555% (≤ 2%). (Counted from the graph built for run ${run.id}, which itself ended errored.)`,
    );
    const tight = verdictOf('phi35-params', [run], { 'phi35-params.paramsPct': 0.5 });
    expect(tight.verdict).toBe('not-held');
    expect(tight.margin).toBe('parameter gap to the quoted 3.8 B 0.555% against ≤ 0.5% (0.055 points over)');
    // A run that stopped before the graph was built carries only the published figure: not a measurement.
    const early = failedRun(PHI, 'q4', 'webgpu', 'WebGPU is not available in this browser');
    expect(verdictOf('phi35-params', [early])).toMatchObject({
      verdict: 'cannot-run-here',
      reasons: ['Phi-3.5-mini-instruct at q4 on webgpu: WebGPU is not available in this browser'],
      runIds: [early.id],
    });
  });

  it('effnet-l2-size: a replica with no builder is cannot-run-here with the planner’s reason', () => {
    const decided = failedRun(
      EFFNET,
      'fp32',
      'wasm',
      'Replica "FixEfficientNet-L2 (EfficientNet-L2)" cannot be built: no replica builder for this architecture yet.',
    );
    decided.env = null;
    const v = verdictOf('effnet-l2-size', [decided]);
    expect(v.verdict).toBe('cannot-run-here');
    expect(v.reasons).toEqual([
      'FixEfficientNet-L2 (EfficientNet-L2) at fp32 on wasm: Replica "FixEfficientNet-L2 (EfficientNet-L2)" cannot be built: no replica builder for this architecture yet.',
    ]);
    expect(v.runIds).toEqual([decided.id]);
    expect(v.device).toBeUndefined();
  });

  it('slm-on-phone: the pair on the same backend, the absolute bars, the smallest SLMs reported', () => {
    const results = [
      replicaRun(PHI, 'q4', 'webgpu', { decode: 12, ttft: 900 }),
      replicaRun(LLAMA, 'q4', 'webgpu', { decode: 5, ttft: 2100 }),
      replicaRun(PHI, 'q4', 'wasm', { decode: 0.04, ttft: 60_000 }),
      replicaRun(SMOL135, 'q4', 'wasm', { decode: 1.8, ttft: 1500 }),
      replicaRun(SMOL360, 'q4', 'webgpu', { decode: 30, ttft: 300 }),
    ];
    const v = verdictOf('slm-on-phone', results);
    expect(v.verdict).toBe('held');
    expect(v.summary).toBe(
      'Phi-3.5-mini-instruct against Llama-3.1-8B at q4 on webgpu: decode 12 tok/s against 5 tok/s, TTFT 900 ms against 2100 ms. decode ratio Phi-3.5-mini-instruct ÷ Llama-3.1-8B on webgpu 2.4× (≥ 1.8×); Phi-3.5-mini-instruct decode on webgpu 12 tok/s (≥ 5 tok/s); Phi-3.5-mini-instruct TTFT 900 ms (≤ 2000 ms). Smallest SLMs: SmolLM2-135M 1.8 tok/s, TTFT 1500 ms on wasm (misses the absolute bars); SmolLM2-360M 30 tok/s, TTFT 300 ms on webgpu (meets the absolute bars); Qwen2.5-0.5B did not run.',
    );
    const slower = verdictOf('slm-on-phone', [
      replicaRun(PHI, 'q4', 'webgpu', { decode: 7, ttft: 2500 }),
      replicaRun(LLAMA, 'q4', 'webgpu', { decode: 5, ttft: 2100 }),
    ]);
    expect(slower.verdict).toBe('not-held');
    expect(slower.margin).toBe(
      "Phi-3.5-mini-instruct TTFT 2500 ms is not below Llama-3.1-8B's 2100 ms on webgpu; decode ratio Phi-3.5-mini-instruct ÷ Llama-3.1-8B on webgpu 1.4× against ≥ 1.8× (1.29× short); Phi-3.5-mini-instruct TTFT 2500 ms against ≤ 2000 ms (500 ms over)",
    );
    // Phi meets the absolute bars, Llama cannot load: the comparison cannot be made here.
    const alone = [replicaRun(PHI, 'q4', 'webgpu', { decode: 12, ttft: 900 }), failedRun(LLAMA, 'q4', 'webgpu', 'GPU memory ran out')];
    const v2 = verdictOf('slm-on-phone', alone);
    expect(v2.verdict).toBe('cannot-run-here');
    expect(v2.reasons).toEqual([
      'the comparison needs Llama-3.1-8B at q4 on the same backend as Phi-3.5-mini-instruct',
      'Llama-3.1-8B at q4 on webgpu: GPU memory ran out',
    ]);
    expect(v2.runIds).toEqual([alone[1]!.id, alone[0]!.id]);
  });

  it('small-100m-advantage: speed and memory ratios on one backend', () => {
    const results = [
      replicaRun(SMOL135, 'q8', 'wasm', { decode: 40, ttft: 300, heap: 250e6 }),
      replicaRun(SMOL360, 'q8', 'wasm', { decode: 16, ttft: 700, heap: 560e6 }),
      // A context run of the same model and level is another kind: not used here.
      replicaRun(SMOL135, 'q8', 'wasm', {
        contexts: [
          [128, 90],
          [4096, 20],
        ],
      }),
    ];
    const v = verdictOf('small-100m-advantage', results);
    expect(v.verdict).toBe('held');
    expect(v.summary).toBe(
      'SmolLM2-135M against SmolLM2-360M at q8 on wasm: 40 tok/s against 16 tok/s, peak memory 250 MB against 560 MB: decode speed ratio 2.5× (≥ 2×); peak memory ratio 2.24× (≥ 2×).',
    );
    expect(v.runIds).toEqual([results[0]!.id, results[1]!.id]);
    const close = verdictOf('small-100m-advantage', [
      replicaRun(SMOL135, 'q8', 'wasm', { decode: 40, heap: 400e6 }),
      replicaRun(SMOL360, 'q8', 'wasm', { decode: 16, heap: 560e6 }),
    ]);
    expect(close.verdict).toBe('not-held');
    expect(close.margin).toBe('peak memory ratio 1.4× against ≥ 2× (1.43× short)');
  });

  it('test-time-compute: decode at the longest context as a share of the shortest', () => {
    const results = [
      replicaRun(SMOL135, 'q8', 'wasm', {
        contexts: [
          [128, 40],
          [512, 36],
          [2048, 28],
          [4096, 22],
        ],
      }),
      replicaRun(QWEN, 'q8', 'wasm', {
        contexts: [
          [128, 12],
          [512, 11],
          [2048, 7],
          [4096, 5.4],
        ],
      }),
    ];
    const v = verdictOf('test-time-compute', results);
    expect(v.verdict).toBe('not-held');
    expect(v.margin).toBe('Qwen2.5-0.5B decode at 4096 as a share of 128 (5.4 tok/s of 12 tok/s on wasm) 45% against ≥ 50% (5 points short)');
    expect(v.summary).toContain('SmolLM2-135M decode at 4096 as a share of 128 (22 tok/s of 40 tok/s on wasm) 55% (≥ 50%)');
    expect(v.evidence.filter((e) => e.label.startsWith('Qwen2.5-0.5B decode at context')).map((e) => e.value)).toEqual([12, 11, 7, 5.4]);
    expect(verdictOf('test-time-compute', results, { 'test-time-compute.retentionPct': 40 }).verdict).toBe('held');
  });

  it('slm-tasks: each task model’s best p50 at 32 tokens; a run at other input shapes does not count', () => {
    const SST = R('distilbert/distilbert-base-uncased-finetuned-sst-2-english');
    const NER = R('dslim/bert-base-NER');
    const at = (s: number, types: boolean) => [
      { name: 'input_ids', dims: [1, s] },
      { name: 'attention_mask', dims: [1, s] },
      ...(types ? [{ name: 'token_type_ids', dims: [1, s] }] : []),
    ];
    const results = [
      replicaRun(SST, 'fp32', 'wasm', { p50: 18, inputs: at(32, false) }),
      replicaRun(SST, 'q8', 'wasm', { p50: 11, inputs: at(32, false) }),
      replicaRun(NER, 'q8', 'wasm', { p50: 4, inputs: at(128, true) }),
      replicaRun(NER, 'fp32', 'wasm', { p50: 61, inputs: at(32, true) }),
    ];
    const v = verdictOf('slm-tasks', results);
    expect(v.verdict).toBe('not-held');
    expect(v.margin).toBe('bert-base-NER p50 (fp32 on wasm) 61 ms against ≤ 50 ms (11 ms over)');
    expect(v.runIds).toEqual([results[1]!.id, results[3]!.id]);
  });

  it('devices-run-denser: the largest model meeting the bars, per backend and level', () => {
    const results = [
      replicaRun(SMOL135, 'q4', 'wasm', { decode: 6, ttft: 1500 }),
      replicaRun(SMOL360, 'q4', 'wasm', { decode: 2, ttft: 3000 }),
      replicaRun(PHI, 'q4', 'webgpu', { decode: 12, ttft: 900 }),
      replicaRun(SMOL360, 'q4', 'webgpu', { decode: 30, ttft: 300 }),
    ];
    const v = verdictOf('devices-run-denser', results);
    expect(v.verdict).toBe('held');
    expect(v.summary).toBe(
      'Largest model meeting decode ≥ 5 tok/s and TTFT ≤ 2000 ms, per backend and level: wasm q4: SmolLM2-135M (134.5 M parameters, 6 tok/s, TTFT 1500 ms); webgpu q4: Phi-3.5-mini-instruct (3.821 B parameters, 12 tok/s, TTFT 900 ms).',
    );
    expect(v.evidence.map((e) => [e.value, e.runId])).toEqual([
      [134.515008, results[0]!.id],
      [3821.079552, results[2]!.id],
    ]);
    const none = verdictOf('devices-run-denser', [results[1]!]);
    expect(none.verdict).toBe('not-held');
    expect(none.margin).toBe('fastest (SmolLM2-360M on wasm at q4) decode 2 tok/s against ≥ 5 tok/s (3 tok/s short)');
  });

  it('every verdict computed from runs lists them', () => {
    const results = [...cnn(), replicaRun(MOBILENET, 'fp32', 'wasm', { p50: 14, bytes: 14e6 }), failedRun(PHI, 'q4', 'wasm', 'too slow', 'aborted')];
    for (const v of evaluateClaims(claims, results)) {
      if (v.verdict === 'not-measurable') continue;
      // Only a verdict whose runs are all absent has no run to link to.
      if (v.runIds.length === 0)
        expect(
          v.reasons.every((r) => r.startsWith('no run of ')),
          v.claimId,
        ).toBe(true);
      if (v.verdict !== 'cannot-run-here') expect(v.runIds.length, v.claimId).toBeGreaterThan(0);
    }
  });

  it('the factory makes records the schema accepts, and an old record without model.flops still validates', () => {
    const r = replicaRun(RESNET, 'fp32', 'wasm', { p50: 95, flops: 8.18e9 });
    expect(RunResultSchema.parse(r)).toEqual(r);
    const { flops: _, ...oldModel } = r.model;
    expect(RunResultSchema.parse({ ...r, model: oldModel }).model.flops).toBeNull();
  });
});

// ----- Plans

describe('claimRunPlans', () => {
  const plans = claimRunPlans(claims, ['wasm'], catalog);
  const runs = plans.flatMap((p) =>
    (p.models as string[]).flatMap((m) =>
      (p.dtypes as Dtype[]).map(
        (d) => `${m} ${d} ${p.workload.generation?.contextLengths ? 'context' : p.workload.generation ? 'generation' : 'inference'} ${p.workload.iterations}`,
      ),
    ),
  );

  it('runs each (model, level, workload) once, however many claims need it', () => {
    expect(new Set(runs).size).toBe(runs.length);
    // googlenet fp32 inference: cnn-shrink-100x and resnet-moderate-compute both need it.
    expect(runs.filter((r) => r.startsWith(`${GOOGLENET} fp32 inference`))).toEqual([`${GOOGLENET} fp32 inference 5`]);
    // Phi-3.5-mini q4 generation: slm-on-phone, phi35-params and devices-run-denser.
    expect(runs.filter((r) => r.startsWith(`${PHI} `))).toEqual([`${PHI} q4 generation 1`]);
  });

  it('plans these runs for wasm', () => {
    expect(plans.map((p) => ({ models: p.models, dtypes: p.dtypes, devices: p.devices }))).toEqual([
      { models: [VGG, ALEXNET, GOOGLENET, RESNET, RESNEXT], dtypes: ['fp32'], devices: ['wasm'] },
      { models: [MOBILENET], dtypes: ['fp32', 'q8'], devices: ['wasm'] },
      // Generation, 128-token prompt, 8 new tokens: hosting-7b-70b, small-trend, phi35-params, slm-on-phone at q4 and
      // small-100m-advantage at q8 share one workload; SmolLM2 runs at both levels.
      { models: [LLAMA, MISTRAL, DCLM, R('google/gemma-2-2b'), PHI, QWEN], dtypes: ['q4'], devices: ['wasm'] },
      { models: [SMOL135, SMOL360], dtypes: ['q8', 'q4'], devices: ['wasm'] },
      { models: [VIT384, EFFNET], dtypes: ['fp32'], devices: ['wasm'] },
      { models: [R('distilbert/distilbert-base-uncased-finetuned-sst-2-english')], dtypes: ['fp32', 'q8'], devices: ['wasm'] },
      { models: [R('dslim/bert-base-NER')], dtypes: ['fp32', 'q8'], devices: ['wasm'] },
      { models: [SMOL135, QWEN], dtypes: ['q8'], devices: ['wasm'] },
    ]);
    expect(plans.map((p) => p.workload.iterations)).toEqual([5, 5, 1, 1, 1, 20, 20, 1]);
    expect(runs).toHaveLength(25);
  });

  it('gives generation runs a 128-token prompt and context runs their lengths', () => {
    const ctx = plans.find((p) => p.workload.generation?.contextLengths)!;
    expect(ctx.workload).toEqual({
      iterations: 1,
      warmup: 0,
      timeBudgetMs: 10_000,
      generation: { prompt: promptOfTokens(128), maxNewTokens: 8, contextLengths: [128, 512, 2048, 4096] },
    });
    expect(new TextEncoder().encode(promptOfTokens(128)).length).toBe(512);
    const sst = plans.find((p) => (p.models as string[]).some((m) => m.includes('sst-2')))!;
    expect(sst.workload.inputs).toEqual({ attention_mask: { shape: [1, 32], fill: 1 }, input_ids: { shape: [1, 32], fill: 1 } });
  });

  it('rejects a claim that names a replica by an alias (its results would never be found)', () => {
    const aliased: Claim[] = [{ ...claims[0]!, runs: [{ ...claims[0]!.runs[0]!, models: ['replica:googlenet'] }] }];
    expect(() => claimRunPlans(aliased, ['wasm'], catalog)).toThrow(
      'Claim "cnn-shrink-100x" names "replica:googlenet": write the replica\'s catalog id, replica:torchvision/googlenet, the id its results carry.',
    );
  });
});

describe('selectClaims', () => {
  it('keeps the named claims in the file order, all of them when none are named, and names an unknown id', () => {
    expect(selectClaims(claims, ['slm-99pct', 'mobilenet-on-device']).map((c) => c.id)).toEqual(['mobilenet-on-device', 'slm-99pct']);
    expect(selectClaims(claims)).toHaveLength(claims.length);
    expect(() => selectClaims(claims, ['mobilenet', 'slm-99pct'])).toThrow(/^Unknown claim "mobilenet". Should be one of: cnn-shrink-100x, /);
  });
});

// ----- Devices

describe('device identity', () => {
  it('same environment, same key; another WebGPU adapter, another key', () => {
    const a = deviceIdentity(ENV);
    expect(deviceIdentity(structuredClone(ENV))).toEqual(a);
    expect(a.key).toBe('Chromium (headless) 131.0.6778.33|Linux x86_64|cores=2|mem=8|webgpu=google/swiftshader');
    expect(a.label).toBe('Chromium (headless) 131 · Linux x86_64 · 2 cores · 8 GiB · WebGPU google/swiftshader');
    const gpu = deviceIdentity({ ...ENV, webgpu: { ...ENV.webgpu!, vendor: 'nvidia', architecture: 'hopper' } });
    expect(gpu.key).not.toBe(a.key);
    expect(gpu.label).toBe('Chromium (headless) 131 · Linux x86_64 · 2 cores · 8 GiB · WebGPU nvidia/hopper');
    expect(deviceIdentity({ ...ENV, webgpu: null }).label).toMatch(/ · no WebGPU$/);
    expect(deviceIdentity(null).key).toBe('unknown');
  });

  it('reads common browsers and systems from the user agent', () => {
    const ua = (userAgent: string) =>
      deviceIdentity({ ...ENV, userAgent })
        .label.split(' · ')
        .slice(0, 2)
        .join(' · ');
    expect(ua('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15')).toBe(
      'Safari 17 · macOS 10.15.7',
    );
    expect(ua('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86')).toBe(
      'Edge 131 · Windows NT 10.0',
    );
    expect(ua('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36')).toBe(
      'Chrome 131 · Android 14',
    );
  });

  it('groups results by device; a result decided before running joins its suite’s device', () => {
    const here = replicaRun(GOOGLENET, 'fp32', 'wasm', { p50: 58 });
    const decided = failedRun(EFFNET, 'fp32', 'wasm', 'cannot be built');
    decided.env = null;
    const there = replicaRun(GOOGLENET, 'fp32', 'webgpu', { p50: 7 }, 'suite-2');
    there.env = { ...ENV, webgpu: { ...ENV.webgpu!, vendor: 'nvidia', architecture: 'hopper' } };
    const lost = { ...decided, id: 'lost', suiteId: null };
    const groups = groupByDevice([decided, here, there, lost]);
    expect([...groups.values()].map((g) => [g.identity.label.split(' · ').pop(), g.results.map((r) => r.id)])).toEqual([
      ['WebGPU google/swiftshader', [decided.id, here.id]],
      ['WebGPU nvidia/hopper', [there.id]],
      ['unknown device (the run recorded no environment)', ['lost']],
    ]);
  });
});
