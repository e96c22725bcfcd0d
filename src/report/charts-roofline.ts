/** The report's roofline chart: each series' memory and compute roofs, with its runs under them. */
import { rooflinePoints } from '../roofline/roofline.ts';
import { formatFigure, formatUtilisation } from '../text/format.ts';
import { axis, base, pointName, POINT_LEGEND, runName } from './chart-kit.ts';
import type { ChartSpec, Json, Series } from './chart-kit.ts';
import { rooflinesOf, type ReportInput } from './model.ts';

/** The roofline: each series' memory and compute roofs, and its runs at their arithmetic intensity and achieved GFLOP/s. */
export function rooflineChart(input: ReportInput, series: Series): ChartSpec | null {
  const datasets: Json[] = [];
  const tips: string[][] = [];
  const roofs = input.devices.flatMap((d, deviceIndex) => [...rooflinesOf(d.results).values()].map((roof) => ({ roof, deviceIndex, results: d.results })));
  if (roofs.length === 0) return null;
  const intensities = roofs.flatMap((x) =>
    x.results.flatMap((r) => (r.device === x.roof.device && r.utilisation?.intensityFlopPerByte ? [r.utilisation.intensityFlopPerByte] : [])),
  );
  const range = { minIntensity: Math.min(1 / 16, ...intensities) / 2, maxIntensity: Math.max(256, ...intensities) * 2 };
  for (const { roof, deviceIndex, results } of roofs) {
    const anyRun = results.find((r) => r.device === roof.device)!;
    const key = series.key({ run: anyRun, deviceIndex });
    const label = series.label(key).replace(/ · (onnxruntime-web|transformers\.js)$/, '');
    const points = rooflinePoints(roof, range);
    datasets.push({
      type: 'line',
      label: `${label} roof`,
      data: points.map((p) => ({ x: p.intensity, y: p.gflops })),
      borderColor: series.color(key),
      backgroundColor: series.color(key),
      borderWidth: 2,
      pointRadius: 0,
      pointStyle: 'line',
    });
    tips.push(
      points.map(
        (p) =>
          `${label} roof: ${formatFigure(p.gflops)} GFLOP/s at ${formatFigure(p.intensity)} FLOP/byte (${formatFigure(roof.bandwidthGBps)} GB/s, ${formatFigure(roof.gflops)} GFLOP/s)`,
      ),
    );
    const mine = results.flatMap((r) => (r.device === roof.device && r.utilisation?.intensityFlopPerByte ? [{ r, u: r.utilisation }] : []));
    if (mine.length === 0) continue;
    datasets.push({
      type: 'scatter',
      label: `${label} runs`,
      data: mine.map(({ u }) => ({ x: u.intensityFlopPerByte, y: u.achieved })),
      pointLabels: mine.map(({ r }) => `${pointName(r)} · ${r.engine}`),
      borderColor: series.color(key),
      backgroundColor: series.color(key),
      pointRadius: 5,
    });
    tips.push(mine.map(({ r, u }) => `${runName(r)}: ${formatFigure(u.achieved)} ${u.unit}, ${formatUtilisation(r)}`));
  }
  return {
    id: '',
    title: 'Roofline',
    note: 'Lines: what the backend can reach at each arithmetic intensity (memory roof, then the compute roof). Points: runs at their FLOPs per byte of model and achieved GFLOP/s.',
    height: 340,
    config: {
      type: 'line',
      data: { datasets },
      options: base({
        parsing: false,
        plugins: POINT_LEGEND,
        scales: { x: axis('logarithmic', 'arithmetic intensity (FLOP per byte of model)'), y: axis('logarithmic', 'GFLOP/s') },
      }),
    },
    tips,
  };
}
