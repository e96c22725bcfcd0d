// The latency rules (src/claims/rules/latency.ts) through evaluateClaims: a model's best p50 over backends and
// levels against a bar, and MobileNetV2's bytes and peak memory alongside.
import { describe, expect, it } from 'vitest';
import { IMAGE_224, MOBILENET, R, replicaRun, verdictOf } from '../fixtures/claims-records.ts';

describe('verdicts', () => {
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
});
