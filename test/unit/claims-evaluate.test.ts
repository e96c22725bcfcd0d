// Evaluation over every claim (src/claims/evaluate.ts): absent runs give not-run-yet naming them (never a throw),
// failed ones cannot-run-here with their errors, every verdict computed from runs lists them, and the records the tests make are ones the schema accepts.
import { describe, expect, it } from 'vitest';
import { evaluateClaims } from '../../src/claims/evaluate.ts';
import { RunResultSchema } from '../../src/core/schema.ts';
import { claims, cnn, failedRun, MOBILENET, PHI, replicaRun, RESNET, SMOL135, verdictOf } from '../fixtures/claims-records.ts';

describe('verdicts', () => {
  it('not-run-yet from absent runs: no generation run of X at Y on this device in these results (never a throw)', () => {
    const v = verdictOf('small-trend', []);
    expect(v.verdict).toBe('not-run-yet');
    expect(v.reasons).toEqual(['no generation run of gemma-2-2b at q4 on this device in these results']);
    expect(v.summary).toBe('Not run yet: no generation run of gemma-2-2b at q4. Run the claims suite (or these runs) to judge it.');
    expect(v.runIds).toEqual([]);
    const all = evaluateClaims(claims, []);
    expect(all.map((x) => x.claimId)).toEqual(claims.map((c) => c.id));
    // Nothing ran, so nothing is claimed of the device: every measurable claim is not-run-yet, none cannot-run-here.
    const measurable = all.filter((x) => x.verdict !== 'not-measurable');
    expect(measurable.filter((x) => x.verdict !== 'not-run-yet').map((x) => `${x.claimId}: ${x.verdict} ${x.summary}`)).toEqual([]);
    expect(measurable.every((x) => x.reasons.length > 0)).toBe(true);
  });

  it('not-run-yet names the kind of run missing: a generation run is not the context run test-time-compute needs', () => {
    const v = verdictOf('test-time-compute', [replicaRun(SMOL135, 'q8', 'wasm', { decode: 40, ttft: 300 })]);
    expect(v.verdict).toBe('not-run-yet');
    expect(v.summary).toMatch(/^Not run yet: no context run of SmolLM2-135M at q8/);
    expect(v.reasons[0]).toBe('no context run of SmolLM2-135M at q8 on this device in these results (its one completed run is of another kind)');
  });

  it('a failed run is a device limit (cannot-run-here), even beside runs never made', () => {
    const v = verdictOf('test-time-compute', [failedRun(SMOL135, 'q8', 'wasm', 'WebAssembly.Memory(): could not allocate memory')]);
    expect(v.verdict).toBe('cannot-run-here');
    expect(v.summary).toMatch(/^Cannot be checked on this device: no completed context run of SmolLM2-135M at q8/);
  });

  it('every verdict computed from runs lists them', () => {
    const results = [...cnn(), replicaRun(MOBILENET, 'fp32', 'wasm', { p50: 14, bytes: 14e6 }), failedRun(PHI, 'q4', 'wasm', 'too slow', 'aborted')];
    for (const v of evaluateClaims(claims, results)) {
      if (v.verdict === 'not-measurable') continue;
      // Only a verdict whose runs are all absent has no run to link to.
      if (v.runIds.length === 0)
        expect(
          v.reasons.every((r) => /^no (\w+ )?run of /.test(r)),
          v.claimId,
        ).toBe(true);
      if (v.verdict !== 'cannot-run-here' && v.verdict !== 'not-run-yet') expect(v.runIds.length, v.claimId).toBeGreaterThan(0);
    }
  });

  it('the factory makes records the schema accepts, and an old record without model.flops still validates', () => {
    const r = replicaRun(RESNET, 'fp32', 'wasm', { p50: 95, flops: 8.18e9 });
    expect(RunResultSchema.parse(r)).toEqual(r);
    const { flops: _, ...oldModel } = r.model;
    expect(RunResultSchema.parse({ ...r, model: oldModel }).model.flops).toBeNull();
  });
});
