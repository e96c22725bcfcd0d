/**
 * The report's charts of models against each other: decode speed by parameter count, decode speed as the context
 * grows, and the catalog by release date and size with the measured models over it (the Densing-law view).
 */
import type { RunResult } from '../core/schema.ts';
import { formatBytes, formatFigure, formatMs, formatRate } from '../text/format.ts';
import { axis, base, isLm, logAxis, paramsOf, pointName, POINT_LEGEND, yearOf } from './chart-kit.ts';
import { paddedLinear } from './axes.ts';
import type { ChartSpec, Json, Placed, Series } from './chart-kit.ts';
import { decodeTokPerS, shortModel, type ReportReplica } from './model.ts';

/** Decode tok/s against parameter count, one dataset per series (log–log: 135 M to 8 B parameters, 0.04 to 400 tok/s). */
export function decodeVsParamsChart(placed: Placed[], series: Series): ChartSpec | null {
  const runs = placed.filter((p) => p.run.state === 'completed' && decodeTokPerS(p.run) && paramsOf(p.run));
  if (runs.length === 0) return null;
  const keys = [...new Set(runs.map((p) => series.key(p)))];
  const datasets: Json[] = [];
  const tips: string[][] = [];
  for (const key of keys) {
    const mine = runs.filter((p) => series.key(p) === key).map((p) => p.run);
    datasets.push({
      type: 'scatter',
      label: series.label(key),
      data: mine.map((r) => ({ x: paramsOf(r), y: decodeTokPerS(r) })),
      pointLabels: mine.map(pointName),
      backgroundColor: series.color(key),
      borderColor: series.color(key),
      pointRadius: 5,
    });
    tips.push(
      mine.map(
        (r) =>
          `${series.label(key)} · ${shortModel(r.model.id)} ${r.model.dtype}: ${formatRate(decodeTokPerS(r))} tok/s decode at ${formatFigure(paramsOf(r))} parameters`,
      ),
    );
  }
  return {
    id: '',
    title: 'Decode speed against model size',
    note: 'Each point a language-model run: parameters (published, for replicas) against decode tokens/s.',
    height: 320,
    config: {
      type: 'scatter',
      data: { datasets },
      options: base({
        plugins: POINT_LEGEND,
        scales: {
          x: logAxis(
            'parameters',
            runs.map((p) => paramsOf(p.run)),
            {},
            'count',
          ),
          y: logAxis(
            'decode tokens/s',
            runs.map((p) => decodeTokPerS(p.run)),
          ),
        },
      }),
    },
    tips,
  };
}

/** Context-length runs: decode tok/s as the context fills (the cost of long reasoning on the device), one line per run. */
export function contextChart(placed: Placed[], series: Series): ChartSpec | null {
  const runs = placed.filter((p) => p.run.generation?.contexts?.some((c) => c.decodeTokPerS !== null));
  if (runs.length === 0) return null;
  const datasets: Json[] = [];
  const tips: string[][] = [];
  for (const p of runs) {
    const points = p.run.generation?.contexts?.filter((c) => c.decodeTokPerS !== null) ?? [];
    const label = `${series.label(series.key(p))} · ${shortModel(p.run.model.id)} ${p.run.model.dtype}`;
    datasets.push({
      type: 'line',
      label,
      data: points.map((c) => ({ x: c.contextTokens, y: c.decodeTokPerS })),
      borderColor: series.color(series.key(p)),
      backgroundColor: series.color(series.key(p)),
      pointRadius: 4,
    });
    tips.push(
      points.map(
        (c) =>
          `${label}: ${formatRate(c.decodeTokPerS)} tok/s at ${c.contextTokens} tokens of context${c.kvCacheBytes ? `, KV cache ${formatBytes(c.kvCacheBytes)}` : ''}`,
      ),
    );
  }
  return {
    id: '',
    title: 'Decode speed as the context grows',
    note: 'Context-length runs: the context is filled to each length, then decode speed is measured there.',
    height: 300,
    config: {
      type: 'line',
      data: { datasets },
      options: base({
        parsing: false,
        plugins: POINT_LEGEND,
        scales: {
          x: logAxis(
            'context length (tokens)',
            runs.flatMap((p) => p.run.generation?.contexts?.map((c) => c.contextTokens) ?? []),
          ),
          y: axis('linear', 'decode tokens/s', { beginAtZero: true, grace: '8%' }),
        },
      }),
    },
    tips,
  };
}

