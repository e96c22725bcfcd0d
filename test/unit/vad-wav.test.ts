// WAV parsing, mixdown and resampling for the VAD task (src/core/task/vad-wav.ts): real files from sox, files
// built here byte by byte, and headers that lie.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mixdown, parseWav, prepareAudio, resample } from '../../src/core/task/vad-wav.ts';

interface WavFields {
  format?: number;
  channels?: number;
  sampleRate?: number;
  byteRate?: number;
  blockAlign?: number;
  bits?: number;
  /** The data chunk's declared size (defaults to the real one). */
  dataSize?: number;
}

/** A WAV file from interleaved samples; any header field can be overridden to lie. */
function wav(samples: readonly number[], f: WavFields = {}): Uint8Array {
  const format = f.format ?? 1;
  const channels = f.channels ?? 1;
  const bits = f.bits ?? (format === 3 ? 32 : 16);
  const sampleRate = f.sampleRate ?? 16000;
  const blockAlign = f.blockAlign ?? channels * (bits / 8);
  const byteRate = f.byteRate ?? sampleRate * blockAlign;
  const body = samples.length * (bits / 8);
  const buf = new DataView(new ArrayBuffer(44 + body));
  const text = (at: number, s: string) => [...s].forEach((c, i) => buf.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  buf.setUint32(4, 36 + body, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  buf.setUint32(16, 16, true);
  buf.setUint16(20, format, true);
  buf.setUint16(22, channels, true);
  buf.setUint32(24, sampleRate, true);
  buf.setUint32(28, byteRate, true);
  buf.setUint16(32, blockAlign, true);
  buf.setUint16(34, bits, true);
  text(36, 'data');
  buf.setUint32(40, f.dataSize ?? body, true);
  samples.forEach((s, i) => {
    if (bits === 32) buf.setFloat32(44 + 4 * i, s, true);
    else if (bits === 16) buf.setInt16(44 + 2 * i, Math.min(32767, Math.round(s * 32768)), true);
    else buf.setUint8(44 + i, Math.round(128 + s * 127));
  });
  return new Uint8Array(buf.buffer);
}

const tone = (hz: number, rate: number, seconds: number, amp = 0.5) =>
  Array.from({ length: Math.round(rate * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));
const peak = (x: Float32Array, from: number, to: number) => x.subarray(from, to).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('parseWav', () => {
  it('reads the committed clip as sox wrote it: 16 kHz mono 16-bit, every sample', () => {
    const bytes = readFileSync('test/fixtures/audio/speech-clip.wav');
    const truth = JSON.parse(readFileSync('test/fixtures/audio/speech-clip.json', 'utf8')) as { samples: number };
    const a = parseWav(bytes, 'speech-clip.wav');
    expect(a).toMatchObject({ sampleRate: 16000, encoding: 'pcm16', frames: truth.samples });
    expect(a.channels).toHaveLength(1);
    expect(peak(a.channels[0]!, 0, 800)).toBe(0); // the leading silence is digital silence
    expect(peak(a.channels[0]!, 0, a.frames)).toBeGreaterThan(0.1);
  });

  it('reads 16-bit PCM to [-1, 1) and 32-bit float as is, channel by channel', () => {
    const pcm = parseWav(wav([0.5, -0.5, 1, -1], { channels: 2 }), 'pcm.wav');
    expect(pcm).toMatchObject({ frames: 2, encoding: 'pcm16' });
    expect(Array.from(pcm.channels[0]!)).toEqual([16384 / 32768, 32767 / 32768]);
    expect(Array.from(pcm.channels[1]!)).toEqual([-0.5, -1]);
    const flt = parseWav(wav([0.25, -0.125, 0.75], { format: 3, sampleRate: 44100 }), 'float.wav');
    expect(flt).toMatchObject({ sampleRate: 44100, encoding: 'float32', frames: 3 });
    expect(Array.from(flt.channels[0]!)).toEqual([0.25, -0.125, 0.75]);
  });

  it.each<[string, Uint8Array, RegExp]>([
    ['empty', new Uint8Array(0), /"x.wav" is not usable audio: the file is empty\. Should be a RIFF\/WAVE file of 16-bit PCM or 32-bit float samples\./],
    ['not audio', new TextEncoder().encode('{"segments": []} and some more text'), /no RIFF\/WAVE header \(35 bytes, starting "\{"se"\)/],
    ['data size past the end', wav([0.1, 0.2], { dataSize: 4000 }), /its data chunk says 4000 bytes but only 4 follow \(a lying header, or a cut file\)/],
    ['a wrong byte rate', wav([0.1, 0.2], { byteRate: 44100 }), /its byte rate is 44100, but 16000 Hz × 2 bytes per frame make 32000/],
    ['zero channels', wav([0.1, 0.2], { channels: 0, blockAlign: 2 }), /its header says 0 channels/],
    ['a wrong block align', wav([0.1, 0.2], { blockAlign: 4, byteRate: 64000 }), /its block align is 4 bytes, but 1 channel\(s\) of 16 bits make 2/],
    ['a zero sample rate', wav([0.1, 0.2], { sampleRate: 0 }), /a sample rate of 0 Hz/],
    ['8-bit PCM', wav([0.1, 0.2], { bits: 8 }), /its samples are integer PCM at 8 bits/],
    ['MP3 inside a WAV', wav([0.1, 0.2], { format: 0x55 }), /format 0x0055 \(MP3\)/],
    ['a partial frame', wav([0.1, 0.2, 0.3], { channels: 2 }), /its data chunk is 6 bytes, not a whole number of 4-byte frames/],
    ['no samples', wav([]), /its data chunk holds no samples/],
  ])('refuses %s, naming the file and what is wrong', (_, bytes, message) => {
    expect(() => parseWav(bytes, 'x.wav')).toThrow(message);
    expect(() => parseWav(bytes, 'x.wav')).toThrow(expect.objectContaining({ name: 'InvalidInputError' }));
  });

  it('refuses a cut file whose data chunk runs past the end', () => {
    const whole = readFileSync('test/fixtures/audio/speech-clip.wav');
    expect(() => parseWav(whole.subarray(0, 1000), 'cut.wav')).toThrow(/"cut.wav" is not usable audio: its data chunk says 220266 bytes but only 956 follow/);
  });
});

describe('mixdown and resample', () => {
  it('mixes channels to their mean', () => {
    expect(Array.from(mixdown([Float32Array.from([1, 0.5]), Float32Array.from([0, -0.5])]))).toEqual([0.5, 0]);
  });

  it('keeps a 1 kHz tone through 48 kHz → 16 kHz and 8 kHz → 16 kHz, at its amplitude and length', () => {
    for (const from of [48000, 8000, 44100]) {
      const out = resample(Float32Array.from(tone(1000, from, 0.5)), from, 16000);
      expect(out.length).toBe(8000);
      // Away from the edges (where the kernel runs out of input) the tone is intact: peak 0.5, and the value at
      // each output sample is the tone's there.
      expect(peak(out, 400, 7600)).toBeCloseTo(0.5, 2);
      const expected = tone(1000, 16000, 0.5);
      for (let i = 400; i < 7600; i += 97) expect(out[i]).toBeCloseTo(expected[i]!, 2);
    }
  });

  it('removes what 16 kHz cannot hold instead of folding it into the speech band', () => {
    // 12 kHz at 48 kHz would alias to 4 kHz if decimated naively.
    const out = resample(Float32Array.from(tone(12000, 48000, 0.5)), 48000, 16000);
    expect(peak(out, 400, 7600)).toBeLessThan(0.01);
  });

  it('prepareAudio says what it did: mixed down, resampled from the file rate', () => {
    const stereo48k = tone(440, 48000, 0.25).flatMap((v) => [v, v]);
    const a = prepareAudio(wav(stereo48k, { format: 3, channels: 2, sampleRate: 48000 }), 'talk.wav', 16000);
    expect(a).toMatchObject({ sampleRate: 16000, resampledFrom: 48000, mixedFrom: 2, durationMs: 250 });
    expect(a.samples.length).toBe(4000);
    expect(a.notes).toEqual(['"talk.wav" has 2 channels: mixed down to mono.', '"talk.wav" is at 48000 Hz: resampled to 16000 Hz, the rate the model takes.']);
    const same = prepareAudio(wav(tone(440, 16000, 0.1)), 'ok.wav', 16000);
    expect(same.notes).toEqual([]);
    expect(same).not.toHaveProperty('resampledFrom');
  });
});
