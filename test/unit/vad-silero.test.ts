// Silero VAD v5 over the committed speech clip, in Node through onnxruntime-web's wasm kernels (the browser's),
// at every level the catalog ships: the same step (src/engines/tasks/vad-step.ts) and loop
// (src/core/task/vad-silero.ts) the worker runs. fp32 must find the clip's two sentences within 100 ms; every
// level must make fp32's speech call on nearly every frame.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.ts';
import { bundledFile } from '../../src/core/catalog.ts';
import { runVad, SILERO_V5 } from '../../src/core/task/vad-silero.ts';
import { speechSegments, type Segment } from '../../src/core/task/vad-segments.ts';
import { frameAgreement, segmentF1 } from '../../src/core/task/vad-score.ts';
import { prepareAudio } from '../../src/core/task/vad-wav.ts';
import type { Dtype } from '../../src/core/vocab.ts';
import { sileroInitialState, sileroStep } from '../../src/engines/tasks/vad-step.ts';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const silero = catalog.models.find((m) => m.id === 'silero-vad-v5')!;
const audio = prepareAudio(readFileSync('test/fixtures/audio/speech-clip.wav'), 'speech-clip.wav', SILERO_V5.sampleRate);
const truth = (JSON.parse(readFileSync('test/fixtures/audio/speech-clip.json', 'utf8')) as { segments: Segment[] }).segments;

async function pass(dtype: Dtype): Promise<number[]> {
  const session = await ort.InferenceSession.create(readFileSync(`models/${bundledFile(silero, dtype)}`), {
    executionProviders: ['wasm'],
    logSeverityLevel: 3,
  });
  try {
    return (await runVad(audio.samples, sileroStep(ort.Tensor, session), sileroInitialState(ort.Tensor), () => performance.now())).probs;
  } finally {
    await session.release();
  }
}

const segmentsOf = (probs: number[]) => speechSegments(probs, SILERO_V5.frameSamples, audio.samples.length, SILERO_V5.sampleRate);

describe('Silero VAD v5 on the speech clip', () => {
  const probs = new Map<Dtype, number[]>();
  beforeAll(async () => {
    for (const level of silero.levels) probs.set(level, await pass(level));
  });

  it('ships fp32, fp16 and the three 8-bit levels', () => {
    expect(silero.levels).toEqual(['fp32', 'fp16', 'q8', 'int8', 'uint8']);
  });

  it('fp32 finds the two sentences, each boundary within 100 ms', () => {
    const found = segmentsOf(probs.get('fp32')!);
    const score = segmentF1(truth, found, 100);
    expect(found).toHaveLength(2);
    expect(score.f1).toBe(1);
    for (const m of score.matches) {
      expect(Math.abs(m.onsetErrorMs)).toBeLessThanOrEqual(100);
      expect(Math.abs(m.offsetErrorMs)).toBeLessThanOrEqual(100);
    }
    // The silences are silence: no frame above the threshold in the first 0.7 s.
    expect(Math.max(...probs.get('fp32')!.slice(0, 21))).toBeLessThan(0.5);
  });

  it.each(['fp16', 'q8', 'int8', 'uint8'] as const)('%s makes fp32’s call on ≥ 95 %% of frames and keeps both segments', (level) => {
    const p = probs.get(level)!;
    expect(p).toHaveLength(probs.get('fp32')!.length);
    expect(frameAgreement(probs.get('fp32')!, p)).toBeGreaterThanOrEqual(0.95);
    expect(segmentF1(truth, segmentsOf(p), 100).f1).toBe(1);
  });
});
