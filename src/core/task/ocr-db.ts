/**
 * DB (Differentiable Binarization) post-processing of PP-OCR's detection map, our own code after the published
 * algorithm (Liao et al. 2020; PaddleOCR's DBPostProcess defaults): threshold the probability map, take each
 * connected region, score it by the mean probability inside its box, drop weak or tiny ones, grow ("unclip") the
 * box by area × ratio ÷ perimeter, and scale it to the source image. Boxes are axis-aligned: the region's bounding
 * rectangle (text lines here are horizontal or turned 180°, which stays axis-aligned).
 */

export interface DbOptions {
  /** A pixel is text when its probability exceeds this (PaddleOCR: 0.3). */
  threshold: number;
  /** A region is kept when the mean probability in its box reaches this (PaddleOCR: 0.6). */
  boxThreshold: number;
  /** Unclip ratio: the box grows by area × ratio ÷ perimeter on every side (PaddleOCR v4: 1.5). */
  unclipRatio: number;
  /** Regions whose short side is under this (map pixels) are dropped; after unclipping, under this + 2 (PaddleOCR: 3). */
  minSize: number;
  /** At most this many regions are looked at (PaddleOCR: 1000). */
  maxCandidates: number;
}

export const DB_DEFAULTS: Readonly<DbOptions> = Object.freeze({ threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, maxCandidates: 1000 });

export type Point = [number, number];

export interface DbBox {
  /** Four corners in source-image pixels, clockwise from top-left. */
  box: [Point, Point, Point, Point];
  /** Mean probability inside the region's box on the map. */
  score: number;
}

interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Connected regions (8-neighbourhood) of `map > threshold`, as bounding rectangles, in scan order. */
export function regions(map: ArrayLike<number>, width: number, height: number, threshold: number, max = Infinity): Region[] {
  const seen = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  const out: Region[] = [];
  for (let start = 0; start < width * height && out.length < max; start++) {
    if (seen[start] || !(map[start]! > threshold)) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    const r: Region = { x0: width, y0: height, x1: -1, y1: -1 };
    while (top > 0) {
      const i = stack[--top]!;
      const x = i % width;
      const y = (i - x) / width;
      if (x < r.x0) r.x0 = x;
      if (x > r.x1) r.x1 = x;
      if (y < r.y0) r.y0 = y;
      if (y > r.y1) r.y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (seen[j] || !(map[j]! > threshold)) continue;
          seen[j] = 1;
          stack[top++] = j;
        }
      }
    }
    out.push(r);
  }
  return out;
}

/** Mean of the map over a rectangle (inclusive pixel bounds). */
function meanIn(map: ArrayLike<number>, width: number, r: Region): number {
  let sum = 0;
  for (let y = r.y0; y <= r.y1; y++) for (let x = r.x0; x <= r.x1; x++) sum += map[y * width + x]!;
  return sum / ((r.x1 - r.x0 + 1) * (r.y1 - r.y0 + 1));
}

/**
 * Boxes from a detection map of `mapWidth × mapHeight` (the resized input's size) in the coordinates of a source
 * image of `srcWidth × srcHeight`, sorted in reading order (sortBoxes).
 */
export function dbBoxes(
  map: ArrayLike<number>,
  mapWidth: number,
  mapHeight: number,
  srcWidth: number,
  srcHeight: number,
  options: DbOptions = DB_DEFAULTS,
): DbBox[] {
  if (map.length < mapWidth * mapHeight) throw new Error(`Detection map holds ${map.length} values, fewer than ${mapWidth}×${mapHeight}.`);
  const sx = srcWidth / mapWidth;
  const sy = srcHeight / mapHeight;
  const boxes: DbBox[] = [];
  for (const r of regions(map, mapWidth, mapHeight, options.threshold, options.maxCandidates)) {
    const w = r.x1 - r.x0 + 1;
    const h = r.y1 - r.y0 + 1;
    if (Math.min(w, h) < options.minSize) continue;
    const score = meanIn(map, mapWidth, r);
    if (score < options.boxThreshold) continue;
    const d = (w * h * options.unclipRatio) / (2 * (w + h));
    if (Math.min(w, h) + 2 * d < options.minSize + 2) continue;
    const clampX = (v: number) => Math.min(srcWidth, Math.max(0, Math.round(v * sx)));
    const clampY = (v: number) => Math.min(srcHeight, Math.max(0, Math.round(v * sy)));
    const x0 = clampX(r.x0 - d);
    const x1 = clampX(r.x1 + 1 + d);
    const y0 = clampY(r.y0 - d);
    const y1 = clampY(r.y1 + 1 + d);
    if (x1 - x0 < 1 || y1 - y0 < 1) continue;
    boxes.push({
      box: [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
      ],
      score,
    });
  }
  return sortBoxes(boxes);
}

/** Reading order as PaddleOCR sorts boxes: top to bottom, and left to right among boxes whose tops are within 10 px. */
export function sortBoxes<T extends { box: Point[] }>(boxes: readonly T[]): T[] {
  const sorted = [...boxes].sort((a, b) => a.box[0]![1] - b.box[0]![1] || a.box[0]![0] - b.box[0]![0]);
  for (let i = 0; i < sorted.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      const a = sorted[j]!;
      const b = sorted[j + 1]!;
      if (Math.abs(b.box[0]![1] - a.box[0]![1]) < 10 && b.box[0]![0] < a.box[0]![0]) {
        sorted[j] = b;
        sorted[j + 1] = a;
      } else break;
    }
  }
  return sorted;
}
