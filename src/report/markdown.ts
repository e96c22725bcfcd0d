/**
 * The claims report as Markdown (GitHub-flavoured tables): the same header, claims table and runs table as the
 * HTML report, run references as `id` in backticks, no charts.
 */
import { engineSidesText } from '../text/engine-sides.ts';
import type { Verdict } from '../claims/types.ts';
import { VERDICTS } from '../claims/types.ts';
import { formatUtc } from '../text/format.ts';
import {
  claimRows,
  DEFAULT_TITLE,
  deviceFacts,
  deviceTag,
  evidenceTexts,
  profileRows,
  runColumns,
  runRows,
  thresholdTexts,
  VERDICT_TEXT,
  verdictCounts,
  type ReportInput,
} from './model.ts';

/**
 * Text from data in a table cell: one line, `|` escaped, Markdown punctuation escaped so a name cannot turn into
 * emphasis or a link, and `<`/`>` as entities so it cannot turn into HTML where the renderer allows HTML.
 */
export function mdText(s: string): string {
  return s
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\\`*_[\]|#]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** An id in backticks; a backtick inside is replaced (code spans cannot escape), `|` still needs its backslash in a table. */
const code = (s: string): string =>
  `\`${s
    .replace(/`/g, 'ˋ')
    .replace(/[\r\n]+/g, ' ')
    .replace(/\|/g, '\\|')}\``;

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

const verdictWord = (v: Verdict | null): string =>
  v ? `**${VERDICT_TEXT[v.verdict].label}**${v.devices.length ? ` (${mdText(v.devices.join(', '))})` : ''}` : 'no verdict';
const evidence = (v: Verdict): string =>
  evidenceTexts(v)
    .map((e) => `${mdText(e.label)}: ${mdText(e.value)}${e.runId ? ` (${code(e.runId)})` : ''}`)
    .join('; ') || '—';
const thresholds = (v: Verdict): string =>
  thresholdTexts(v.thresholds)
    .map((t) => `${mdText(t.bar)} (${mdText(t.label)})`)
    .join('; ') || '—';
const runs = (v: Verdict): string => v.runIds.map(code).join(', ') || '—';
const summary = (v: Verdict): string => [mdText(v.summary), ...v.reasons.map(mdText)].join(' — ');

/** The report as a Markdown document (a string). */
export function renderReportMarkdown(input: ReportInput): string {
  const out: string[] = [];
  const several = input.devices.length > 1;
  out.push(`# ${mdText(input.title ?? DEFAULT_TITLE)}`, '', `Generated ${formatUtc(input.generatedAt)}.`, '');

  out.push(several ? '## Devices' : '## Device', '');
  input.devices.forEach((d, i) => {
    out.push(`### ${several ? `${deviceTag(i)}: ` : ''}${mdText(d.identity.label)}`, '');
    const counts = verdictCounts(d);
    const tally = VERDICTS.filter((v) => counts.get(v))
      .map((v) => `${counts.get(v)} ${VERDICT_TEXT[v].label}`)
      .join(', ');
    if (tally) out.push(`Verdicts: ${tally}.`, '');
    for (const f of deviceFacts(d)) out.push(`- **${mdText(f.label)}**: ${mdText(f.value)}`);
    out.push('');
  });

  out.push('## Claims', '', VERDICTS.map((v) => `**${VERDICT_TEXT[v].label}**: ${VERDICT_TEXT[v].meaning}.`).join(' '), '');
  const rows = claimRows(input);
  const claimCells = (r: (typeof rows)[number]) => [
    code(r.claimId),
    r.claim ? `${mdText(r.claim.source.title)} (${mdText(r.claim.source.date)})` : '—',
    r.claim ? mdText(r.claim.english) : 'not in the claims list',
  ];
  if (several) {
    out.push(row(['claim', 'source', 'what it says', ...input.devices.map((d, i) => `${deviceTag(i)}: ${mdText(d.identity.label)}`)]));
    out.push(row(['---', '---', '---', ...input.devices.map(() => '---')]));
    for (const r of rows) {
      out.push(
        row([
          ...claimCells(r),
          ...r.verdicts.map((v) =>
            v
              ? [
                  verdictWord(v),
                  summary(v),
                  `measured: ${evidence(v)}`,
                  `threshold: ${thresholds(v)}`,
                  v.margin ? `margin: ${mdText(v.margin)}` : null,
                  `runs: ${runs(v)}`,
                ]
                  .filter(Boolean)
                  .join('<br>')
              : 'no verdict',
          ),
        ]),
      );
    }
  } else {
    out.push(row(['claim', 'source', 'what it says', 'verdict', 'summary', 'measured', 'threshold', 'margin', 'runs']));
    out.push(row(Array(9).fill('---')));
    for (const r of rows) {
      const v = r.verdicts[0] ?? null;
      out.push(
        row([
          ...claimCells(r),
          verdictWord(v),
          ...(v ? [summary(v), evidence(v), thresholds(v), v.margin ? mdText(v.margin) : '—', runs(v)] : ['—', '—', '—', '—', '—']),
        ]),
      );
    }
  }
  out.push('', 'Charts: see the HTML report.', '');

  const sides = input.devices.map((d) => ({ label: d.identity.label, text: engineSidesText(d.results) })).filter((x) => x.text);
  if (sides.length) {
    out.push('## Engines side by side', '');
    for (const { label, text } of sides) {
      if (several) out.push(`### ${mdText(label)}`, '');
      out.push(row(text!.head.map(mdText)), row(text!.head.map(() => '---')), ...text!.rows.map((r) => row(r.cells.map(mdText))), '');
      out.push(...text!.notes.map(mdText).map((n) => `${n}\n`), '');
    }
  }

  out.push('## Runs', '');
  const cols = runColumns(input);
  const runRowsList = runRows(input);
  if (runRowsList.length === 0) out.push('No runs.');
  else {
    out.push(row(cols), row(cols.map(() => '---')));
    for (const r of runRowsList)
      out.push(
        row(cols.map((c) => (c === 'run' ? code(r.cells.run) : c === 'model' && r.replica ? `${mdText(r.cells.model)} (replica)` : mdText(r.cells[c]) || ' '))),
      );
  }
  out.push('');
  const profiles = profileRows(input);
  if (profiles.length) {
    out.push(
      '## Per-operator profiles',
      '',
      "One more iteration per run after the measured ones, with onnxruntime's profiler; shares are of that iteration.",
      '',
    );
    out.push(
      row(['run', ...(several ? ['device'] : []), 'top op types', 'slowest node', 'profiled iteration', 'why']),
      row(Array(several ? 6 : 5).fill('---')),
    );
    for (const p of profiles)
      out.push(
        row([
          code(p.id),
          ...(several ? [mdText(p.device)] : []),
          `${mdText(p.run)}: **${mdText(p.ops)}**`,
          mdText(p.slowest),
          mdText(p.iteration),
          mdText([...p.why, ...(p.note ? [p.note] : [])].join(' ')) || ' ',
        ]),
      );
    out.push('');
  }
  return out.join('\n');
}
