/**
 * Speech segments from per-frame probabilities, with the hysteresis, minimum durations and padding of Silero's own
 * get_speech_timestamps (silero-vad src/silero_vad/utils_vad.py, defaults as published there).
 */

export interface Segment {
  startMs: number;
  endMs: number;
}

export interface SegmentOptions {
  /** A frame at or above this starts (or continues) speech. */
  threshold: number;
  /** While in speech, a frame below this starts a silence; between the two, nothing changes. */
  negThreshold: number;
  /** Segments not longer than this are dropped. */
  minSpeechMs: number;
  /** A silence must last this long to end a segment (the segment ends where the silence began). */
  minSilenceMs: number;
  /** Each segment grows by this much on both sides (or by half the gap, where two would meet). */
  speechPadMs: number;
}

/** Silero's defaults: threshold 0.5, neg threshold max(threshold − 0.15, 0.01), 250 / 100 / 30 ms. */
export function sileroDefaults(threshold = 0.5): SegmentOptions {
  return { threshold, negThreshold: Math.max(threshold - 0.15, 0.01), minSpeechMs: 250, minSilenceMs: 100, speechPadMs: 30 };
}

/**
 * Segments in samples, then in ms. `frameSamples` is the hop (512), `totalSamples` the clip's length (a segment
 * still open at the end ends there). Upstream's max_speech_duration_s defaults to infinity and is not modelled.
 */
export function speechSegments(probs: readonly number[], frameSamples: number, totalSamples: number, sampleRate: number, opts = sileroDefaults()): Segment[] {
  const perMs = sampleRate / 1000;
  const minSpeech = opts.minSpeechMs * perMs;
  const minSilence = opts.minSilenceMs * perMs;
  const pad = Math.trunc(opts.speechPadMs * perMs);
  const raw: { start: number; end: number }[] = [];
  let start: number | null = null; // the open segment's first sample
  let silenceFrom: number | null = null; // where the current silence inside the open segment began
  probs.forEach((p, i) => {
    const at = i * frameSamples;
    if (p >= opts.threshold) {
      silenceFrom = null;
      start ??= at;
      return;
    }
    if (start === null || p >= opts.negThreshold) return;
    silenceFrom ??= at;
    if (at - silenceFrom < minSilence) return;
    if (silenceFrom - start > minSpeech) raw.push({ start, end: silenceFrom });
    start = silenceFrom = null;
  });
  if (start !== null && totalSamples - start > minSpeech) raw.push({ start, end: totalSamples });
  // Padding: a gap narrower than two pads is split between its neighbours.
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i]!;
    if (i === 0) s.start = Math.max(0, s.start - pad);
    const next = raw[i + 1];
    if (!next) {
      s.end = Math.min(totalSamples, s.end + pad);
      continue;
    }
    const gap = next.start - s.end;
    const grow = gap < 2 * pad ? Math.floor(gap / 2) : pad;
    s.end = gap < 2 * pad ? s.end + grow : Math.min(totalSamples, s.end + grow);
    next.start = Math.max(0, next.start - grow);
  }
  return raw.map((s) => ({ startMs: s.start / perMs, endMs: s.end / perMs }));
}
