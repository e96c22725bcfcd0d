/**
 * Rules on what a model is: its size (model bytes, parameters counted in the graph), its compute (FLOPs) and the
 * input it takes, against the article's figures or another model's (with latency alongside where a claim compares it).
 */
import type { Found, Rule } from './rule.ts';
import { best, bytes, type Figure, flops, graphParams, need, p50, pairs } from './figures.ts';
import { absent, bar, cannotRun, count, ev, failure, gap, judged, nameOf, num, op, ratio, signedPct, withUnit } from './outcome.ts';
import type { Evidence } from '../types.ts';
import type { RunResult } from '../../core/schema.ts';

/** `cnn-shrink-100x`: the largest size ratio of the compared models to the reference (model bytes at fp32) against the bar; latency ratios alongside. */
export const cnnShrink100x: Rule = {
  roles: ['reference', 'compared'],
  thresholds: ['sizeRatio'],
  evaluate(ctx) {
    const ref = ctx.find(ctx.role('reference')[0]!, 'fp32');
    const compared = ctx.role('compared').map((m) => ctx.find(m, 'fp32'));
    const lacking = need(ref, ...compared);
    if (lacking.length) return cannotRun(lacking);
    const refBytes = best(ref.completed, bytes, 'max');
    const sizes = compared.map((f) => ({ f, b: best(f.completed, bytes, 'max') }));
    if (!refBytes || sizes.some((s) => !s.b))
      return cannotRun([], [...ref.completed, ...compared.flatMap((f) => f.completed)], [], ['a completed run recorded no model bytes']);
    const ratios = sizes.map((s) => ({ ...s, ratio: s.b!.value / refBytes.value }));
    const top = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const evidence = [ev(`${nameOf(ref.model)} fp32 model bytes`, refBytes.value / 1e6, 'MB', refBytes.run)];
    for (const r of ratios)
      evidence.push(
        ev(`${nameOf(r.f.model)} fp32 model bytes`, r.b!.value / 1e6, 'MB', r.b!.run),
        ev(`${nameOf(r.f.model)} ÷ ${nameOf(ref.model)} model bytes`, r.ratio, '×', null),
      );
    const latency: string[] = [];
    const used = [refBytes.run, ...ratios.map((r) => r.b!.run)];
    for (const r of ratios) {
      // Latency on the backend where the reference is fastest among those that ran both.
      const pair = pairs(r.f, ref, p50, p50, 'min').sort((a, b) => a.b.value - b.b.value)[0];
      if (!pair) continue;
      evidence.push(ev(`${nameOf(r.f.model)} ÷ ${nameOf(ref.model)} p50 latency on ${pair.device}`, pair.a.value / pair.b.value, '×', null));
      latency.push(`${nameOf(r.f.model)} ${ratio(pair.a.value / pair.b.value)} on ${pair.device}`);
      used.push(pair.a.run, pair.b.run);
    }
    const others = ratios.filter((r) => r !== top).map((r) => `${nameOf(r.f.model)} ${ratio(r.ratio)}`);
    const b = bar(`size ratio ${nameOf(top.f.model)} ÷ ${nameOf(ref.model)}`, top.ratio, ctx.t('sizeRatio'));
    const lead = `At fp32, ${nameOf(top.f.model)} is ${num(top.b!.value / 1e6)} MB and ${nameOf(ref.model)} ${num(refBytes.value / 1e6)} MB: ${nameOf(ref.model)} is ${ratio(top.ratio)} smaller${others.length ? ` (${others.join(', ')})` : ''}${latency.length ? `; latency ratio ${latency.join(', ')}` : ''}.`;
    return judged([b], lead, evidence, used);
  },
};

