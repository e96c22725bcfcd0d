/**
 * PP-OCR's pre-processing, as PaddleOCR's inference does it: the detector's input resized so both sides are multiples
 * of 32 with the long side at most 960, normalized by ImageNet's mean and std; the classifier's (48×192) and the
 * recognizer's (height 48, width by aspect) inputs scaled to [-1, 1] and padded with zeros on the right. Channels
 * are BGR (PaddleOCR reads images with OpenCV), CHW, batch 1. Alpha is composited over white.
 */
import { resizeBilinear, type Rgba } from './image.ts';

export interface Tensor {
  data: Float32Array;
  dims: number[];
}

export const DET_LIMIT_SIDE = 960;
export const CLS_SHAPE = { height: 48, width: 192 } as const;
export const REC_HEIGHT = 48;
/** The recognizer's narrowest input (PaddleOCR's rec_image_shape 3,48,320): wider lines get their own width. */
export const REC_MIN_WIDTH = 320;

/** The detector's input size for an image: scaled so the long side is at most `limit`, each side rounded to a multiple of 32 (≥ 32). */
export function detInputSize(width: number, height: number, limit = DET_LIMIT_SIDE): { width: number; height: number } {
  const ratio = Math.max(width, height) > limit ? limit / Math.max(width, height) : 1;
  const round32 = (v: number) => Math.max(32, Math.round((v * ratio) / 32) * 32);
  return { width: round32(width), height: round32(height) };
}

/** A channel value of pixel `i` with alpha composited over white. */
const over = (img: Rgba, i: number, c: number): number => {
  const a = img.data[i * 4 + 3]! / 255;
  return img.data[i * 4 + c]! * a + 255 * (1 - a);
};

const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];

/** The detector's input tensor [1,3,H,W] for an image (resized to detInputSize). */
export function detTensor(img: Rgba): Tensor {
  const size = detInputSize(img.width, img.height);
  const r = resizeBilinear(img, size.width, size.height);
  const n = size.width * size.height;
  const data = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    // BGR: channel 0 is blue, normalized with the first mean/std as PaddleOCR does to its BGR array.
    for (let ch = 0; ch < 3; ch++) data[ch * n + i] = (over(r, i, 2 - ch) / 255 - DET_MEAN[ch]!) / DET_STD[ch]!;
  }
  return { data, dims: [1, 3, size.height, size.width] };
}

/**
 * A text line's input tensor [1,3,height,padWidth]: resized to `height` keeping its aspect (at most `maxWidth`
 * wide), scaled to [-1, 1], zero-padded to `padWidth`.
 */
export function lineTensor(img: Rgba, height: number, maxWidth: number, padWidth: number = maxWidth): Tensor {
  const w = Math.max(1, Math.min(maxWidth, Math.ceil((height * img.width) / Math.max(1, img.height))));
  const r = resizeBilinear(img, w, height);
  const plane = height * padWidth;
  const data = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < w; x++) for (let ch = 0; ch < 3; ch++) data[ch * plane + y * padWidth + x] = (over(r, y * w + x, 2 - ch) / 255 - 0.5) / 0.5;
  return { data, dims: [1, 3, height, padWidth] };
}

/** The classifier's input for a line crop (48×192, as PaddleOCR's cls_image_shape). */
export const clsTensor = (img: Rgba): Tensor => lineTensor(img, CLS_SHAPE.height, CLS_SHAPE.width);

/** The recognizer's input for a line crop: 48 high, as wide as its aspect asks and at least REC_MIN_WIDTH. */
export function recTensor(img: Rgba): Tensor {
  const width = Math.max(REC_MIN_WIDTH, Math.ceil((REC_HEIGHT * img.width) / Math.max(1, img.height)));
  return lineTensor(img, REC_HEIGHT, width, width);
}
