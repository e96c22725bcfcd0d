/** What the report inlines, loaded in the app: chart.js's UMD build as text, split into its own chunk by Vite. */

/**
 * The text of `chart.js/dist/chart.umd.js` for `renderReportHtml`'s `chartJsSource`, fetched from the app's own
 * bundle only when a report is made. NOTE: imported by path, not as `chart.js/dist/…`: chart.js's package exports
 * do not list its UMD file, so Vite refuses the bare specifier.
 */
export async function loadChartJsSource(): Promise<string> {
  return (await import('../../node_modules/chart.js/dist/chart.umd.js?raw')).default;
}