/** `resnet-moderate-compute`: each subject: parameters within the ratio of the reference's or below the ceiling's, and FLOPs and p50 above the reference's (same backend). */
export const resnetModerateCompute: Rule = {
  roles: ['subjects', 'reference', 'ceiling'],
  thresholds: ['paramsRatio'],
  evaluate(ctx) {
    const ref = ctx.find(ctx.role('reference')[0]!, 'fp32');
    const ceiling = ctx.find(ctx.role('ceiling')[0]!, 'fp32');
    const subjects = ctx.role('subjects').map((m) => ctx.find(m, 'fp32'));
    const lacking = need(ref, ceiling, ...subjects);
    if (lacking.length) return cannotRun(lacking);
    const t = ctx.t('paramsRatio');
    const figure = (f: Found, fig: Figure) => best(f.completed, fig, 'max');
    const [refP, ceilP, refF] = [figure(ref, graphParams), figure(ceiling, graphParams), figure(ref, flops)];
    const evidence: Evidence[] = [];
    const used: RunResult[] = [];
    const missing: string[] = [];
    if (!refP || !ceilP) missing.push('a completed run recorded no parameter count');
    if (!refF) missing.push(`run ${ref.completed[0]!.id} recorded no FLOPs (model.flops)`);
    const texts: string[] = [];
    const misses: string[] = [];
    for (const s of subjects) {
      const [p, f] = [figure(s, graphParams), figure(s, flops)];
      const pair = pairs(s, ref, p50, p50, 'min').sort((a, b) => a.a.value - b.a.value)[0];
      if (!p) missing.push(`no completed run of ${nameOf(s.model)} recorded a parameter count`);
      if (!f) missing.push(`run ${s.completed[0]!.id} recorded no FLOPs (model.flops)`);
      if (!pair) missing.push(`no backend ran both ${nameOf(s.model)} and ${nameOf(ref.model)} to completion`);
      if (!p || !f || !pair || !refP || !ceilP || !refF) continue;
      const pr = p.value / refP.value;
      const paramsOk = pr <= t.value || p.value < ceilP.value;
      const n = nameOf(s.model);
      evidence.push(
        ev(`${n} parameters`, p.value / 1e6, 'M params', p.run),
        ev(`${n} ÷ ${nameOf(ref.model)} parameters`, pr, '×', null),
        ev(`${n} FLOPs`, f.value / 1e9, 'GFLOP', f.run),
        ev(`${n} p50 latency on ${pair.device}`, pair.a.value, 'ms', pair.a.run),
      );
      used.push(p.run, f.run, pair.a.run, pair.b.run);
      texts.push(
        `${n}: ${count(p.value)} parameters (${ratio(pr)} ${nameOf(ref.model)}'s, ${op(t)} ${ratio(t.value)} or below ${nameOf(ceiling.model)}'s ${count(ceilP.value)}), ${num(f.value / 1e9)} GFLOP against ${nameOf(ref.model)}'s ${num(refF.value / 1e9)}, p50 ${withUnit(pair.a.value, 'ms')} against ${nameOf(ref.model)}'s ${withUnit(pair.b.value, 'ms')} on ${pair.device}`,
      );
      if (!paramsOk)
        misses.push(
          `${n} parameters ${ratio(pr)} ${nameOf(ref.model)}'s against ${op(t)} ${ratio(t.value)} (${gap(pr, t)}) and not below ${nameOf(ceiling.model)}'s`,
        );
      if (!(f.value > refF.value)) misses.push(`${n} FLOPs ${num(f.value / 1e9)} G not above ${nameOf(ref.model)}'s ${num(refF.value / 1e9)} G`);
      if (!(pair.a.value > pair.b.value))
        misses.push(`${n} p50 ${withUnit(pair.a.value, 'ms')} not above ${nameOf(ref.model)}'s ${withUnit(pair.b.value, 'ms')} on ${pair.device}`);
    }
    if (missing.length) return cannotRun([], [...ref.completed, ...ceiling.completed, ...subjects.flatMap((s) => s.completed)], evidence, missing);
    evidence.unshift(
      ev(`${nameOf(ref.model)} parameters`, refP!.value / 1e6, 'M params', refP!.run),
      ev(`${nameOf(ref.model)} FLOPs`, refF!.value / 1e9, 'GFLOP', refF!.run),
      ev(`${nameOf(ceiling.model)} parameters`, ceilP!.value / 1e6, 'M params', ceilP!.run),
    );
    used.push(refP!.run, refF!.run, ceilP!.run);
    return judged([], `${texts.join('; ')}.`, evidence, used, misses);
  },
};

