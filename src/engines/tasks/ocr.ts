/**
 * The OCR pipeline (PP-OCR): image → detection (DB post-processing) → each line's crop → direction classifier (turned
 * 180° when it says so) → recognition (CTC greedy decode with the keys). Every stage runs at its own level; each
 * iteration is one pass end to end, timed per stage. The pure parts are src/core/task/.
 */
import { cer } from '../../core/task/cer.ts';
import { checkImage, crop, rotate180, type Rgba } from '../../core/task/image.ts';
import { ctcCharset, ctcGreedyDecode } from '../../core/task/ocr-ctc.ts';
import { dbBoxes, type Point } from '../../core/task/ocr-db.ts';
import { clsTensor, detTensor, recTensor } from '../../core/task/ocr-pre.ts';
import { asSamples, summarize } from '../../core/stats.ts';
import { InvalidInputError } from '../../core/vocab.ts';
import type { RunSpec, TaskInput } from '../../core/spec.ts';
import { fetchModelBytes } from '../fetch-model.ts';
import { openTensorSession, type TensorSession } from '../ort-engine.ts';
import { TaskAbortedError, timed, type TaskContext } from './common.ts';

/** A line whose recognition score is under this is dropped (PaddleOCR's drop_score). */
export const OCR_DROP_SCORE = 0.5;
/** The classifier turns a crop only when "180" wins with at least this probability (PaddleOCR's cls_thresh). */
export const CLS_THRESHOLD = 0.9;

/** Decode an image file's bytes to RGBA in the worker; a file the browser cannot decode is bad input. */
async function decodeImage(name: string, bytes: Uint8Array, format: string): Promise<Rgba> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (err) {
    throw new InvalidInputError(
      `Image "${name}" has a ${format} header but could not be decoded (${(err as Error).message}). Expected a complete ${format} file.`,
    );
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  return { data, width: canvas.width, height: canvas.height };
}

interface OcrLine {
  text: string;
  score: number;
  box: Point[];
}

interface Pass {
  lines: OcrLine[];
  ms: { det: number; cls: number; rec: number };
}

const firstOutput = (out: Record<string, { data: Float32Array; dims: number[] }>) => Object.values(out)[0]!;

/** One pass of the pipeline over an image. */
async function ocrPass(img: Rgba, det: TensorSession, cls: TensorSession, rec: TensorSession, charset: string[]): Promise<Pass> {
  const ms = { det: 0, cls: 0, rec: 0 };
  const d = await timed(async () => {
    const t = detTensor(img);
    const map = firstOutput(await det.run({ [det.inputNames[0]!]: t }));
    const [h, w] = map.dims.slice(-2) as [number, number];
    return dbBoxes(map.data, w, h, img.width, img.height);
  });
  ms.det = d.ms;
  const lines: OcrLine[] = [];
  for (const { box } of d.value) {
    let line = crop(img, box[0][0], box[0][1], box[2][0], box[2][1]);
    const c = await timed(async () => firstOutput(await cls.run({ [cls.inputNames[0]!]: clsTensor(line) })).data);
    ms.cls += c.ms;
    // Labels ['0', '180'].
    if (c.value[1]! > c.value[0]! && c.value[1]! >= CLS_THRESHOLD) line = rotate180(line);
    const r = await timed(async () => {
      const out = firstOutput(await rec.run({ [rec.inputNames[0]!]: recTensor(line) }));
      const [steps, classes] = out.dims.slice(-2) as [number, number];
      return ctcGreedyDecode(out.data, steps, classes, charset);
    });
    ms.rec += r.ms;
    if (r.value.score >= OCR_DROP_SCORE && r.value.text.trim() !== '') lines.push({ text: r.value.text, score: r.value.score, box });
  }
  return { lines, ms };
}

/** The text of a pass, lines in reading order joined by newlines (what CER is computed on). */
export const ocrText = (lines: readonly { text: string }[]): string => lines.map((l) => l.text).join('\n');

function stage(task: TaskInput, name: string) {
  const s = task.stages.find((x) => x.name === name);
  if (!s) throw new Error(`The OCR pipeline needs a "${name}" stage; the spec has ${task.stages.map((x) => x.name).join(', ') || 'none'}.`);
  return s;
}

