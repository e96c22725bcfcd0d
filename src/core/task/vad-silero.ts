/**
 * Silero VAD v5 as its own Python wrapper feeds it, as pure logic: the framing (512 new samples at 16 kHz behind
 * the 64 samples before them) and the frame loop over an abstract step, so that the same loop runs on
 * onnxruntime-web in Node tests and in the worker.
 */

/**
 * The model's input is [batch, samples] with both dimensions free, so the graph accepts 512 samples as readily as
 * 576; silero-vad's OnnxWrapper (src/silero_vad/utils_vad.py) prepends the last 64 samples of the previous chunk
 * (zeros before the first) and feeds 576. Its STFT then sees the same window layout the model was trained on.
 * (@ricky0123/vad-web, where the bundled file comes from, feeds 512 without context; this follows upstream.)
 */
export const SILERO_V5 = Object.freeze({ sampleRate: 16000, frameSamples: 512, contextSamples: 64, stateShape: [2, 1, 128] as const });

/** Milliseconds of audio per frame: 32 ms. */
export const SILERO_FRAME_MS = (SILERO_V5.frameSamples / SILERO_V5.sampleRate) * 1000;

/** Frames a clip makes: the last one is zero-padded to 512 samples, as upstream pads it. */
export const frameCount = (samples: number): number => Math.ceil(samples / SILERO_V5.frameSamples);

/** Frame `i`'s model input (context + frame, 576 samples) written into `out`, which is returned. */
export function frameInput(audio: Float32Array, i: number, out = new Float32Array(SILERO_V5.contextSamples + SILERO_V5.frameSamples)): Float32Array {
  const { frameSamples, contextSamples } = SILERO_V5;
  const from = i * frameSamples - contextSamples;
  for (let k = 0; k < out.length; k++) {
    const at = from + k;
    out[k] = at >= 0 && at < audio.length ? audio[at]! : 0;
  }
  return out;
}

/** One model call: a frame's input and the recurrent state in, the speech probability and the next state out. */
export type VadStep<S> = (input: Float32Array, state: S) => Promise<{ prob: number; state: S }>;

export interface VadPass {
  /** Speech probability per 32 ms frame. */
  probs: number[];
  /** Wall time of the whole pass (every frame, state carried), from the given clock. */
  ms: number;
}

/** Run the model over the whole clip, carrying the state from frame to frame. */
export async function runVad<S>(audio: Float32Array, step: VadStep<S>, initial: S, now: () => number): Promise<VadPass> {
  const n = frameCount(audio.length);
  const probs = new Array<number>(n);
  const input = new Float32Array(SILERO_V5.contextSamples + SILERO_V5.frameSamples);
  let state = initial;
  const t0 = now();
  for (let i = 0; i < n; i++) {
    // The step may keep a reference to `input` only until it resolves: the next frame overwrites it.
    const r = await step(frameInput(audio, i, input), state);
    probs[i] = r.prob;
    state = r.state;
  }
  return { probs, ms: now() - t0 };
}

/** Processing time over audio time: 0.01 means a second of audio takes 10 ms. */
export const realTimeFactor = (processingMs: number, audioMs: number): number => (audioMs > 0 ? processingMs / audioMs : Number.NaN);
