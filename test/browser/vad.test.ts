// The VAD pipeline end to end in the real app: the committed espeak-ng clip (two sentences between silences) at
// every level Silero v5 ships, fp32 finding both sentences within 100 ms of the ground truth and every other level
// scored by frame agreement with fp32; the same clip at 44.1 kHz stereo float, resampled and said so; and audio
// that is not audio, or whose header lies, ending as records with reasons.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { RunResult } from '../../src/core/schema.ts';
import { parseWav, resample } from '../../src/core/task/vad-wav.ts';
import { useApp } from './fixture.ts';
import { floatWav } from '../../src/ui/model/try.ts';

const app = useApp();

const clip = readFileSync('test/fixtures/audio/speech-clip.wav');
const truth = (JSON.parse(readFileSync('test/fixtures/audio/speech-clip.json', 'utf8')) as { segments: { startMs: number; endMs: number }[] }).segments;
const workload = { iterations: 1, warmup: 1, numThreads: 1 };

async function runVad(name: string, bytes: Uint8Array, levels: string[], expectedSegments?: typeof truth): Promise<RunResult[]> {
  const wire = {
    kind: 'vad',
    input: { name, base64: Buffer.from(bytes).toString('base64') },
    levels,
    device: 'wasm',
    workload,
    ...(expectedSegments ? { expectedSegments } : {}),
  };
  return app.page.evaluate((w) => window.ondevice.runTask(w as Parameters<typeof window.ondevice.runTask>[0]), wire);
}

it('finds the clip’s two sentences within 100 ms at fp32, with frame agreement and F1 at every shipped level', async () => {
  const results = await runVad('speech-clip.wav', clip, ['fp32', 'fp16', 'q8', 'int8', 'uint8'], truth);
  expect(results.map((r) => r.model.dtype)).toEqual(['fp32', 'fp16', 'q8', 'int8', 'uint8']);
  for (const r of results) {
    expect(r.state, `${r.model.dtype}: ${r.error?.message}`).toBe('completed');
    expect(r.model.id).toBe('vad:silero-v5');
    const p = r.pipeline!;
    expect(p.kind).toBe('vad');
    expect(p.input).toMatchObject({ name: 'speech-clip.wav', bytes: clip.byteLength, sampleRate: 16000 });
    expect(p.input.durationMs).toBeCloseTo(6883.3125, 3);
    expect(p.stages).toEqual([expect.objectContaining({ name: 'vad', model: 'silero-vad-v5', level: r.model.dtype })]);
    expect(p.vad!.frameMs).toBe(32);
    expect(p.vad!.probs).toHaveLength(Math.ceil(110133 / 512));
    expect(p.vad!.realTimeFactor).toBeGreaterThan(0);
    expect(p.accuracy!.frameAgreementVsFp32).toBeGreaterThanOrEqual(0.95);
    expect(p.accuracy!.segmentF1).toBe(1);
  }
  const fp32 = results[0]!.pipeline!;
  expect(fp32.accuracy!.frameAgreementVsFp32).toBe(1);
  expect(fp32.vad!.segments).toHaveLength(2);
  fp32.vad!.segments.forEach((s, i) => {
    expect(Math.abs(s.startMs - truth[i]!.startMs)).toBeLessThanOrEqual(100);
    expect(Math.abs(s.endMs - truth[i]!.endMs)).toBeLessThanOrEqual(100);
  });
}, 120_000);

it('resamples 44.1 kHz stereo float to 16 kHz, says so, and still finds both sentences', async () => {
  const mono = parseWav(clip, 'speech-clip.wav').channels[0]!;
  const up = resample(mono, 16000, 44100);
  const [r] = await runVad('clip-44k-stereo.wav', floatWav([up, up], 44100), ['fp32'], truth);
  expect(r!.state, r!.error?.message).toBe('completed');
  expect(r!.pipeline!.input).toMatchObject({ sampleRate: 16000, resampledFrom: 44100 });
  expect(r!.pipeline!.accuracy!.segmentF1).toBe(1);
}, 60_000);

it('ends audio that is not audio, and a WAV whose header lies, as records naming the file and what is wrong', async () => {
  const lying = new Uint8Array(clip.subarray(0, 20_000)); // the data chunk still says 220 266 bytes
  const notAudio = new TextEncoder().encode('this is a text file, not a WAV');
  const [cut] = await runVad('cut.wav', lying, ['fp32']);
  const [text] = await runVad('notes.txt', notAudio, ['fp32']);
  for (const r of [cut!, text!]) {
    expect(r.state).toBe('errored');
    expect(r.error!.name).toBe('InvalidInputError');
  }
  expect(cut!.error!.message).toMatch(/"cut.wav" is not usable audio: its data chunk says 220266 bytes but only 19956 follow/);
  expect(text!.error!.message).toMatch(
    /"notes.txt" is not usable audio: no RIFF\/WAVE header .* Should be a RIFF\/WAVE file of 16-bit PCM or 32-bit float samples\./,
  );
  const logged = await app.page.evaluate(() => window.ondevice.results());
  expect(logged.filter((r) => r.model.id === 'vad:silero-v5' && r.state === 'errored').length).toBeGreaterThanOrEqual(2);
}, 60_000);
