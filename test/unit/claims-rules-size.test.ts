// The size rules (src/claims/rules/size.ts) through evaluateClaims: model bytes, parameters counted in the graph,
// FLOPs and the input shape against the quotes or another model's, from hand-made results; overrides change verdicts.
import { describe, expect, it } from 'vitest';
import { cnn, EFFNET, failedRun, IMAGE_224, PHI, replicaRun, RESNET, RESNEXT, verdictOf, VIT384 } from '../fixtures/claims-records.ts';

describe('verdicts', () => {
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
});