export async function runOcr(spec: RunSpec, { result, onProgress, aborted }: TaskContext): Promise<void> {
  const task = spec.task!;
  const { name, bytes } = task.input;
  const header = checkImage(name, bytes);
  result.pipeline = { kind: 'ocr', input: { name, bytes: bytes.byteLength, width: header.width, height: header.height }, stages: [], totalMs: 0 };
  const img = await decodeImage(name, bytes, header.format);
  const keysUrl = task.assets?.keys;
  if (!keysUrl) throw new Error("The OCR pipeline needs the recognizer's keys file (spec.task.assets.keys).");
  const keysResponse = await fetch(keysUrl);
  if (!keysResponse.ok) throw new Error(`Could not fetch the OCR keys file from ${keysUrl}: HTTP ${keysResponse.status}. Run \`npm run models\`.`);
  const charset = ctcCharset(await keysResponse.text());

  const t0 = performance.now();
  const sessions: Record<string, TensorSession> = {};
  let modelBytes = 0;
  let fetchMs = 0;
  let sessionMs = 0;
  try {
    for (const s of ['det', 'cls', 'rec']) {
      const ref = stage(task, s).model;
      const f = await timed(() => fetchModelBytes(ref.id, ref.url, onProgress));
      fetchMs += f.ms;
      modelBytes += f.value.byteLength;
      onProgress({ phase: 'session' });
      sessions[s] = await openTensorSession({ ...spec, model: ref }, f.value);
      sessionMs += sessions[s].sessionMs;
    }
    result.model.bytes = modelBytes;
    result.timings.fetchMs = fetchMs;
    result.timings.sessionMs = sessionMs;
    result.timings.loadMs = performance.now() - t0;
    const pass = () => ocrPass(img, sessions.det!, sessions.cls!, sessions.rec!, charset);

    // Warm-up passes (0: none, and the first measured pass is also the first run).
    const warmups = Math.max(0, spec.workload.warmup);
    let warmupMs = 0;
    for (let i = 0; i < warmups; i++) {
      if (aborted()) throw new TaskAbortedError('Aborted by the user during warm-up.');
      const w = await timed(pass);
      warmupMs += w.ms;
      if (i === 0) result.timings.firstRunMs = w.ms;
      onProgress({ phase: 'warmup', done: i + 1, total: warmups });
    }
    result.timings.warmup = { runs: warmups, ms: warmupMs, stop: 'fixed' };
    const iterations = Math.max(1, spec.workload.iterations);
    const totals: number[] = [];
    const per = { det: [] as number[], cls: [] as number[], rec: [] as number[] };
    let last: Pass | null = null;
    // Like a model's run: at most `iterations`, stopping once the time budget is spent (one pass at least).
    const budget = spec.workload.timeBudgetMs ?? Infinity;
    const measureStart = performance.now();
    for (let i = 0; i < iterations && (i === 0 || performance.now() - measureStart < budget); i++) {
      if (aborted()) throw new TaskAbortedError(`Aborted by the user after ${i} of ${iterations} iterations.`);
      const p = await timed(pass);
      last = p.value;
      totals.push(p.ms);
      if (warmups === 0 && i === 0) result.timings.firstRunMs = p.ms;
      for (const k of ['det', 'cls', 'rec'] as const) per[k].push(p.value.ms[k]);
      onProgress({ phase: 'measure', done: i + 1, total: iterations });
    }
    result.timings.samplesMs = totals;
    const stats = summarize(asSamples(totals)!);
    result.timings.latency = stats;
    const lines = last!.lines;
    result.pipeline.stages = (['det', 'cls', 'rec'] as const).map((k) => {
      const s = stage(task, k);
      return { name: k, model: s.model.id, level: s.model.dtype, ms: summarize(asSamples(per[k])!) };
    });
    result.pipeline.totalMs = stats.p50Ms;
    result.pipeline.ocr = { lines: lines.map((l) => ({ text: l.text, score: l.score, box: l.box.map(([x, y]) => [x, y] as [number, number]) })) };
    if (task.expectedText !== undefined) result.pipeline.accuracy = { expected: task.expectedText, cer: cer(task.expectedText, ocrText(lines)) };
  } finally {
    for (const s of Object.values(sessions)) await s.release().catch(() => undefined);
  }
}
