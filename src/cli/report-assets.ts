/** What the report inlines from node_modules, read in Node (the app imports the same file with Vite's `?raw`). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The text of chart.js's UMD build (it defines a global `Chart`). chart.js's package exports do not list
 * `dist/chart.umd.js`, so it is found next to the entry point they do export.
 */
export function readChartJsSource(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(entry), 'chart.umd.js'), 'utf8');
}
