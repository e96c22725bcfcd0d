/** The rule of claims no on-device run speaks to: the verdict is the claim's reason. */
import type { Rule } from './rule.ts';

/** `not-measurable`: no run speaks to the claim; the verdict gives the claim's reason. */
export const notMeasurable: Rule = {
  roles: [],
  thresholds: [],
  evaluate(ctx) {
    const why = ctx.claim.notMeasurable ?? 'no on-device measurement speaks to this claim';
    return { verdict: 'not-measurable', summary: `Not measurable on a device: ${why}.`, margin: null, evidence: [], runIds: [], reasons: [why] };
  },
};
