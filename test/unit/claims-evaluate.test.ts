// Evaluation over every claim (src/claims/evaluate.ts): absent runs give cannot-run-here with a reason (never a
// throw), every verdict computed from runs lists them, and the records the tests make are ones the schema accepts.
import { describe, expect, it } from 'vitest';
import { evaluateClaims } from '../../src/claims/evaluate.ts';
import { RunResultSchema } from '../../src/core/schema.ts';
import { claims, cnn, failedRun, MOBILENET, PHI, replicaRun, RESNET, verdictOf } from '../fixtures/claims-records.ts';

describe('verdicts', () => {
  it('cannot-run-here from absent runs: no run of X at Y on this device in these results (never a throw)', () => {
    const v = verdictOf('small-trend', []);
    expect(v.verdict).toBe('cannot-run-here');
    expect(v.reasons).toEqual(['no run of replica:google/gemma-2-2b at q4 on this device in these results']);
    expect(v.runIds).toEqual([]);
    const all = evaluateClaims(claims, []);
    expect(all.map((x) => x.claimId)).toEqual(claims.map((c) => c.id));
    expect(all.filter((x) => x.verdict !== 'not-measurable').every((x) => x.verdict === 'cannot-run-here' && x.reasons.length > 0)).toBe(true);
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
