/**
 * The report's speed charts: each model's levels side by side with their fidelity to fp32, and every run's latency
 * distribution.
 */
import { DTYPES, type Dtype } from '../core/vocab.ts';
import type { RunResult } from '../core/schema.ts';
import { formatBytes, formatMs, formatNumber, formatRate } from '../text/format.ts';
import { axis, base, isLm, runEngineName, runName } from './chart-kit.ts';
import type { ChartSpec, Json, Placed, Series } from './chart-kit.ts';
import { decodeTokPerS, deviceTag, shortModel } from './model.ts';

/**
 * Per model run at two or more levels: speed per level (p50, or decode tok/s for language models) as bars, one per
 * series, and fidelity to fp32 (cosine, or token agreement) as a line on the right axis. Sizes are in the labels.
 */
export function quantCharts(placed: Placed[], series: Series): ChartSpec[] {
  const done = placed.filter((p) => p.run.state === 'completed');
  const models = [...new Set(done.map((p) => p.run.model.id))];
  const charts: ChartSpec[] = [];
  for (const model of models) {
    const runs = done.filter((p) => p.run.model.id === model);
    const levels = DTYPES.filter((d) => runs.some((p) => p.run.model.dtype === d));
    if (levels.length < 2) continue;
    const lm = runs.some((p) => isLm(p.run));
    const speed = (r: RunResult) => (lm ? decodeTokPerS(r) : (r.timings.latency?.p50Ms ?? null));
    const fidelity = (r: RunResult): number | null => {
      if (r.model.dtype === 'fp32') return 1;
      return lm ? (r.fidelity?.tokenAgreement ?? r.fidelity?.tokenMatch ?? null) : (r.fidelity?.cosine ?? null);
    };
    const sizeOf = (d: Dtype) => runs.find((p) => p.run.model.dtype === d && p.run.model.bytes !== null)?.run.model.bytes ?? null;
    const keys = [...new Set(runs.map((p) => series.key(p)))];
    const pick = (key: string, d: Dtype) => runs.find((p) => series.key(p) === key && p.run.model.dtype === d)?.run ?? null;
    const datasets: Json[] = [];
    const tips: string[][] = [];
    for (const key of keys) {
      const row = levels.map((d) => pick(key, d));
      datasets.push({
        type: 'bar',
        label: `${series.label(key)}: ${lm ? 'decode tok/s' : 'p50'}`,
        data: row.map((r) => (r ? speed(r) : null)),
        backgroundColor: series.color(key),
        yAxisID: 'y',
      });
      tips.push(
        row.map((r) =>
          r
            ? `${series.label(key)} · ${r.model.dtype}: ${lm ? `${formatRate(speed(r))} tok/s decode` : `p50 ${formatMs(speed(r))}`} · ${formatBytes(r.model.bytes)}`
            : '',
        ),
      );
    }
    for (const key of keys) {
      const row = levels.map((d) => pick(key, d));
      if (!row.some((r) => r && r.model.dtype !== 'fp32' && fidelity(r) !== null)) continue;
      datasets.push({
        type: 'line',
        label: `${series.label(key)}: ${lm ? 'token agreement' : 'cosine'} vs fp32`,
        data: row.map((r) => (r ? fidelity(r) : null)),
        borderColor: series.color(key),
        backgroundColor: series.color(key),
        borderDash: [5, 4],
        pointRadius: 4,
        spanGaps: true,
        yAxisID: 'fidelity',
      });
      tips.push(
        row.map((r) =>
          r
            ? `${series.label(key)} · ${r.model.dtype}: ${r.model.dtype === 'fp32' ? 'the reference' : `${lm ? 'token agreement' : 'cosine'} ${formatNumber(fidelity(r), lm ? 2 : 6)}`}`
            : '',
        ),
      );
    }
    charts.push({
      id: '',
      title: `Quantization: ${shortModel(model)}`,
      note: `${lm ? 'Decode tokens/s (higher is better)' : 'p50 latency (lower is better)'} per level; dashed: how close each level stays to fp32 (1 = identical). The model’s size at each level is under its name.`,
      height: 300,
      config: {
        type: 'bar',
        data: { labels: levels.map((d) => [d, formatBytes(sizeOf(d))]), datasets },
        options: base({
          scales: {
            x: axis('category', 'level · model size'),
            y: axis('logarithmic', lm ? 'decode tokens/s' : 'p50 latency (ms)'),
            fidelity: axis(
              'linear',
              lm ? 'token agreement with fp32' : 'cosine with fp32',
              { position: 'right', beginAtZero: false, suggestedMax: 1, grace: '8%', grid: { drawOnChartArea: false } },
              'fine',
            ),
          },
        }),
      },
      tips,
    });
  }
  return charts;
}

