/** Latency statistics as records hold them (src/core/stats.ts computes them); part of schema.ts's `ondevice.run/1`. */
import { z } from './zod.ts';

const ms = z.number().finite().nonnegative();

export const LatencyStatsSchema = z.object({
  n: z.number().int().positive(),
  meanMs: ms,
  sdMs: ms,
  rme: z.number().finite().nullable(),
  minMs: ms,
  p50Ms: ms,
  p90Ms: ms,
  p95Ms: ms,
  p99Ms: ms,
  maxMs: ms,
});
