/**
 * The bench's tables as text: one compact style (columns apart by two spaces, a rule under the header), and the two
 * views of a table of runs — the default one, which fits a 120-column terminal for a run or a few (columns no row
 * fills are left out, reasons become notes under the table), and --wide, which shows every column.
 */
import Table from 'cli-table3';

/** One column of a table of rows T. */
export interface Column<T> {
  head: string;
  /** The header in the default view, when shorter than the wide one. */
  short?: string;
  cell: (row: T, wide: boolean) => string;
  /** Only with --wide (warm-up detail, reasons inline). */
  wideOnly?: boolean;
  /** Left out of both views when false: the column has no meaning for these rows (no run was profiled, …). */
  when?: boolean;
  /** Kept in the default view even when no row fills it. */
  always?: boolean;
  /** Width of the column with --wide; its cells wrap (long reasons). */
  width?: number;
}

/** A cell that says nothing: a column of only these is left out of the default view. */
const isEmpty = (cell: string): boolean => cell === '' || cell === '—';

const CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '─',
  'mid-mid': '──',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** A cli-table3 table in the CLI's compact style (for tables with spanned cells; else render()). */
export function newTable(head: readonly string[], colWidths?: readonly (number | null)[]): Table.Table {
  return new Table({
    head: [...head],
    chars: CHARS,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 },
    ...(colWidths ? { colWidths: [...colWidths] as number[], wordWrap: true } : {}),
  });
}

/** The table's text without the padding cli-table3 leaves at the end of lines. */
export const tableText = (t: Table.Table): string =>
  t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');

/** Rows under a header, in the compact style. */
export function render(head: readonly string[], rows: readonly (readonly string[])[], colWidths?: readonly (number | null)[]): string {
  const t = newTable(head, colWidths);
  for (const row of rows) t.push([...row]);
  return tableText(t);
}

/**
 * The rows as a table with the columns that apply: with `wide`, every column that has a meaning for these rows; else
 * the default view's, less those no row fills, then `notes` (the reasons its cells numbered) and a line naming the
 * wide-only columns that have something to show.
 */
export function columnsTable<T>(columns: readonly Column<T>[], rows: readonly T[], wide: boolean, notes?: () => string[]): string {
  const meaningful = columns.filter((c) => c.when !== false && (wide || !c.wideOnly));
  const cells = meaningful.map((c) => rows.map((r) => c.cell(r, wide)));
  const keep = meaningful.map((c, i) => wide || c.always === true || cells[i]!.some((x) => !isEmpty(x)));
  const shown = meaningful.filter((_, i) => keep[i]);
  const head = shown.map((c) => (wide ? c.head : (c.short ?? c.head)));
  const body = rows.map((_, j) => cells.filter((_, i) => keep[i]).map((col) => col[j]!));
  const text = render(head, body, wide && shown.some((c) => c.width) ? shown.map((c) => c.width ?? null) : undefined);
  if (wide) return text;
  // Reasons (notes the cells numbered), then what --wide would add.
  const more = columns.filter((c) => c.when !== false && c.wideOnly && rows.some((r) => !isEmpty(c.cell(r, true))) && c.head !== 'reason');
  const lines = [...(notes?.() ?? []), ...(more.length ? [`  --wide adds: ${more.map((c) => c.head).join(', ')}`] : [])];
  return [text, ...lines].join('\n');
}

/**
 * Reasons as numbered notes under a table (the default view): `mark(text)` gives the cell its note's number, the same
 * number for the same text; `lines()` lists them.
 */
export function notes(): { mark: (text: string) => string; lines: () => string[] } {
  const seen = new Map<string, number>();
  return {
    mark(text) {
      if (!text) return '';
      const n = seen.get(text) ?? seen.size + 1;
      seen.set(text, n);
      return `[${n}]`;
    },
    lines: () => [...seen].map(([text, n]) => `  [${n}] ${text}`),
  };
}

/** The width the default view keeps to. */
export const WIDTH = 120;

/** A line of prose broken at spaces to fit `width`, its continuation lines indented two more than it. */
export function wrapLine(line: string, width = WIDTH): string {
  if ([...line].length <= width) return line;
  const indent = ' '.repeat((/^ */.exec(line)?.[0].length ?? 0) + 2);
  const out: string[] = [];
  let current = '';
  for (const word of line.trimStart().split(' ')) {
    const lead = out.length ? indent : ' '.repeat(line.length - line.trimStart().length);
    const next = current ? `${current} ${word}` : `${lead}${word}`;
    if (current && [...next].length > width) {
      out.push(current);
      current = `${indent}${word}`;
    } else current = next;
  }
  out.push(current);
  return out.join('\n');
}
