/**
 * Rules on language-model generation: decode speed and time to first token against bars or a rival model, the
 * largest model that meets them, and how decode speed holds up as the context grows.
 */
import type { Found, Rule } from './rule.ts';
import { type Best, best, decode, type Figure, need, pairs, peakBytes, ttft, where, engineLevel } from './figures.ts';
import { absent, type Bar, bar, cannotRun, count, ev, failure, judged, nameOf, num, op, withUnit } from './outcome.ts';
import type { Evidence } from '../types.ts';
import type { RunResult } from '../../core/schema.ts';
import { onnxTwin } from '../../core/engine-sides.ts';
import { DEVICES, DTYPES, type Device, type Dtype } from '../../core/vocab.ts';

/** `decode-bar`: any of the claim's models loads and decodes at or above the bar on its best backend. */
export const decodeBar: Rule = {
  roles: [],
  thresholds: ['decodeTokPerS'],
  evaluate(ctx) {
    const t = ctx.t('decodeTokPerS');
    const found = ctx.models().flatMap((m) => ctx.levels(m));
    if (found.every((f) => f.completed.length === 0)) return cannotRun(found);
    const evidence: Evidence[] = [];
    const used: RunResult[] = [];
    const texts: string[] = [];
    let top: (Best & { f: Found }) | null = null;
    for (const f of found) {
      const b = best(f.completed, decode, 'max');
      const n = `${nameOf(f.model)} at ${f.dtype}`;
      if (!b) {
        const why = f.failed.length ? f.failed.map(failure).join('; ') : f.completed.length ? 'no decode speed recorded' : absent(f);
        const state = f.failed.length || f.completed.length ? 'could not run' : 'not run yet';
        evidence.push(ev(`${n} decode (${state}: ${why})`, null, 'tok/s', f.failed[0] ?? null));
        texts.push(`${n} ${state === 'not run yet' ? 'was not run yet' : state} (${why})`);
        used.push(...f.failed);
        continue;
      }
      evidence.push(ev(`${n} decode on ${where(b.run)}: the fastest engine and backend`, b.value, 'tok/s', b.run));
      texts.push(`${n} decodes ${withUnit(b.value, 'tok/s')} on ${where(b.run)}`);
      used.push(b.run);
      if (!top || b.value > top.value) top = { ...b, f };
    }
    if (!top) return cannotRun(found, [], evidence, ['no completed run recorded a decode speed']);
    const b = bar(`${nameOf(top.f.model)} at ${top.f.dtype} decode on ${where(top.run)}`, top.value, t);
    return judged([], `${texts.join('; ')} (bar ${op(t)} ${withUnit(t.value, t.unit)}).`, evidence, used, b.ok ? [] : [b.margin!]);
  },
};

/** `small-100m-advantage`: on the backend where the small model decodes fastest (among those that ran both): decode ratio and peak-memory ratio against the bars. */
export const small100mAdvantage: Rule = {
  roles: ['small', 'large'],
  thresholds: ['speedRatio', 'memoryRatio'],
  evaluate(ctx) {
    const small = ctx.levels(ctx.role('small')[0]!)[0]!;
    const large = ctx.levels(ctx.role('large')[0]!)[0]!;
    const lacking = need(small, large);
    if (lacking.length) return cannotRun(lacking, [...small.completed, ...large.completed]);
    const pair = pairs(small, large, decode, decode, 'max').sort((a, b) => b.a.value - a.a.value)[0];
    if (!pair)
      return cannotRun(
        [],
        [...small.completed, ...large.completed],
        [],
        [`no backend ran both ${nameOf(small.model)} and ${nameOf(large.model)} at ${small.dtype} to completion with a decode speed`],
      );
    const [ms, ml] = [peakBytes(pair.a.run), peakBytes(pair.b.run)];
    if (ms === null || ml === null)
      return cannotRun(
        [],
        [pair.a.run, pair.b.run],
        [],
        [
          `peak memory not recorded on ${pair.device} (${
            [pair.a.run, pair.b.run]
              .map((r) => r.memory.unknown.wasmHeapPeakBytes ?? r.memory.unknown.gpuBufferPeakBytes)
              .filter(Boolean)
              .join('; ') || 'no reason given'
          })`,
        ],
      );
    const [a, b] = [nameOf(small.model), nameOf(large.model)];
    const evidence = [
      ev(`${a} decode on ${pair.device}`, pair.a.value, 'tok/s', pair.a.run),
      ev(`${b} decode on ${pair.device}`, pair.b.value, 'tok/s', pair.b.run),
      ev(`${a} peak memory on ${pair.device}`, ms / 1e6, 'MB', pair.a.run),
      ev(`${b} peak memory on ${pair.device}`, ml / 1e6, 'MB', pair.b.run),
      ev(`${a} ÷ ${b} decode speed`, pair.a.value / pair.b.value, '×', null),
      ev(`${b} ÷ ${a} peak memory`, ml / ms, '×', null),
    ];
    const bars = [bar('decode speed ratio', pair.a.value / pair.b.value, ctx.t('speedRatio')), bar('peak memory ratio', ml / ms, ctx.t('memoryRatio'))];
    return judged(
      bars,
      `${a} against ${b} at ${small.dtype} on ${pair.device}: ${withUnit(pair.a.value, 'tok/s')} against ${withUnit(pair.b.value, 'tok/s')}, peak memory ${num(ms / 1e6)} MB against ${num(ml / 1e6)} MB:`,
      evidence,
      [pair.a.run, pair.b.run],
    );
  },
};