/**
 * The Densing-law view: the catalog's models by release date and parameter count, and the ones this device measured
 * drawn over them (the tooltip gives their decode speed or p50): which generation of models the device runs.
 */
export function densingChart(placed: Placed[], series: Series, replicas: readonly ReportReplica[]): ChartSpec | null {
  const dated = replicas.flatMap((r) => {
    const year = r.releaseDate ? yearOf(r.releaseDate) : null;
    return year !== null && r.paramsPublished ? [{ ...r, year, params: r.paramsPublished }] : [];
  });
  if (dated.length === 0) return null;
  const byId = new Map(dated.map((r) => [r.id.toLowerCase(), r]));
  const measured = placed.filter(
    (p) => p.run.state === 'completed' && p.run.model.source === 'replica' && byId.has(p.run.model.id.replace(/^replica:/, '').toLowerCase()),
  );
  const datasets: Json[] = [
    {
      type: 'scatter',
      label: 'catalog (published)',
      data: dated.map((r) => ({ x: r.year, y: r.params })),
      backgroundColor: 'rgba(0,0,0,0)',
      borderColor: '#8a93a6',
      borderWidth: 1.5,
      pointRadius: 7,
      order: 2,
    },
  ];
  const tips: string[][] = [
    dated.map((r) => `${shortModel(r.id)}${r.family ? ` (${r.family})` : ''}: ${formatFigure(r.params)} parameters, released ${r.releaseDate}`),
  ];
  for (const key of [...new Set(measured.map((p) => series.key(p)))]) {
    const mine = measured.filter((p) => series.key(p) === key).map((p) => p.run);
    const at = (r: RunResult) => byId.get(r.model.id.replace(/^replica:/, '').toLowerCase())!;
    datasets.push({
      type: 'scatter',
      label: `measured: ${series.label(key)}`,
      data: mine.map((r) => ({ x: at(r).year, y: at(r).params })),
      pointLabels: mine.map(pointName),
      backgroundColor: series.color(key),
      borderColor: series.color(key),
      pointRadius: 5,
      pointStyle: 'rectRot',
      order: 1,
    });
    tips.push(
      mine.map((r) => {
        const speed = isLm(r) ? `${formatRate(decodeTokPerS(r))} tok/s decode` : `p50 ${formatMs(r.timings.latency?.p50Ms)}`;
        const peak = Math.max(r.memory.wasmHeapPeakBytes ?? 0, r.memory.gpuBufferPeakBytes ?? 0);
        return `${series.label(key)} · ${shortModel(r.model.id)} ${r.model.dtype}: ${speed}${peak ? `, peak ${formatBytes(peak)}` : ''}`;
      }),
    );
  }
  return {
    id: '',
    title: 'Models by release date and size (the Densing-law view)',
    note: 'Hollow: every model in the catalog, by release date and published parameter count. Filled: the ones measured here; hover for decode speed and memory.',
    height: 340,
    config: {
      type: 'scatter',
      data: { datasets },
      options: base({
        plugins: POINT_LEGEND,
        scales: {
          x: axis('linear', 'release date (year)', {
            ...paddedLinear(
              dated.map((r) => r.year),
              0.04,
            ),
            ticks: { stepSize: 1, format: { useGrouping: false, minimumFractionDigits: 0, maximumFractionDigits: 0 } },
          }),
          y: logAxis(
            'parameters',
            dated.map((r) => r.params),
            {},
            'count',
          ),
        },
      }),
    },
    tips,
  };
}
