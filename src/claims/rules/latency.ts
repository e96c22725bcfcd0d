/**
 * Rules on inference latency: a model's best p50 (over backends and levels) against a bar; mobilenet-on-device also
 * holds the model's bytes to bars and reports its peak memory.
 */
import type { Rule } from './rule.ts';
import { best, bytes, need, p50, peakBytes } from './figures.ts';
import { type Bar, bar, cannotRun, ev, judged, nameOf } from './outcome.ts';
import type { Evidence } from '../types.ts';
import type { RunResult } from '../../core/schema.ts';

/** `mobilenet-on-device`: best p50 over backends and levels against the latency bar; model bytes at fp32 and at q8 against the size bars; peak memory reported. */
export const mobilenetOnDevice: Rule = {
  roles: ['subject'],
  thresholds: ['p50Ms', 'fp32MB', 'q8MB'],
  evaluate(ctx) {
    const model = ctx.role('subject')[0]!;
    const [fp32, q8] = [ctx.find(model, 'fp32'), ctx.find(model, 'q8')];
    const lacking = need(fp32, q8);
    if (lacking.length) return cannotRun(lacking);
    const fast = best([...fp32.completed, ...q8.completed], p50, 'min');
    const [b32, b8] = [best(fp32.completed, bytes, 'max'), best(q8.completed, bytes, 'max')];
    if (!fast || !b32 || !b8) return cannotRun([], [...fp32.completed, ...q8.completed], [], ['a completed run recorded no p50 latency or model bytes']);
    const n = nameOf(model);
    const evidence = [
      ev(`${n} ${fast.run.model.dtype} p50 on ${fast.run.device} (best backend and level)`, fast.value, 'ms', fast.run),
      ev(`${n} fp32 model bytes`, b32.value / 1e6, 'MB', b32.run),
      ev(`${n} q8 model bytes`, b8.value / 1e6, 'MB', b8.run),
    ];
    for (const r of [...fp32.completed, ...q8.completed]) {
      if (r !== fast.run) evidence.push(ev(`${n} ${r.model.dtype} p50 on ${r.device}`, p50(r), 'ms', r));
      evidence.push(ev(`${n} ${r.model.dtype} peak memory on ${r.device}`, peakBytes(r) === null ? null : peakBytes(r)! / 1e6, 'MB', r));
    }
    const bars = [
      bar(`p50 latency (${fast.run.model.dtype} on ${fast.run.device})`, fast.value, ctx.t('p50Ms')),
      bar('fp32 size', b32.value / 1e6, ctx.t('fp32MB')),
      bar('q8 size', b8.value / 1e6, ctx.t('q8MB')),
    ];
    return judged(bars, `${n} at 224×224, batch 1:`, evidence, [...fp32.completed, ...q8.completed]);
  },
};

/** `latency-bar`: every model's best p50 (over backends and levels) against the bar. */
export const latencyBar: Rule = {
  roles: [],
  thresholds: ['p50Ms'],
  evaluate(ctx) {
    const t = ctx.t('p50Ms');
    const perModel = ctx.models().map((m) => ({ m, found: ctx.levels(m) }));
    const lacking = perModel.filter((x) => x.found.every((f) => f.completed.length === 0)).flatMap((x) => x.found);
    if (lacking.length)
      return cannotRun(
        lacking,
        perModel.flatMap((x) => x.found.flatMap((f) => f.completed)),
      );
    const bars: Bar[] = [];
    const evidence: Evidence[] = [];
    const used: RunResult[] = [];
    for (const { m, found } of perModel) {
      const b = best(
        found.flatMap((f) => f.completed),
        p50,
        'min',
      );
      if (!b)
        return cannotRun(
          [],
          found.flatMap((f) => f.completed),
          evidence,
          [`no completed run of ${m} recorded a p50 latency`],
        );
      const at = b.run.workload.inputs.map((i) => `${i.name} [${i.dims.join(',')}]`).join(', ');
      evidence.push(ev(`${nameOf(m)} ${b.run.model.dtype} p50 on ${b.run.device} (best backend and level; ${at})`, b.value, 'ms', b.run));
      bars.push(bar(`${nameOf(m)} p50 (${b.run.model.dtype} on ${b.run.device})`, b.value, t));
      used.push(b.run);
    }
    return judged(bars, "On one sentence at the claim's input length:", evidence, used);
  },
};
