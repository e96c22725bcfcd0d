/**
 * Labels beside a chart's points, for the app's charts and the report's: a dataset with `pointLabels` (one string per
 * point) gets each written next to its point. A label goes right of its point, else left, above or below, wherever it
 * stays inside the plot and clear of every point and label already placed; one with no such place is left to the
 * tooltip. The report inlines this function's source (DRAW_SCRIPT), so it names nothing outside itself.
 */

/** What the labeller reads of a Chart.js chart (structural, so this module needs no Chart.js import). */
export interface LabelChart {
  ctx: CanvasRenderingContext2D;
  chartArea: { left: number; right: number; top: number; bottom: number };
  options: { color?: unknown };
  data: { datasets: { pointLabels?: (string | null)[]; borderColor?: unknown }[] };
  isDatasetVisible(index: number): boolean;
  getDatasetMeta(index: number): { data: { x: number; y: number }[] };
}

/** A Chart.js plugin's afterDatasetsDraw: writes every visible dataset's `pointLabels` beside its points. */
export function drawPointLabels(chart: LabelChart): void {
  const ctx = chart.ctx;
  const area = chart.chartArea;
  const h = 12;
  const gap = 6;
  const taken: [number, number, number, number][] = [];
  const visible = chart.data.datasets.map((_, d) => chart.isDatasetVisible(d));
  chart.data.datasets.forEach((_, d) => {
    if (visible[d]) for (const p of chart.getDatasetMeta(d).data) taken.push([p.x - 4, p.y - 4, 8, 8]);
  });
  ctx.save();
  ctx.font = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  ctx.textBaseline = 'middle';
  chart.data.datasets.forEach((ds, d) => {
    const labels = ds.pointLabels;
    if (!labels || !visible[d]) return;
    chart.getDatasetMeta(d).data.forEach((p, i) => {
      const text = labels[i];
      if (!text) return;
      const w = ctx.measureText(text).width;
      const spots: [number, number][] = [
        [p.x + gap, p.y - h / 2],
        [p.x - gap - w, p.y - h / 2],
        [p.x - w / 2, p.y - gap - h],
        [p.x - w / 2, p.y + gap],
        [p.x + gap, p.y - gap - h],
        [p.x + gap, p.y + gap],
        [p.x - gap - w, p.y - gap - h],
        [p.x - gap - w, p.y + gap],
      ];
      for (const [x, y] of spots) {
        if (x < area.left || x + w > area.right || y < area.top || y + h > area.bottom) continue;
        if (taken.some((b) => x < b[0] + b[2] && x + w > b[0] && y < b[1] + b[3] && y + h > b[1])) continue;
        taken.push([x, y, w, h]);
        ctx.fillStyle = typeof chart.options.color === 'string' ? chart.options.color : '#3b4252';
        ctx.fillText(text, x, y + h / 2);
        return;
      }
    });
  });
  ctx.restore();
}
