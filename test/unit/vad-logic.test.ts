// The VAD task's pure logic (src/core/task/vad-silero.ts, vad-segments.ts, vad-score.ts): Silero's framing, its
// post-processing on hand-made probabilities, and the scores, with numbers worked out by hand.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { frameCount, frameInput, realTimeFactor, runVad, SILERO_FRAME_MS, SILERO_V5 } from '../../src/core/task/vad-silero.ts';
import { sileroDefaults, speechSegments } from '../../src/core/task/vad-segments.ts';
import { frameAgreement, segmentF1 } from '../../src/core/task/vad-score.ts';
import { parseExpectedSegments } from '../../src/core/task/vad-expect.ts';

const frames = (...runs: [number, number][]): number[] => runs.flatMap(([p, n]) => Array<number>(n).fill(p));

describe('Silero v5 framing', () => {
  it('is 32 ms frames of 512 samples behind the 64 samples before them, zeros before the start and after the end', () => {
    expect(SILERO_FRAME_MS).toBe(32);
    const audio = Float32Array.from({ length: 1100 }, (_, i) => i + 1);
    expect(frameCount(audio.length)).toBe(3);
    const f0 = frameInput(audio, 0);
    expect(f0.length).toBe(576);
    expect(Array.from(f0.subarray(0, 64))).toEqual(Array<number>(64).fill(0));
    expect(Array.from(f0.subarray(64, 67))).toEqual([1, 2, 3]);
    const f1 = frameInput(audio, 1);
    expect([f1[0], f1[63], f1[64], f1[575]]).toEqual([449, 512, 513, 1024]);
    const f2 = frameInput(audio, 2);
    expect([f2[0], f2[64], f2[139], f2[140], f2[575]]).toEqual([961, 1025, 1100, 0, 0]);
  });

  it('runs the step once per frame and carries its state', async () => {
    const seen: number[][] = [];
    const step = async (input: Float32Array, state: number) => {
      seen.push([input[64]!, state]);
      return { prob: state / 10, state: state + 1 };
    };
    let t = 0;
    const pass = await runVad(
      new Float32Array(1500).map((_, i) => i),
      step,
      0,
      () => (t += 5),
    );
    expect(pass.probs).toEqual([0, 0.1, 0.2]);
    expect(seen).toEqual([
      [0, 0],
      [512, 1],
      [1024, 2],
    ]);
    expect(pass.ms).toBe(5);
    expect(realTimeFactor(20, 1000)).toBe(0.02);
    expect(SILERO_V5.stateShape).toEqual([2, 1, 128]);
  });
});

describe('speechSegments (Silero post-processing)', () => {
  it('uses the published defaults: 0.5, 0.35, 250 ms, 100 ms, 30 ms', () => {
    expect(sileroDefaults()).toEqual({ threshold: 0.5, negThreshold: 0.35, minSpeechMs: 250, minSilenceMs: 100, speechPadMs: 30 });
    expect(sileroDefaults(0.1).negThreshold).toBe(0.01);
  });

  it('opens at the threshold, ends where a long-enough silence began, drops short bursts, pads 30 ms', () => {
    // frames 10–29 speech, 30–31 between the thresholds (no change), 32– silence: the silence reaches 100 ms
    // (1600 samples) at frame 36 and the segment ends at frame 32 = 1024 ms. Frames 42–45 (128 ms) are dropped.
    // Frames 60– are speech to the end of a 35 740-sample clip.
    const probs = frames([0, 10], [0.9, 20], [0.4, 2], [0.1, 10], [0.9, 4], [0, 14], [0.8, 10]);
    expect(speechSegments(probs, 512, 70 * 512 - 100, 16000)).toEqual([
      { startMs: 290, endMs: 1054 },
      { startMs: 1890, endMs: 2233.75 },
    ]);
  });

  it('bridges a dip shorter than the minimum silence', () => {
    const probs = frames([0, 5], [0.9, 10], [0.1, 3], [0.9, 10], [0, 10]);
    expect(speechSegments(probs, 512, 38 * 512, 16000)).toEqual([{ startMs: 160 - 30, endMs: 28 * 32 + 30 }]);
  });

  it('splits a gap narrower than two pads between its neighbours', () => {
    const probs = frames([0.9, 10], [0.1, 5], [0.9, 10]);
    expect(speechSegments(probs, 512, 12800, 16000, { ...sileroDefaults(), speechPadMs: 100 })).toEqual([
      { startMs: 0, endMs: 400 },
      { startMs: 400, endMs: 800 },
    ]);
  });

  it('finds nothing in silence', () => {
    expect(speechSegments(frames([0.2, 50]), 512, 50 * 512, 16000)).toEqual([]);
  });
});

