/**
 * Ground-truth text lines for OCR, rendered by the page on a canvas (src/client/render-text.ts): Chinese and English,
 * several fonts and sizes, some turned 180°. The expected text is the lines in order, joined by newlines.
 */

export interface TextLine {
  text: string;
  /** CSS font family, e.g. "WenQuanYi Zen Hei" (Debian's fonts-wqy-zenhei), "DejaVu Sans". */
  font: string;
  /** Font size in CSS pixels. */
  size: number;
  /** Drawn upside down (the direction classifier should turn it back). */
  rotate180?: boolean;
}

/** The default sample: what `--task ocr` without `--image` and the browser test read. */
export const OCR_SAMPLE_LINES: readonly TextLine[] = Object.freeze([
  { text: 'Small models run in the browser', font: 'DejaVu Sans', size: 28 },
  { text: '浏览器中的小模型', font: 'WenQuanYi Zen Hei', size: 32 },
  { text: 'Quantization keeps 8 bits', font: 'DejaVu Serif', size: 26 },
  { text: '识别准确率很高', font: 'WenQuanYi Zen Hei', size: 28, rotate180: true },
  { text: 'Latency 42 ms on WASM', font: 'Liberation Mono', size: 24 },
  { text: 'Hello from ondevice', font: 'DejaVu Sans', size: 30, rotate180: true },
]);

export const expectedTextOf = (lines: readonly TextLine[]): string => lines.map((l) => l.text).join('\n');