/** `slm-on-phone`: subject against rival on the same backend (subject's best): decode ratio and lower TTFT; subject's best run against the absolute bars; the small SLMs reported against the same bars. */
export const slmOnPhone: Rule = {
  roles: ['subject', 'rival', 'small'],
  thresholds: ['speedRatio', 'decodeTokPerS', 'ttftMs'],
  evaluate(ctx) {
    const subject = ctx.levels(ctx.role('subject')[0]!)[0]!;
    const rival = ctx.levels(ctx.role('rival')[0]!)[0]!;
    const small = ctx.role('small').flatMap((m) => ctx.levels(m));
    const [tDecode, tTtft, tRatio] = [ctx.t('decodeTokPerS'), ctx.t('ttftMs'), ctx.t('speedRatio')];
    const [s, r] = [nameOf(subject.model), nameOf(rival.model)];
    const top = best(subject.completed, decode, 'max');
    if (!top || ttft(top.run) === null)
      return cannotRun([{ ...subject, completed: [] }], [], [], top ? [`run ${top.run.id} recorded no time to first token`] : []);
    const evidence = [
      ev(`${s} decode on ${where(top.run)}: the fastest engine and backend`, top.value, 'tok/s', top.run),
      ev(`${s} TTFT on ${where(top.run)}`, ttft(top.run), 'ms', top.run),
    ];
    const used: RunResult[] = [top.run];
    const absolute = [bar(`${s} decode on ${where(top.run)}`, top.value, tDecode), bar(`${s} TTFT`, ttft(top.run)!, tTtft)];
    // The smallest SLMs against the same absolute bars (reported, not part of the verdict).
    const smallTexts: string[] = [];
    for (const f of small) {
      const b = best(f.completed, decode, 'max');
      if (!b) {
        evidence.push(
          ev(
            `${nameOf(f.model)} decode (could not run: ${f.failed.length ? f.failed.map(failure).join('; ') : absent(f)})`,
            null,
            'tok/s',
            f.failed[0] ?? null,
          ),
        );
        smallTexts.push(`${nameOf(f.model)} did not run`);
        continue;
      }
      const t = ttft(b.run);
      const meets = b.value >= tDecode.value && t !== null && t <= tTtft.value;
      evidence.push(
        ev(`${nameOf(f.model)} decode on ${where(b.run)}`, b.value, 'tok/s', b.run),
        ev(`${nameOf(f.model)} TTFT on ${where(b.run)}`, t, 'ms', b.run),
      );
      used.push(b.run);
      smallTexts.push(
        `${nameOf(f.model)} ${withUnit(b.value, 'tok/s')}, TTFT ${t === null ? '?' : withUnit(t, 'ms')} on ${where(b.run)} (${meets ? 'meets' : 'misses'} the absolute bars)`,
      );
    }
    const smallText = smallTexts.length ? ` Smallest SLMs: ${smallTexts.join('; ')}.` : '';
    const pair = pairs(subject, rival, decode, decode, 'max')
      .filter((p) => ttft(p.a.run) !== null && ttft(p.b.run) !== null)
      .sort((a, b) => b.a.value - a.a.value)[0];
    if (!pair) {
      const missedAbsolute = absolute.filter((b) => !b.ok);
      const lead = `${s} at ${subject.dtype}: ${absolute.map((b) => b.text).join('; ')}; ${r} did not complete on any backend ${s} ran on, so the comparison is not measured.${smallText}`;
      if (missedAbsolute.length) return { ...judged(absolute, lead, evidence, used), summary: lead };
      const out = cannotRun([rival], used, evidence, [`the comparison needs ${r} at ${rival.dtype} on the same backend as ${s}`]);
      return { ...out, summary: lead };
    }
    used.push(pair.a.run, pair.b.run);
    const [ta, tb] = [ttft(pair.a.run)!, ttft(pair.b.run)!];
    evidence.push(
      ev(`${r} decode on ${where(pair.b.run)}`, pair.b.value, 'tok/s', pair.b.run),
      ev(`${r} TTFT on ${where(pair.b.run)}`, tb, 'ms', pair.b.run),
      ev(`${s} ÷ ${r} decode speed on ${pair.device}`, pair.a.value / pair.b.value, '×', null),
    );
    const bars = [bar(`decode ratio ${s} ÷ ${r} on ${pair.device}`, pair.a.value / pair.b.value, tRatio), ...absolute];
    const ttftMiss = ta < tb ? [] : [`${s} TTFT ${withUnit(ta, 'ms')} is not below ${r}'s ${withUnit(tb, 'ms')} on ${pair.device}`];
    const lead = `${s} against ${r} at ${subject.dtype} on ${pair.device}: decode ${withUnit(pair.a.value, 'tok/s')} (${engineLevel(pair.a.run)}) against ${withUnit(pair.b.value, 'tok/s')} (${engineLevel(pair.b.run)}), TTFT ${withUnit(ta, 'ms')} against ${withUnit(tb, 'ms')}.`;
    const out = judged(bars, lead, evidence, used, ttftMiss);
    return { ...out, summary: `${out.summary}${smallText}` };
  },
};

