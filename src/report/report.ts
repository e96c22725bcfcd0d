/**
 * The claims report (issue 7): pure string rendering of devices, claims, verdicts and runs, the same in Node (the
 * CLI reads chart.js from node_modules) and in the browser (the app imports it with Vite's `?raw`).
 */
export { renderReportHtml } from './html.ts';
export { renderReportMarkdown } from './markdown.ts';
export { runAnchor, type ReportDevice, type ReportInput, type ReportReplica } from './model.ts';
