// The generation rules (src/claims/rules/generation.ts) through evaluateClaims: decode speed and time to first token
// against bars or a rival model, the largest model meeting them, and decode speed as the context grows.
import { describe, expect, it } from 'vitest';
import { DCLM, failedRun, LLAMA, MISTRAL, PHI, QWEN, R, replicaRun, SMOL135, SMOL360, verdictOf } from '../fixtures/claims-records.ts';

describe('verdicts', () => {
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
    expect(v.summary).toBe('Cannot be checked on this device: no completed generation run of Llama-3.1-8B at q4, Mistral-7B-v0.3 at q4, DCLM-7B at q4.');
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
      'Llama-3.1-8B at q4 decodes 6.4 tok/s on webgpu (ort q4); Mistral-7B-v0.3 at q4 decodes 3.1 tok/s on webgpu (ort q4); DCLM-7B at q4 was not run yet (no generation run of DCLM-7B at q4 on this device in these results) (bar ≥ 5 tok/s).',
    );
    expect(v.evidence.find((e) => e.label.startsWith('DCLM-7B'))!.value).toBeNull();
    expect(v.runIds).toEqual([results[1]!.id, results[2]!.id]);
    // Slower than the bar: not-held, by how much.
    const slow = verdictOf('hosting-7b-70b', [replicaRun(MISTRAL, 'q4', 'webgpu', { decode: 3.1, ttft: 1100 })]);
    expect(slow.verdict).toBe('not-held');
    expect(slow.margin).toBe('Mistral-7B-v0.3 at q4 decode on webgpu (ort q4) 3.1 tok/s against ≥ 5 tok/s (1.9 tok/s short)');
  });

  it('hosting-7b-70b and small-trend judge with the fastest engine that ran, its GGUF twin level included, and name it', () => {
    const results = [
      replicaRun(LLAMA, 'q4', 'wasm', { decode: 0.4, ttft: 30_000 }),
      replicaRun(LLAMA, 'q4_0', 'wasm', { decode: 6.1, ttft: 1900 }),
      replicaRun(MISTRAL, 'q4_0', 'wasm', { decode: 4.2, ttft: 2100 }),
    ];
    const v = verdictOf('hosting-7b-70b', results);
    expect(v.verdict).toBe('held');
    expect(v.summary).toMatch(
      /^Llama-3\.1-8B at q4 decodes 6\.1 tok\/s on wasm \(wllama q4_0\); Mistral-7B-v0\.3 at q4 decodes 4\.2 tok\/s on wasm \(wllama q4_0\);/,
    );
    expect(v.evidence[0]).toMatchObject({ label: 'Llama-3.1-8B at q4 decode on wasm (wllama q4_0): the fastest engine and backend', value: 6.1 });
    expect(v.runIds).toEqual([results[1]!.id, results[2]!.id]);
    // The ORT run alone misses the bar: the GGUF run is what turns the verdict.
    expect(verdictOf('hosting-7b-70b', results.slice(0, 1)).verdict).toBe('not-held');
    const gemma = verdictOf('small-trend', [replicaRun(R('google/gemma-2-2b'), 'q4', 'wasm', { decode: 2, ttft: 3000 })]);
    expect(gemma.margin).toBe('gemma-2-2b at q4 decode on wasm (ort q4) 2 tok/s against ≥ 5 tok/s (3 tok/s short)');
  });

  it('slm-on-phone and devices-run-denser count wllama runs with the ONNX level of their size class', () => {
    const results = [
      replicaRun(PHI, 'q4', 'wasm', { decode: 0.9, ttft: 9000 }),
      replicaRun(LLAMA, 'q4', 'wasm', { decode: 0.3, ttft: 30_000 }),
      replicaRun(SMOL135, 'q4', 'wasm', { decode: 4.3, ttft: 430 }),
      replicaRun(SMOL135, 'q4_0', 'wasm', { decode: 7.7, ttft: 900 }),
    ];
    const phone = verdictOf('slm-on-phone', results);
    expect(phone.summary).toContain('SmolLM2-135M 7.7 tok/s, TTFT 900 ms on wasm (wllama q4_0) (meets the absolute bars)');
    const denser = verdictOf('devices-run-denser', results);
    expect(denser.verdict).toBe('held');
    expect(denser.summary).toBe(
      'Largest model meeting decode ≥ 5 tok/s and TTFT ≤ 2000 ms, per backend and level: wasm q4: SmolLM2-135M (134.5 M parameters, wllama q4_0: 7.7 tok/s, TTFT 900 ms).',
    );
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
      'Phi-3.5-mini-instruct against Llama-3.1-8B at q4 on webgpu: decode 12 tok/s (ort q4) against 5 tok/s (ort q4), TTFT 900 ms against 2100 ms. decode ratio Phi-3.5-mini-instruct ÷ Llama-3.1-8B on webgpu 2.4× (≥ 1.8×); Phi-3.5-mini-instruct decode on webgpu (ort q4) 12 tok/s (≥ 5 tok/s); Phi-3.5-mini-instruct TTFT 900 ms (≤ 2000 ms). Smallest SLMs: SmolLM2-135M 1.8 tok/s, TTFT 1500 ms on wasm (ort q4) (misses the absolute bars); SmolLM2-360M 30 tok/s, TTFT 300 ms on webgpu (ort q4) (meets the absolute bars); Qwen2.5-0.5B did not run.',
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
      'Largest model meeting decode ≥ 5 tok/s and TTFT ≤ 2000 ms, per backend and level: wasm q4: SmolLM2-135M (134.5 M parameters, ort q4: 6 tok/s, TTFT 1500 ms); webgpu q4: Phi-3.5-mini-instruct (3.821 B parameters, ort q4: 12 tok/s, TTFT 900 ms).',
    );
    expect(v.evidence.map((e) => [e.value, e.runId])).toEqual([
      [134.515008, results[0]!.id],
      [3821.079552, results[2]!.id],
    ]);
    const none = verdictOf('devices-run-denser', [results[1]!]);
    expect(none.verdict).toBe('not-held');
    expect(none.margin).toBe('fastest (SmolLM2-360M on wasm (ort q4)) decode 2 tok/s against ≥ 5 tok/s (3 tok/s short)');
  });
});