/**
 * `devices-run-denser`: per backend and level (a GGUF level with the ONNX level of its size class), the largest replica (published parameters) whose completed generation
 * run meets the decode and TTFT bars on any engine, among every replica generation run in the results (not only this claim's own).
 */
export const devicesRunDenser: Rule = {
  roles: [],
  thresholds: ['decodeTokPerS', 'ttftMs'],
  evaluate(ctx) {
    const [td, tt] = [ctx.t('decodeTokPerS'), ctx.t('ttftMs')];
    const size = (r: RunResult) => r.replica?.paramsPublished ?? r.model.params ?? 0;
    const lm = ctx.results.filter((r) => r.state === 'completed' && r.model.source === 'replica' && r.generation !== null && r.generation.contexts === null);
    if (!lm.length) return cannotRun(ctx.models().flatMap((m) => ctx.levels(m)));
    const groups = new Map<string, RunResult[]>();
    // A GGUF level counts with the ONNX level of its size class (wllama q4_0 with q4): any engine that meets the bars does.
    const keyOf = (r: RunResult) => `${r.device} ${onnxTwin(r.model.dtype)}`;
    for (const r of lm) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
    const evidence: Evidence[] = [];
    const texts: string[] = [];
    const used: RunResult[] = [];
    let closest: { run: RunResult; b: Bar } | null = null;
    const order = (k: string) => {
      const [d, t] = k.split(' ');
      return DEVICES.indexOf(d as Device) * 100 + DTYPES.indexOf(t as Dtype);
    };
    for (const key of [...groups.keys()].sort((a, b) => order(a) - order(b))) {
      const runs = groups.get(key)!;
      const [device, dtype] = key.split(' ');
      const meets = runs.filter((r) => (decode(r) ?? 0) >= td.value && ttft(r) !== null && ttft(r)! <= tt.value).sort((a, b) => size(b) - size(a));
      const top = meets[0];
      if (top) {
        evidence.push(
          ev(
            `largest meeting the bars on ${device} at ${dtype}: ${nameOf(top.model.id)} (${engineLevel(top)}: ${withUnit(decode(top)!, 'tok/s')}, TTFT ${withUnit(ttft(top)!, 'ms')})`,
            size(top) / 1e6,
            'M params',
            top,
          ),
        );
        texts.push(
          `${device} ${dtype}: ${nameOf(top.model.id)} (${count(size(top))} parameters, ${engineLevel(top)}: ${withUnit(decode(top)!, 'tok/s')}, TTFT ${withUnit(ttft(top)!, 'ms')})`,
        );
        used.push(top);
        continue;
      }
      const fastest = best(runs, decode, 'max');
      const pick = fastest?.run ?? runs[0]!;
      evidence.push(
        ev(
          `none meets the bars on ${device} at ${dtype} (fastest: ${nameOf(pick.model.id)}, ${decode(pick) === null ? 'no decode speed' : `${engineLevel(pick)}: ${withUnit(decode(pick)!, 'tok/s')}`})`,
          null,
          'M params',
          pick,
        ),
      );
      texts.push(`${device} ${dtype}: none of ${new Set(runs.map((r) => r.model.id)).size} model(s)`);
      used.push(pick);
      if (fastest && (!closest || fastest.value > (decode(closest.run) ?? 0)))
        closest = { run: pick, b: bar(`fastest (${nameOf(pick.model.id)} on ${where(pick)}) decode`, fastest.value, td) };
    }
    const anyMet = evidence.some((e) => e.value !== null);
    const lead = `Largest model meeting decode ${op(td)} ${withUnit(td.value, td.unit)} and TTFT ${op(tt)} ${withUnit(tt.value, tt.unit)}, per backend and level: ${texts.join('; ')}.`;
    const out = judged([], lead, evidence, used);
    if (anyMet) return out;
    const slow =
      closest && closest.b.ok
        ? bar(`${nameOf(closest.run.model.id)} decodes fast enough, but its TTFT`, ttft(closest.run) ?? Infinity, tt).margin
        : closest?.b.margin;
    return { ...out, verdict: 'not-held', margin: slow ?? 'no run recorded a decode speed' };
  },
};

