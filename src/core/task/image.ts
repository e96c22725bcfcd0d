/**
 * Images as bytes and pixels, DOM-free: a file's format and size read from its header (so a bad or oversized file is
 * refused before it is decoded), and the size cap. Pixels are RGBA, row-major, as ImageData holds them.
 */
import { InvalidInputError } from '../vocab.ts';

export interface ImageHeader {
  format: 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';
  width: number;
  height: number;
}

/** The largest image a task takes: this many pixels a side, and this many in all (RGBA: 160 MB decoded). */
export const MAX_IMAGE_SIDE = 8192;
export const MAX_IMAGE_PIXELS = 40_000_000;

export const IMAGE_FORMATS_TEXT = 'a PNG, JPEG, GIF, BMP or WebP image';

const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
const i32le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));

function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    i += 2 + u16be(b, i + 2);
  }
  return null;
}

function webpSize(b: Uint8Array): { width: number; height: number } | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ' && b.length >= 30) return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === 'VP8L' && b.length >= 25)
    return { width: (((b[22]! & 0x3f) << 8) | b[21]!) + 1, height: (((b[24]! & 0x0f) << 10) | (b[23]! << 2) | ((b[22]! & 0xc0) >> 6)) + 1 };
  if (chunk === 'VP8X' && b.length >= 30)
    return { width: (b[24]! | (b[25]! << 8) | (b[26]! << 16)) + 1, height: (b[27]! | (b[28]! << 8) | (b[29]! << 16)) + 1 };
  return null;
}

/** The format and size a file's header declares; null when it is none of the formats taken (or too short to say). */
export function imageHeader(b: Uint8Array): ImageHeader | null {
  if (b.length >= 24 && u32be(b, 0) === 0x89504e47 && u32be(b, 4) === 0x0d0a1a0a && ascii(b, 12, 4) === 'IHDR')
    return { format: 'png', width: u32be(b, 16), height: u32be(b, 20) };
  if (b.length >= 10 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return { format: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
  if (b.length >= 26 && ascii(b, 0, 2) === 'BM') return { format: 'bmp', width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    const size = jpegSize(b);
    return size ? { format: 'jpeg', ...size } : null;
  }
  if (b.length >= 16 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') {
    const size = webpSize(b);
    return size ? { format: 'webp', ...size } : null;
  }
  return null;
}

/** Check an input image's bytes before decoding: its header, 0×0, the size cap. Throws InvalidInputError naming it. */
export function checkImage(name: string, bytes: Uint8Array): ImageHeader {
  if (bytes.byteLength === 0) throw new InvalidInputError(`Image "${name}" is empty (0 bytes). Expected ${IMAGE_FORMATS_TEXT}.`);
  const header = imageHeader(bytes);
  if (!header) throw new InvalidInputError(`"${name}" is not an image (${bytes.byteLength} bytes, no image header). Expected ${IMAGE_FORMATS_TEXT}.`);
  const { width, height, format } = header;
  if (width === 0 || height === 0)
    throw new InvalidInputError(`Image "${name}" is ${width}×${height} pixels (${format}): it has no pixels. Expected at least 1×1 (OCR needs text in it).`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS)
    throw new InvalidInputError(
      `Image "${name}" is ${width}×${height} pixels (${format}), over the size cap of ${MAX_IMAGE_SIDE} px a side and ${MAX_IMAGE_PIXELS / 1e6} megapixels. Scale it down first.`,
    );
  return header;
}

/** RGBA pixels. */
export interface Rgba {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** A rectangle of an image (clamped to it). */
export function crop(img: Rgba, x0: number, y0: number, x1: number, y1: number): Rgba {
  const left = Math.max(0, Math.min(img.width, Math.round(x0)));
  const top = Math.max(0, Math.min(img.height, Math.round(y0)));
  const width = Math.max(0, Math.min(img.width, Math.round(x1)) - left);
  const height = Math.max(0, Math.min(img.height, Math.round(y1)) - top);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) data.set(img.data.subarray(((top + y) * img.width + left) * 4, ((top + y) * img.width + left + width) * 4), y * width * 4);
  return { data, width, height };
}

/** The image turned 180°. */
export function rotate180(img: Rgba): Rgba {
  const n = img.width * img.height;
  const data = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) data.set(img.data.subarray(i * 4, i * 4 + 4), (n - 1 - i) * 4);
  return { data, width: img.width, height: img.height };
}

/** Bilinear resize (pixel centres aligned, as OpenCV's INTER_LINEAR). */
export function resizeBilinear(img: Rgba, width: number, height: number): Rgba {
  const data = new Uint8ClampedArray(width * height * 4);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(img.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(img.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(img.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(img.width - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 4; c++) {
        const a = img.data[(y0 * img.width + x0) * 4 + c]!;
        const b = img.data[(y0 * img.width + x1) * 4 + c]!;
        const d = img.data[(y1 * img.width + x0) * 4 + c]!;
        const e = img.data[(y1 * img.width + x1) * 4 + c]!;
        data[(y * width + x) * 4 + c] = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
      }
    }
  }
  return { data, width, height };
}
