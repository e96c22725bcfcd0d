/**
 * WAV files in, mono 16 kHz samples out: the RIFF parser (16-bit PCM and 32-bit float, plain or
 * WAVE_FORMAT_EXTENSIBLE), the mixdown to mono and the resampler. A header that lies is refused with what it says
 * and what the file holds; nothing past the file's end is ever read.
 */
import { InvalidInputError } from '../vocab.ts';

/** The two sample encodings read: what espeak-ng, sox, Audacity and the Web Audio API write by default. */
export const WAV_ENCODINGS = ['pcm16', 'float32'] as const;
export type WavEncoding = (typeof WAV_ENCODINGS)[number];

export interface WavAudio {
  sampleRate: number;
  encoding: WavEncoding;
  /** One Float32Array per channel, in [-1, 1) for PCM. */
  channels: Float32Array[];
  /** Frames (samples per channel). */
  frames: number;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
const VALID = 'a RIFF/WAVE file of 16-bit PCM or 32-bit float samples';

const ascii = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** Read a WAV file's samples; `name` is the input's name as the user gave it, for the message. */
export function parseWav(bytes: Uint8Array, name: string): WavAudio {
  const refuse = (what: string): never => {
    throw new InvalidInputError(`"${name}" is not usable audio: ${what}. Should be ${VALID}.`);
  };
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') {
    refuse(bytes.length === 0 ? 'the file is empty' : `no RIFF/WAVE header (${bytes.length} bytes, starting "${printable(bytes.subarray(0, 4))}")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { format: number; channels: number; sampleRate: number; byteRate: number; blockAlign: number; bits: number } | undefined;
  let data: { at: number; size: number } | undefined;
  // Chunks: 4-byte id, 4-byte little-endian size, the body, a pad byte after an odd size.
  for (let at = 12; at + 8 <= bytes.length && !data;) {
    const id = ascii(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length)
        refuse(`its fmt chunk is ${size} bytes${body + size > bytes.length ? ', past the end of the file' : ', under the 16 a format needs'}`);
      let format = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first two bytes of its sub-format GUID.
      if (format === FORMAT_EXTENSIBLE && size >= 40) format = view.getUint16(body + 24, true);
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        byteRate: view.getUint32(body + 8, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) refuse('its data chunk comes before any fmt chunk');
      if (body + size > bytes.length) refuse(`its data chunk says ${size} bytes but only ${bytes.length - body} follow (a lying header, or a cut file)`);
      data = { at: body, size };
    }
    at = body + size + (size % 2);
  }
  if (!fmt) return refuse('no fmt chunk');
  if (!data) return refuse('no data chunk');
  const { format, channels, sampleRate, byteRate, blockAlign, bits } = fmt;
  const encoding: WavEncoding | undefined = format === FORMAT_PCM && bits === 16 ? 'pcm16' : format === FORMAT_FLOAT && bits === 32 ? 'float32' : undefined;
  if (!encoding) refuse(`its samples are ${formatName(format)} at ${bits} bits`);
  if (channels === 0) refuse('its header says 0 channels');
  if (sampleRate === 0) refuse('its header says a sample rate of 0 Hz');
  const frameBytes = channels * (bits / 8);
  if (blockAlign !== frameBytes) refuse(`its block align is ${blockAlign} bytes, but ${channels} channel(s) of ${bits} bits make ${frameBytes}`);
  if (byteRate !== sampleRate * blockAlign) {
    refuse(`its byte rate is ${byteRate}, but ${sampleRate} Hz × ${blockAlign} bytes per frame make ${sampleRate * blockAlign}`);
  }
  if (data.size % blockAlign !== 0) refuse(`its data chunk is ${data.size} bytes, not a whole number of ${blockAlign}-byte frames`);
  const frames = data.size / blockAlign;
  if (frames === 0) refuse('its data chunk holds no samples');
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) {
      const at = data.at + f * blockAlign + c * (bits / 8);
      out[c]![f] = encoding === 'pcm16' ? view.getInt16(at, true) / 32768 : view.getFloat32(at, true);
    }
  }
  return { sampleRate, encoding: encoding!, channels: out, frames };
}

function formatName(format: number): string {
  if (format === FORMAT_PCM) return 'integer PCM';
  if (format === FORMAT_FLOAT) return 'IEEE float';
  return `format 0x${format.toString(16).padStart(4, '0')} (${format === 0x55 ? 'MP3' : format === 6 ? 'A-law' : format === 7 ? 'µ-law' : 'not PCM'})`;
}

const printable = (b: Uint8Array): string => Array.from(b, (c) => (c >= 32 && c < 127 ? String.fromCharCode(c) : '.')).join('');

/** The channels' mean, frame by frame (what Silero's own read_audio does with stereo). */
export function mixdown(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const n = channels[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (const ch of channels) for (let i = 0; i < n; i++) out[i]! += ch[i]!;
  for (let i = 0; i < n; i++) out[i]! /= channels.length;
  return out;
}

/** Half-width of the resampling kernel, in zero crossings of the lower rate's sinc: 16 keeps the passband flat to ~0.9 × Nyquist. */
const SINC_ZEROS = 16;

/**
 * Band-limited resampling: each output sample is a Hann-windowed sinc sum over the input, with the cutoff at the
 * lower of the two Nyquist frequencies, so downsampling does not fold high frequencies into the speech band.
 */
export function resample(input: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return input;
  if (!(from > 0 && to > 0)) throw new InvalidInputError(`Cannot resample from ${from} Hz to ${to} Hz: both rates must be positive.`);
  const ratio = to / from;
  const n = Math.max(1, Math.round(input.length * ratio));
  const out = new Float32Array(n);
  const cutoff = Math.min(1, ratio); // in units of the input's Nyquist
  const half = SINC_ZEROS / cutoff; // kernel half-width in input samples
  for (let j = 0; j < n; j++) {
    const centre = j / ratio;
    const lo = Math.max(0, Math.ceil(centre - half));
    const hi = Math.min(input.length - 1, Math.floor(centre + half));
    let acc = 0;
    for (let i = lo; i <= hi; i++) {
      const t = i - centre;
      const x = t * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const window = 0.5 + 0.5 * Math.cos((Math.PI * t) / half);
      acc += input[i]! * sinc * window;
    }
    out[j] = acc * cutoff;
  }
  return out;
}

/** Audio ready for a 16 kHz model, with what was done to it: the task record's `input` and a note for the user. */
export interface PreparedAudio {
  samples: Float32Array;
  sampleRate: number;
  durationMs: number;
  /** The file's own rate when it was not the model's (the samples were resampled from it). */
  resampledFrom?: number;
  /** Channels mixed down to mono, when there were several. */
  mixedFrom?: number;
  /** Sentences for the user: what was changed, in plain words. */
  notes: string[];
}

/** Parse, mix down to mono and resample to `rate` (16 kHz for Silero), saying what was done. */
export function prepareAudio(bytes: Uint8Array, name: string, rate: number): PreparedAudio {
  const wav = parseWav(bytes, name);
  const notes: string[] = [];
  const mono = mixdown(wav.channels);
  if (wav.channels.length > 1) notes.push(`"${name}" has ${wav.channels.length} channels: mixed down to mono.`);
  const samples = resample(mono, wav.sampleRate, rate);
  if (wav.sampleRate !== rate) notes.push(`"${name}" is at ${wav.sampleRate} Hz: resampled to ${rate} Hz, the rate the model takes.`);
  return {
    samples,
    sampleRate: rate,
    durationMs: (samples.length / rate) * 1000,
    ...(wav.sampleRate !== rate ? { resampledFrom: wav.sampleRate } : {}),
    ...(wav.channels.length > 1 ? { mixedFrom: wav.channels.length } : {}),
    notes,
  };
}
