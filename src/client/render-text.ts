/**
 * Ground-truth OCR inputs drawn by the page: text lines on a white canvas, black text, each in its font and size, some
 * turned 180° about their own centre; the PNG's bytes and the text it holds. The CLI renders through the same page.
 */
import { expectedTextOf, type TextLine } from '../core/task/ocr-sample.ts';

export interface RenderedText {
  name: string;
  /** The PNG, base64 (it crosses page.evaluate as a string). */
  base64: string;
  bytes: number;
  width: number;
  height: number;
  expected: string;
}

const fontOf = (l: TextLine) => `${l.size}px "${l.font}", sans-serif`;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export async function renderTextLines(lines: readonly TextLine[], name = 'rendered-lines.png'): Promise<RenderedText> {
  // Fonts load lazily: ask for each before measuring, or the first draw uses a fallback.
  await Promise.all(lines.map((l) => document.fonts.load(fontOf(l), l.text).catch(() => [])));
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d')!;
  const margin = 24;
  const widths = lines.map((l) => {
    ctx.font = fontOf(l);
    return ctx.measureText(l.text).width;
  });
  canvas.width = Math.ceil(Math.max(64, ...widths) + 2 * margin);
  canvas.height = Math.ceil(lines.reduce((h, l) => h + l.size * 2, 2 * margin));
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#000000';
  ctx.textBaseline = 'middle';
  let y = margin;
  lines.forEach((l, i) => {
    ctx.font = fontOf(l);
    const cy = y + l.size;
    const cx = margin + widths[i]! / 2;
    ctx.save();
    ctx.translate(cx, cy);
    if (l.rotate180) ctx.rotate(Math.PI);
    ctx.textAlign = 'center';
    ctx.fillText(l.text, 0, 0);
    ctx.restore();
    y += l.size * 2;
  });
  const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The canvas made no PNG.'))), 'image/png'));
  const bytes = new Uint8Array(await blob.arrayBuffer());
  return { name, base64: toBase64(bytes), bytes: bytes.byteLength, width: canvas.width, height: canvas.height, expected: expectedTextOf(lines) };
}