/** `test-time-compute`: each model's decode at the longest context as a share of decode at the shortest, on its best backend, against the bar. */
export const testTimeCompute: Rule = {
  roles: [],
  thresholds: ['retentionPct'],
  evaluate(ctx) {
    const t = ctx.t('retentionPct');
    const found = ctx.models().flatMap((m) => ctx.levels(m));
    const lacking = need(...found);
    if (lacking.length)
      return cannotRun(
        lacking,
        found.flatMap((f) => f.completed),
      );
    const retention: Figure = (r) => {
      const pts = (r.generation?.contexts ?? []).filter((p) => p.decodeTokPerS !== null && p.decodeTokPerS > 0);
      return pts.length >= 2 ? (pts.at(-1)!.decodeTokPerS! / pts[0]!.decodeTokPerS!) * 100 : null;
    };
    const bars: Bar[] = [];
    const evidence: Evidence[] = [];
    const used: RunResult[] = [];
    const reached: { run: RunResult; tokens: number }[] = [];
    for (const f of found) {
      const b = best(f.completed, retention, 'max');
      if (!b)
        return cannotRun([], f.completed, evidence, [
          `the context sweep of ${nameOf(f.model)} at ${f.dtype} recorded fewer than two lengths with a decode speed`,
        ]);
      const contexts = b.run.generation?.contexts ?? [];
      const pts = contexts.filter((p) => p.decodeTokPerS !== null && p.decodeTokPerS > 0);
      const [first, last] = [pts[0]!, pts.at(-1)!];
      const n = nameOf(f.model);
      for (const p of contexts) {
        evidence.push(ev(`${n} decode at context ${p.contextTokens} on ${b.run.device}`, p.decodeTokPerS, 'tok/s', b.run));
        evidence.push(ev(`${n} KV cache at context ${p.contextTokens}`, p.kvCacheBytes === null ? null : p.kvCacheBytes / 1e6, 'MB', b.run));
        evidence.push(ev(`${n} WASM heap at context ${p.contextTokens}`, p.wasmHeapBytes === null ? null : p.wasmHeapBytes / 1e6, 'MB', b.run));
      }
      bars.push(
        bar(
          `${n} decode at ${last.contextTokens} as a share of ${first.contextTokens} (${withUnit(last.decodeTokPerS!, 'tok/s')} of ${withUnit(first.decodeTokPerS!, 'tok/s')} on ${b.run.device})`,
          b.value,
          t,
        ),
      );
      used.push(b.run);
      reached.push({ run: b.run, tokens: contexts.at(-1)!.contextTokens });
    }
    const want = ctx.claim.runs.find((g) => g.kind === 'context')?.contextLengths ?? [];
    const capped = reached.filter((x) => x.tokens < Math.max(...want));
    const note = capped.length ? ` (${capped.map(({ run, tokens }) => `${nameOf(run.model.id)} reached ${tokens} of ${Math.max(...want)}`).join(', ')})` : '';
    return judged(bars, `Decode speed as the context grows${note}:`, evidence, used);
  },
};
