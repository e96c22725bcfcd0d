/**
 * The claims panel: which claims to check, their thresholds (editable, checked as numbers), the verdicts per device —
 * of the runs just made, of the whole log, or of result files from several devices side by side — and the report
 * (self-contained HTML, or Markdown) to download.
 */
import type { Controller } from '../client/controller.ts';
import { applyThresholds, parseThresholdFlag } from '../claims/claims.ts';
import type { Claim, ThresholdOverrides } from '../claims/types.ts';
import { judgeDevices, type DeviceVerdicts, type ResultSource } from '../claims/judge.ts';
import type { Catalog } from '../core/catalog.ts';
import { parseJsonl } from '../store/export.ts';
import { $, download, el } from './dom.ts';
import { formatThreshold } from '../text/format.ts';
import { loadChartJsSource } from './report-assets.ts';
import { renderReportHtml, renderReportMarkdown } from '../report/report.ts';
import { VERDICT_TEXT } from '../report/model.ts';

export interface ClaimsView {
  /** Run the checked claims' runs on this device and show their verdicts (the Claims preset calls it). */
  check(): Promise<void>;
}

export function mountClaims(controller: Controller, catalog: Catalog): ClaimsView {
  let claims: Claim[] = [];
  let judged: DeviceVerdicts[] = [];
  const status = $('claims-status');
  const say = (lines: string[], kind: 'info' | 'problem' = 'info') => {
    status.hidden = lines.length === 0;
    status.className = `notice ${kind}`;
    status.replaceChildren(...(lines.length > 1 ? [el('ul', {}, ...lines.map((l) => el('li', {}, l)))] : lines));
  };

  /** The thresholds as typed: each input is checked as the CLI's --threshold is, and a bad one is named. */
  const overrides = (): { values: ThresholdOverrides; problems: string[] } => {
    const values: Record<string, number> = {};
    const problems: string[] = [];
    for (const input of document.querySelectorAll<HTMLInputElement>('#claims-table input[data-threshold]')) {
      const key = input.dataset.threshold!;
      try {
        const { value } = parseThresholdFlag(`${key}=${input.value}`, claims);
        input.removeAttribute('aria-invalid');
        if (value !== Number(input.defaultValue)) values[key] = value;
      } catch (err) {
        input.setAttribute('aria-invalid', 'true');
        problems.push((err as Error).message);
      }
    }
    return { values, problems };
  };
  const chosen = (): string[] => [...document.querySelectorAll<HTMLInputElement>('#claims-table input[name=claim]:checked')].map((i) => i.value);

  function render(): void {
    const typedBars = overrides();
    const shown = applyThresholds(claims, typedBars.problems.length ? {} : typedBars.values);
    const head = el(
      'tr',
      {},
      el('th', {}, 'check'),
      el('th', {}, 'claim'),
      el('th', {}, 'thresholds'),
      ...judged.map((d, i) => el('th', { title: d.identity.label }, judged.length > 1 ? `D${i + 1}` : 'verdict')),
      ...(judged.length === 1 ? [el('th', {}, 'what was measured')] : []),
    );
    const rows = shown.map((c) => {
      const verdicts = judged.map((d) => d.verdicts.find((v) => v.claimId === c.id));
      const bars = c.thresholds.map((t) =>
        el(
          'label',
          { class: 'threshold', title: t.label },
          `${t.name} ${t.direction === 'max' ? '≤' : '≥'} `,
          el('input', { 'data-threshold': `${c.id}.${t.name}`, value: String(t.value), size: '5', inputmode: 'decimal', 'aria-label': `${c.id} ${t.label}` }),
          ` ${t.unit}`,
        ),
      );
      return el(
        'tr',
        { 'data-claim': c.id },
        el('td', { 'data-label': 'check' }, el('input', { type: 'checkbox', name: 'claim', value: c.id, checked: '', 'aria-label': `check ${c.id}` })),
        el('td', { 'data-label': 'claim' }, el('span', {}, el('strong', {}, c.id), el('br'), el('small', { title: c.quote }, c.english))),
        el('td', { 'data-label': 'thresholds' }, el('span', {}, ...(bars.length ? bars : ['—']))),
        ...verdicts.map((v, i) =>
          el(
            'td',
            { 'data-label': judged.length > 1 ? `D${i + 1}` : 'verdict' },
            el(
              'span',
              {},
              v ? el('span', { class: `verdict verdict-${v.verdict}`, title: VERDICT_TEXT[v.verdict].meaning }, VERDICT_TEXT[v.verdict].label) : '—',
              ...(v?.margin ? [el('br'), el('small', {}, v.margin)] : []),
            ),
          ),
        ),
        ...(judged.length === 1
          ? [
              el(
                'td',
                { 'data-label': 'measured' },
                el(
                  'span',
                  {},
                  el('small', {}, verdicts[0]?.summary ?? ''),
                  ...(verdicts[0]?.thresholds.length ? [el('br'), el('small', {}, `bar: ${verdicts[0].thresholds.map(formatThreshold).join('; ')}`)] : []),
                ),
              ),
            ]
          : []),
      );
    });
    // Keep what was ticked and typed across re-renders.
    const ticked = new Set(claims.length && document.querySelector('#claims-table input[name=claim]') ? chosen() : claims.map((c) => c.id));
    const typed = new Map([...document.querySelectorAll<HTMLInputElement>('#claims-table input[data-threshold]')].map((i) => [i.dataset.threshold!, i.value]));
    $('claims-table').replaceChildren(el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)));
    for (const box of document.querySelectorAll<HTMLInputElement>('#claims-table input[name=claim]')) box.checked = ticked.has(box.value);
    for (const input of document.querySelectorAll<HTMLInputElement>('#claims-table input[data-threshold]')) {
      const key = input.dataset.threshold!;
      const original = claims.flatMap((c) => c.thresholds.map((t) => [`${c.id}.${t.name}`, t.value] as const)).find(([k]) => k === key);
      if (original) input.defaultValue = String(original[1]);
      if (typed.has(key)) input.value = typed.get(key)!;
    }
    $('claims-devices').replaceChildren(
      ...(judged.length > 1 ? judged.map((d, i) => el('li', {}, `D${i + 1}: ${d.identity.label} (${d.results.length} runs)`)) : []),
    );
    for (const id of ['claims-html', 'claims-md']) $<HTMLButtonElement>(id).disabled = judged.length === 0;
  }

  /** Verdicts of these sources, and what judging them noticed; null (the bad threshold named) when one is not a number. */
  function judge(sources: ResultSource[]): string[] | null {
    const { values, problems } = overrides();
    if (problems.length) {
      say(problems, 'problem');
      return null;
    }
    const out = judgeDevices(
      claims.filter((c) => chosen().includes(c.id)),
      sources,
      values,
    );
    judged = out.devices;
    render();
    return out.notes;
  }

  async function report(kind: 'html' | 'md'): Promise<void> {
    const { values } = overrides();
    const input = {
      generatedAt: new Date().toISOString(),
      devices: judged.map((d) => ({ identity: d.identity, results: d.results, verdicts: d.verdicts })),
      claims: applyThresholds(claims, values).filter((c) => chosen().includes(c.id)),
      catalog: {
        replicas: (catalog.replicas ?? []).map((r) => ({ id: r.id, paramsPublished: r.paramsPublished, releaseDate: r.releaseDate, family: r.family })),
      },
      chartJsSource: kind === 'html' ? await loadChartJsSource() : null,
    };
    if (kind === 'html') download('ondevice-claims.html', renderReportHtml(input), 'text/html');
    else download('ondevice-claims.md', renderReportMarkdown(input), 'text/markdown');
  }

  async function check(): Promise<void> {
    const only = chosen();
    const { values, problems } = overrides();
    if (problems.length) return say(problems, 'problem');
    if (only.length === 0) return say(['Tick at least one claim to check.'], 'problem');
    say([`Checking ${only.length} claim(s) on this device: the runs they need are planned in the Run panel's progress bars.`]);
    try {
      const out = await controller.checkClaims({ only, overrides: values });
      const notes = judge([{ label: null, results: out.results }]);
      if (notes)
        say([`${out.verdicts.length} verdict(s) from ${out.results.length} run(s), logged in the history.`, ...(out.note ? [out.note] : []), ...notes]);
    } catch (err) {
      say([`The claims check failed: ${(err as Error).message}`], 'problem');
    }
  }

  $('claims-check').addEventListener('click', () => void check());
  $('claims-log').addEventListener('click', async () => {
    const log = await controller.results();
    const notes = judge([{ label: 'history', results: log }]);
    if (notes) say([`Judged ${log.length} logged run(s), grouped by the device each ran on.`, ...notes]);
  });
  $<HTMLInputElement>('claims-files').addEventListener('change', async (ev) => {
    const files = [...((ev.target as HTMLInputElement).files ?? [])];
    const sources: ResultSource[] = [];
    const problems: string[] = [];
    for (const f of files) {
      const { results, problems: bad } = parseJsonl(await f.text());
      problems.push(...bad.map((p) => `${f.name}: ${p.message}`));
      if (results.length) sources.push({ label: f.name, results });
      else problems.push(`${f.name}: no valid run record (schema ondevice.run/1) in it.`);
    }
    const notes = sources.length ? judge(sources) : [];
    if (notes)
      say([...problems, ...notes, ...(sources.length ? [`Compared ${sources.length} file(s) side by side.`] : [])], problems.length ? 'problem' : 'info');
    (ev.target as HTMLInputElement).value = '';
  });
  $('claims-html').addEventListener('click', () => void report('html'));
  $('claims-md').addEventListener('click', () => void report('md'));
  $('claims-table').addEventListener('change', () => {
    const { problems } = overrides();
    say(problems, 'problem');
  });

  void controller.claims().then(
    (c) => {
      claims = c;
      render();
    },
    (err: Error) => say([err.message], 'problem'),
  );
  return { check };
}
