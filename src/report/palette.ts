/** The series colours of every chart, the app's (src/ui/charts.ts) and the report file's (src/report/charts.ts) alike. */
const PALETTE = ['#2458d6', '#d0582a', '#13893f', '#8a3fd6', '#b8860b', '#0f8a8a', '#c2185b', '#5b6477'] as const;

/** The i-th series' colour, wrapping round the palette. */
export const paletteColour = (i: number): string => PALETTE[i % PALETTE.length]!;

/** The i-th series' line and fill, as a Chart.js dataset takes them. */
export const seriesColours = (i: number): { borderColor: string; backgroundColor: string } => ({
  borderColor: paletteColour(i),
  backgroundColor: paletteColour(i),
});
