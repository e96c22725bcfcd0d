/**
 * The claims report from the CLI: after `bench --report FILE`, or from result files of several devices with
 * `ondevice report --in a.jsonl --in b.jsonl --report out.html` (no browser needed: verdicts are pure).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import Table from 'cli-table3';
import { Command } from 'commander';
import type { Catalog } from '../core/catalog.ts';
import { parseClaims, parseThresholdFlags, selectClaims } from '../claims/claims.ts';
import type { Claim, ThresholdOverrides } from '../claims/types.ts';
import { judgeDevices, type DeviceVerdicts, type ResultSource } from '../claims/judge.ts';
import { InvalidInputError } from '../core/vocab.ts';
import { parseJsonl } from '../store/export.ts';
import { renderReportHtml, renderReportMarkdown, type ReportInput } from '../report/report.ts';
import { readChartJsSource } from './report-assets.ts';
import { ROOT } from './serve.ts';
import { parseCommand, USAGE_ERROR } from './command.ts';

export const loadClaims = (): Claim[] => parseClaims(JSON.parse(readFileSync(join(ROOT, 'models', 'claims.json'), 'utf8'))).claims;
export const loadCatalog = (): Catalog => JSON.parse(readFileSync(join(ROOT, 'models', 'catalog.json'), 'utf8')) as Catalog;

/** "1 run", "2 runs"; "1 bad line", "2 bad lines". */
const runs = (n: number): string => `${n} run${n === 1 ? '' : 's'}`;
const lines = (n: number): string => `${n} bad line${n === 1 ? '' : 's'}`;

const REPORT_KINDS = ['.html', '.htm', '.md'] as const;

/** --report FILE: the kind from its extension (checked before any run, so a typo costs nothing). */
export function reportKind(path: string): 'html' | 'md' {
  const ext = extname(path).toLowerCase();
  if (ext === '.md') return 'md';
  if (ext === '.html' || ext === '.htm') return 'html';
  throw new InvalidInputError(`--report "${path}": the report is HTML or Markdown; name the file ${REPORT_KINDS.map((e) => `*${e}`).join(', ')}.`);
}

/** Write the report of these devices' verdicts to `path` (HTML with Chart.js inlined, or Markdown). */
export function writeReport(path: string, devices: readonly DeviceVerdicts[], claims: readonly Claim[], catalog: Catalog): void {
  const kind = reportKind(path);
  const input: ReportInput = {
    generatedAt: new Date().toISOString(),
    devices: devices.map((d) => ({ identity: d.identity, results: d.results, verdicts: d.verdicts })),
    claims: [...claims],
    catalog: {
      replicas: (catalog.replicas ?? []).map((r) => ({ id: r.id, paramsPublished: r.paramsPublished, releaseDate: r.releaseDate, family: r.family })),
    },
    chartJsSource: kind === 'html' ? readChartJsSource() : null,
  };
  writeFileSync(path, kind === 'html' ? renderReportHtml(input) : renderReportMarkdown(input));
}

/** The claims table for the terminal: a verdict column per device, and the one device's summary when there is one. */
export function claimsTable(devices: readonly DeviceVerdicts[], claims: readonly Claim[]): string {
  const one = devices.length === 1;
  const head = ['claim', ...devices.map((d, i) => (one ? 'verdict' : `D${i + 1}`)), ...(one ? ['what was measured', 'threshold'] : [])];
  const t = new Table({ head, style: { head: [], border: [] }, wordWrap: true, colWidths: one ? [26, 17, 70, 24] : undefined });
  for (const claim of claims) {
    const cells = devices.map((d) => d.verdicts.find((v) => v.claimId === claim.id));
    const row = [claim.id, ...cells.map((v) => v?.verdict ?? '—')];
    if (one) {
      const v = cells[0];
      row.push(
        [v?.summary, v?.margin].filter(Boolean).join(' ') || '—',
        v?.thresholds.map((x) => `${x.name} ${x.direction === 'max' ? '≤' : '≥'} ${x.value} ${x.unit}`).join('; ') || '—',
      );
    }
    t.push(row);
  }
  const legend = one ? '' : `\n${devices.map((d, i) => `D${i + 1}: ${d.identity.label} (${runs(d.results.length)})`).join('\n')}`;
  return `Claims:\n${t.toString()}${legend}`;
}

/** `ondevice report`: verdicts and a report from result files (one per device, or several from one). */
export async function main(argv: string[]): Promise<number> {
  const cmd = new Command('ondevice report')
    .description("Judge the claims from result files (JSONL from `bench --out` or the app's export), one or several devices side by side.")
    .requiredOption(
      '--in <file.jsonl>',
      'a result file (repeatable: each device, or the same device twice, side by side)',
      (v: string, p: string[]) => [...p, v],
      [] as string[],
    )
    .option('--report <file>', 'write the report: .html (self-contained, opens offline) or .md')
    .option('--claim <id>', 'only this claim (repeatable)', (v: string, p: string[]) => [...p, v], [] as string[])
    .option(
      '--threshold <claim.name=value>',
      "change a claim's threshold, e.g. mobilenet-on-device.p50Ms=50 (repeatable)",
      (v: string, p: string[]) => [...p, v],
      [] as string[],
    );
  const parsed = parseCommand(cmd, argv);
  if (typeof parsed === 'number') return parsed;
  try {
    const opts = parsed.opts<{ in: string[]; report?: string; threshold: string[]; claim: string[] }>();
    if (opts.in.length === 0)
      throw new InvalidInputError("ondevice report needs at least one --in FILE.jsonl (run records from `bench --out` or the app's export).");
    if (opts.report) reportKind(opts.report);
    const claims = selectClaims(loadClaims(), opts.claim);
    const overrides: ThresholdOverrides = parseThresholdFlags(opts.threshold, claims);
    const sources: ResultSource[] = [];
    let bad = 0;
    for (const file of opts.in) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new InvalidInputError(
          `--in "${file}": cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a JSONL file of run records.`,
        );
      }
      const { results, problems } = parseJsonl(text);
      for (const p of problems) process.stderr.write(`ondevice: ${file}: ${p.message}\n`);
      bad += problems.length;
      if (results.length === 0)
        throw new InvalidInputError(
          `--in "${file}" holds no valid run record (schema ondevice.run/1)${problems.length ? `: ${lines(problems.length)}, above` : ''}.`,
        );
      sources.push({ label: basename(file), results });
    }
    const { devices, notes } = judgeDevices(claims, sources, overrides);
    for (const n of notes) process.stderr.write(`ondevice: ${n}\n`);
    process.stdout.write(claimsTable(devices, claims) + '\n');
    if (opts.report) {
      writeReport(opts.report, devices, claims, loadCatalog());
      process.stdout.write(`report written to ${opts.report}${bad ? ` (${lines(bad)} skipped)` : ''}\n`);
    }
    return 0;
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`ondevice: ${e.name === 'InvalidInputError' ? '' : `${e.name}: `}${e.message}\n`);
    return e.name === 'InvalidInputError' ? USAGE_ERROR : 1;
  }
}
