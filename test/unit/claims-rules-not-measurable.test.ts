// The not-measurable rule (src/claims/rules/not-measurable.ts): the verdict is the claim's reason, with no runs.
import { describe, expect, it } from 'vitest';
import { evaluateClaims } from '../../src/claims/evaluate.ts';
import { claims, cnn, verdictOf } from '../fixtures/claims-records.ts';

describe('verdicts', () => {
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
});