/** `graph-size`: parameters counted in the graph (and, when quoted, FLOPs under the closer of the two conventions) within a percentage of the quote. */
export const graphSize: Rule = {
  roles: ['subject'],
  thresholds: ['paramsPct'],
  quoted: ['params', 'flops'],
  validate: (c) =>
    c.quoted?.flops !== undefined && !c.thresholds.some((t) => t.name === 'flopsPct')
      ? [['thresholds', 'a quoted FLOPs figure needs a threshold named "flopsPct"']]
      : [],
  evaluate(ctx) {
    const model = ctx.role('subject')[0]!;
    const found = ctx.levels(model);
    const runs = found.flatMap((f) => [...f.completed, ...f.failed]);
    const p = best(runs, graphParams, 'max');
    const q = ctx.claim.quoted!;
    const n = nameOf(model);
    if (!p) {
      if (runs.length === 0) return cannotRun(found);
      const reasons = found.flatMap((f) =>
        f.failed.length
          ? f.failed.map(failure)
          : f.completed.length
            ? [`${n} at ${f.dtype}: no run recorded the parameter count of the built graph`]
            : [absent(f)],
      );
      return { ...cannotRun([], runs, [], reasons), summary: `Cannot be checked on this device: no run of ${n} counted its graph.` };
    }
    const evidence = [ev(`${n} parameters counted in the graph`, p.value / 1e6, 'M params', p.run)];
    const pctParams = (p.value / q.params! - 1) * 100;
    const bars = [bar(`parameter gap to the quoted ${count(q.params!)}`, Math.abs(pctParams), ctx.t('paramsPct'))];
    let lead = `The ${n} graph has ${count(p.value)} parameters against the quoted ${count(q.params!)} (${signedPct(pctParams)}).`;
    const used = [p.run];
    if (q.flops !== undefined) {
      const f = best(runs, flops, 'max');
      if (!f)
        return cannotRun([], [p.run], evidence, [
          `no run of ${model} recorded FLOPs (model.flops): the builder counts them only at the input shapes it was built for`,
        ]);
      const macs = f.value / 2;
      const [gMacs, gFlops] = [(macs / q.flops - 1) * 100, (f.value / q.flops - 1) * 100];
      const once = Math.abs(gMacs) <= Math.abs(gFlops);
      const shown = once ? gMacs : gFlops;
      const at = f.run.workload.inputs.map((i) => `${i.name} [${i.dims.join(',')}]`).join(', ');
      evidence.push(ev(`${n} FLOPs at ${at} (multiply-add = 2)`, f.value / 1e9, 'GFLOP', f.run), ev(`${n} multiply-adds (MACs)`, macs / 1e9, 'GMAC', f.run));
      lead += ` At ${at} it does ${num(macs / 1e9)} G multiply-adds (${num(f.value / 1e9)} GFLOP counting each as 2): the quoted ${num(q.flops / 1e9)} G ${once ? 'counts a multiply-add once (MACs)' : 'counts a multiply-add as two operations'} (${signedPct(shown)}).`;
      bars.push(bar(`compute gap to the quoted ${num(q.flops / 1e9)} G`, Math.abs(shown), ctx.t('flopsPct')));
      used.push(f.run);
    }
    const out = judged(bars, lead, evidence, used);
    if (p.run.state !== 'completed') out.summary += ` (Counted from the graph built for run ${p.run.id}, which itself ended ${p.run.state}.)`;
    return out;
  },
};

/** `resnet-input`: a completed run fed the quoted input shape and recorded FLOPs at it. */
export const resnetInput: Rule = {
  roles: ['subject'],
  thresholds: [],
  quoted: ['inputShape'],
  evaluate(ctx) {
    const model = ctx.role('subject')[0]!;
    const found = ctx.levels(model);
    const done = found.flatMap((f) => f.completed);
    if (!done.length) return cannotRun(found);
    const want = ctx.claim.quoted!.inputShape!.join(',');
    const image = (r: RunResult) => r.workload.inputs.find((i) => i.dims.length === 4) ?? r.workload.inputs[0];
    const run =
      done.find((r) => image(r)?.dims.join(',') === want && r.model.flops !== null) ?? done.find((r) => image(r)?.dims.join(',') === want) ?? done[0]!;
    const input = image(run);
    const n = nameOf(model);
    const shape = input ? `${input.name} [${input.dims.join(',')}]` : 'no recorded input';
    const evidence = [ev(`${n} FLOPs at ${shape}`, run.model.flops === null ? null : run.model.flops / 1e9, 'GFLOP', run)];
    const misses: string[] = [];
    if (input?.dims.join(',') !== want) misses.push(`the input is ${shape}, not [${want}]`);
    if (run.model.flops === null) misses.push('no FLOPs recorded for it');
    const flopsText = run.model.flops === null ? 'no FLOPs recorded' : `${num(run.model.flops / 1e9)} GFLOP (${num(run.model.flops / 2e9)} G multiply-adds)`;
    return judged([], `${n} ran with input ${shape}: ${flopsText}, against the quoted [${want}].`, evidence, [run], misses);
  },
};
