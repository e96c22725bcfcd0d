/** The task run's block of the record (`pipeline`, issue 17): a schema of its own beside schema.ts. */
import { z } from './zod.ts';
import { DTYPES, TASK_KINDS } from './vocab.ts';
import { LatencyStatsSchema } from './schema-latency.ts';

const ms = z.number().finite().nonnegative();
const bytes = z.number().int().nonnegative();

/**
 * A task run (issue 17): a pipeline of models on a real input (an image for OCR, audio for VAD), with per-stage
 * timings, what it produced and how right it was. Named `pipeline` because `task` is the model's task string.
 */
export const TaskRecordSchema = z.object({
  kind: z.enum(TASK_KINDS),
  /** What the user or the test gave. */
  input: z.object({
    name: z.string(),
    bytes,
    width: z.number().int().nonnegative().optional(),
    height: z.number().int().nonnegative().optional(),
    sampleRate: z.number().positive().optional(),
    durationMs: ms.optional(),
    /** Audio resampled to the model's rate: the rate it came at. */
    resampledFrom: z.number().positive().optional(),
  }),
  /** Per stage (det/cls/rec, or vad): the model, the level it ran at, and its time per iteration (stats) or in all. */
  stages: z.array(z.object({ name: z.string(), model: z.string(), level: z.enum(DTYPES), ms: z.union([LatencyStatsSchema, ms]) })),
  /** End to end, median over the iterations. */
  totalMs: ms,
  ocr: z.object({ lines: z.array(z.object({ text: z.string(), score: z.number(), box: z.array(z.tuple([z.number(), z.number()])) })) }).optional(),
  vad: z
    .object({
      frameMs: ms,
      probs: z.array(z.number()),
      segments: z.array(z.object({ startMs: ms, endMs: ms })),
      realTimeFactor: z.number().nonnegative(),
    })
    .optional(),
  accuracy: z
    .object({
      expected: z.string().optional(),
      cer: z.number().nonnegative().optional(),
      cerVsFp32: z.number().nonnegative().optional(),
      frameAgreementVsFp32: z.number().min(0).max(1).optional(),
      segmentF1: z.number().min(0).max(1).optional(),
    })
    .optional(),
});
