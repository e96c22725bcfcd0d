/**
 * The ground truth a VAD run is scored against (`--expect-segments FILE.json`): either a list of segments or an
 * object with `segments` (as test/fixtures/audio/speech-clip.json has it), each `{ startMs, endMs }`.
 */
import { z } from '../zod.ts';
import { InvalidInputError } from '../vocab.ts';
import type { Segment } from './vad-segments.ts';

const SegmentSchema = z.object({ startMs: z.number().finite().nonnegative(), endMs: z.number().finite().nonnegative() }).refine((s) => s.endMs > s.startMs, {
  message: 'endMs must be after startMs',
});
const ListSchema = z.array(SegmentSchema);

const SHAPE = 'JSON: [{"startMs": 800, "endMs": 3357}, …] or {"segments": [those]}';

/** Parse a ground-truth file's text; bad content names the file, where it is wrong, and the expected shape. */
export function parseExpectedSegments(text: string, name: string): Segment[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`Expected segments "${name}" are not JSON (${(err as Error).message}). Should be ${SHAPE}.`);
  }
  const list = Array.isArray(json) ? json : json && typeof json === 'object' && 'segments' in json ? json.segments : undefined;
  const at = Array.isArray(json) ? '' : 'segments';
  if (list === undefined) throw new InvalidInputError(`Expected segments "${name}" hold neither a list nor an object with "segments". Should be ${SHAPE}.`);
  const parsed = ListSchema.safeParse(list);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = [at, ...issue.path].filter((p) => p !== '').join('.') || 'the list';
    throw new InvalidInputError(`Expected segments "${name}" are not segments (${where}: ${issue.message}). Should be ${SHAPE}.`);
  }
  return [...parsed.data].sort((a, b) => a.startMs - b.startMs).map((s) => ({ startMs: s.startMs, endMs: s.endMs }));
}
