// What the Try panel computes (src/ui/model/try.ts): the levels its buttons offer, a classifier's labels from its
// logits, the waveform's envelope per frame, and decoded audio written as a WAV that the VAD pipeline reads back.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.ts';
import type { RunResult } from '../../src/core/schema.ts';
import { parseWav } from '../../src/core/task/vad-wav.ts';
import { classifyOutput, envelope, floatWav, isWav, mixDown, softmax, tryLevels, tryModels } from '../../src/ui/model/try.ts';

const catalog = JSON.parse(readFileSync('models/catalog.json', 'utf8')) as Catalog;
const withOutput = (dims: number[], values: number[]) =>
  ({ state: 'completed', outputs: [{ name: 'logits', type: 'float32', dims, values, truncated: false }] }) as unknown as RunResult;

describe('the Try panel’s levels and models', () => {
  it('offers every level some OCR stage ships, Silero’s for VAD, a decoder’s own (GGUF too), and the bundled classifiers', () => {
    expect(tryLevels('ocr', catalog)).toEqual(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4dq', 'q4f16', 'bnb4']);
    expect(tryLevels('vad', catalog)).toEqual(['fp32', 'fp16', 'q8', 'int8', 'uint8']);
    expect(tryLevels('generate', catalog, 'tiny-llama')).toEqual(expect.arrayContaining(['fp32', 'q4', 'q8_0']));
    expect(tryLevels('generate', catalog, 'no-such-model')).toEqual([]);
    expect(tryModels('generate', catalog).map((m) => m.id)).toContain('tiny-llama');
    expect(tryModels('classify', catalog).map((m) => m.id)).toEqual(expect.arrayContaining(['tiny-bert-sst', 'tiny-bert-ner']));
  });
});

describe('labels from logits', () => {
  it('softmaxes a sentence’s logits into its id2label names, best first', () => {
    const sst = catalog.models.find((m) => m.id === 'tiny-bert-sst');
    const labelled = classifyOutput(withOutput([1, 2], [0, Math.log(3)]), sst);
    expect(labelled).toEqual([
      { token: null, label: 'POSITIVE', score: expect.closeTo(0.75, 9) },
      { token: null, label: 'NEGATIVE', score: expect.closeTo(0.25, 9) },
    ]);
  });
  it('gives each token its best label, and LABEL_i where the model names none', () => {
    const labelled = classifyOutput(withOutput([1, 2, 3], [0, 5, 0, 9, 0, 0]), undefined);
    expect(labelled).toEqual([
      { token: 0, label: 'LABEL_1', score: expect.any(Number) },
      { token: 1, label: 'LABEL_0', score: expect.any(Number) },
    ]);
  });
  it('says so when the run kept no logits', () => {
    expect(classifyOutput({ state: 'errored', outputs: null, error: { name: 'X', message: 'boom' } } as unknown as RunResult, undefined)).toMatch(
      /no logits.*boom/,
    );
    expect(softmax([1, 1, 1, 1])).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('audio for the panel', () => {
  it('takes the peak |sample| of each frame', () => {
    const samples = Float32Array.from([0.1, -0.5, 0.2, 0.3, -0.9, 0]);
    expect(envelope(samples, 1000, 2, 3)).toEqual([expect.closeTo(0.5, 6), expect.closeTo(0.3, 6), expect.closeTo(0.9, 6)]);
  });
  it('writes mixed-down samples as a float WAV that the VAD pipeline’s reader reads back', () => {
    const mono = mixDown([Float32Array.from([1, 0, -1]), Float32Array.from([0, 0, 1])]);
    expect([...mono]).toEqual([0.5, 0, 0]);
    const bytes = floatWav(mono, 44100);
    expect(isWav(bytes)).toBe(true);
    expect(isWav(new TextEncoder().encode('ID3 an mp3 tag'))).toBe(false);
    const wav = parseWav(bytes, 'decoded.wav');
    expect(wav.sampleRate).toBe(44100);
    expect([...wav.channels[0]!]).toEqual([0.5, 0, 0]);
  });
});