/**
 * Each run's latency distribution as a box: whisker min → max, box p50 → p90 (the tooltip adds p99 and n). Runs with
 * the same model, level and backend on several devices sit side by side. Log axis: WASM milliseconds and
 * SwiftShader seconds share it.
 */
export function latencyChart(placed: Placed[], series: Series): ChartSpec | null {
  const runs = placed.filter((p) => p.run.timings.latency && p.run.state !== 'errored' && p.run.state !== 'unsupported');
  if (runs.length === 0) return null;
  const nameOf = (p: Placed) => runEngineName(p.run);
  const labels = [...new Set(runs.map(nameOf))];
  const deviceKeys = [...new Set(runs.map((p) => p.deviceIndex))];
  const datasets: Json[] = [];
  const tips: string[][] = [];
  for (const d of deviceKeys) {
    const mine = runs.filter((p) => p.deviceIndex === d);
    const at = labels.map((l) => mine.find((p) => nameOf(p) === l)?.run ?? null);
    const key = series.key(mine[0]!);
    const color = series.color(key);
    const who = deviceKeys.length > 1 ? `${deviceTag(d)}: ` : '';
    const tip = (r: RunResult | null) => {
      const l = r?.timings.latency;
      return r && l
        ? `${who}${runName(r)}: min ${formatMs(l.minMs)} · p50 ${formatMs(l.p50Ms)} · p90 ${formatMs(l.p90Ms)} · p99 ${formatMs(l.p99Ms)} · max ${formatMs(l.maxMs)} (n=${l.n})`
        : '';
    };
    datasets.push({
      label: `${who}min–max`,
      data: at.map((r) => (r?.timings.latency ? [r.timings.latency.minMs, Math.max(r.timings.latency.maxMs, r.timings.latency.minMs * 1.001)] : null)),
      backgroundColor: `${color}55`,
      stack: `d${d}`,
      barPercentage: 0.25,
      categoryPercentage: 0.9,
    });
    tips.push(at.map(tip));
    datasets.push({
      label: `${who}p90–p99`,
      data: at.map((r) => (r?.timings.latency ? [r.timings.latency.p90Ms, Math.max(r.timings.latency.p99Ms, r.timings.latency.p90Ms * 1.001)] : null)),
      backgroundColor: `${color}99`,
      stack: `d${d}`,
      barPercentage: 0.55,
      categoryPercentage: 0.9,
    });
    tips.push(at.map(tip));
    datasets.push({
      label: `${who}p50–p90`,
      data: at.map((r) => (r?.timings.latency ? [r.timings.latency.p50Ms, Math.max(r.timings.latency.p90Ms, r.timings.latency.p50Ms * 1.01)] : null)),
      backgroundColor: color,
      stack: `d${d}`,
      barPercentage: 0.8,
      categoryPercentage: 0.9,
    });
    tips.push(at.map(tip));
  }
  return {
    id: '',
    title: 'Latency distributions',
    note: 'Per run: the thin bar spans the fastest to the slowest timed iteration, the thick bar p50 to p90, the lighter one p90 to p99 (hover for the figures). Language models’ samples are whole generations.',
    height: Math.max(160, 90 + labels.length * (14 + 16 * deviceKeys.length)),
    config: {
      type: 'bar',
      data: { labels, datasets },
      options: base({
        indexAxis: 'y',
        // Same-device whisker and box share one slot (stacked index axis) without adding up (unstacked values).
        scales: { y: axis('category', 'run', { stacked: true }), x: axis('logarithmic', 'latency (ms)', { stacked: false }) },
      }),
    },
    tips,
  };
}