describe('scores', () => {
  it('frame agreement: the share of frames with the same call at 0.5; extra frames disagree; nothing compared is NaN', () => {
    expect(frameAgreement([0.9, 0.1, 0.5, 0.49], [0.6, 0.2, 0.4, 0.49])).toBe(0.75);
    expect(frameAgreement([0.9], [0.9, 0.1])).toBe(0.5);
    expect(frameAgreement([], [])).toBeNaN();
  });

  it('segment F1: both boundaries within the tolerance, one-to-one, closest first', () => {
    const expected = [
      { startMs: 0, endMs: 1000 },
      { startMs: 2000, endMs: 3000 },
    ];
    const found = [
      { startMs: 50, endMs: 1080 },
      { startMs: 2000, endMs: 2500 },
      { startMs: 1990, endMs: 3090 },
    ];
    const s = segmentF1(expected, found);
    expect(s).toMatchObject({ toleranceMs: 100, precision: 2 / 3, recall: 1 });
    expect(s.f1).toBeCloseTo(0.8, 12);
    expect(s.matches.map((m) => [m.onsetErrorMs, m.offsetErrorMs])).toEqual([
      [50, 80],
      [-10, 90],
    ]);
  });

  it('segment F1: a split or a merge is a miss, nothing against nothing is perfect', () => {
    expect(
      segmentF1(
        [{ startMs: 0, endMs: 2000 }],
        [
          { startMs: 0, endMs: 900 },
          { startMs: 1100, endMs: 2000 },
        ],
      ).f1,
    ).toBe(0);
    expect(segmentF1([], []).f1).toBe(1);
    expect(segmentF1([{ startMs: 0, endMs: 500 }], []).f1).toBe(0);
    expect(segmentF1([{ startMs: 0, endMs: 500 }], [{ startMs: 0, endMs: 650 }], 200).f1).toBe(1);
  });
});

describe('parseExpectedSegments', () => {
  it('reads the clip’s ground truth and a bare list, sorted by start', () => {
    expect(parseExpectedSegments(readFileSync('test/fixtures/audio/speech-clip.json', 'utf8'), 'speech-clip.json')).toEqual([
      { startMs: 800, endMs: 3356.625 },
      { startMs: 4556.625, endMs: 6083.313 },
    ]);
    expect(parseExpectedSegments('[{"startMs": 50, "endMs": 90}, {"startMs": 5, "endMs": 9}]', 'x.json')).toEqual([
      { startMs: 5, endMs: 9 },
      { startMs: 50, endMs: 90 },
    ]);
  });

  it.each([
    ['nope', /Expected segments "x.json" are not JSON \(.*\)\. Should be JSON: \[\{"startMs": 800/],
    ['{"segs": []}', /"x.json" hold neither a list nor an object with "segments"/],
    ['{"segments": [{"startMs": 5}]}', /are not segments \(segments\.0\.endMs: .*\)/],
    ['[{"startMs": 9, "endMs": 5}]', /are not segments \(0: endMs must be after startMs\)/],
  ])('refuses %s naming the file and the shape', (text, message) => {
    expect(() => parseExpectedSegments(text, 'x.json')).toThrow(message);
  });
});
