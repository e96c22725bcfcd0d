/**
 * The rules a claim may name (Claim.rule), one family per module: size.ts (bytes, parameters, FLOPs, input shape),
 * latency.ts (p50 against a bar), generation.ts (decode speed, time to first token, context), not-measurable.ts.
 * rule.ts says what a rule is; figures.ts and outcome.ts are what the rules share.
 */
import type { Rule } from './rule.ts';
import { decodeBar, devicesRunDenser, slmOnPhone, small100mAdvantage, testTimeCompute } from './generation.ts';
import { latencyBar, mobilenetOnDevice } from './latency.ts';
import { notMeasurable } from './not-measurable.ts';
import { cnnShrink100x, graphSize, resnetInput, resnetModerateCompute } from './size.ts';

/** Rules by name, in the order messages list them. */
export const RULES: Readonly<Record<string, Rule>> = Object.freeze({
  'cnn-shrink-100x': cnnShrink100x,
  'resnet-moderate-compute': resnetModerateCompute,
  'mobilenet-on-device': mobilenetOnDevice,
  'decode-bar': decodeBar,
  'graph-size': graphSize,
  'small-100m-advantage': small100mAdvantage,
  'resnet-input': resnetInput,
  'slm-on-phone': slmOnPhone,
  'latency-bar': latencyBar,
  'devices-run-denser': devicesRunDenser,
  'test-time-compute': testTimeCompute,
  'not-measurable': notMeasurable,
});

/** The rule names a claim may use. */
export const RULE_NAMES: readonly string[] = Object.freeze(Object.keys(RULES));
