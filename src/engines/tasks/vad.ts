/**
 * The VAD pipeline (Silero v5): a WAV file → mono 16 kHz → one model call per 32 ms frame with the recurrent state
 * carried across frames → speech probability per frame → speech segments. Each iteration is one pass over the
 * whole clip from a zero state; the real-time factor is a pass's median time over the clip's duration. The pure
 * parts are src/core/task/vad-*.ts; the step is vad-step.ts, shared with the Node tests.
 */
import { asSamples, summarize } from '../../core/stats.ts';
import { speechSegments } from '../../core/task/vad-segments.ts';
import { segmentF1 } from '../../core/task/vad-score.ts';
import { realTimeFactor, runVad, SILERO_FRAME_MS, SILERO_V5 } from '../../core/task/vad-silero.ts';
import { prepareAudio } from '../../core/task/vad-wav.ts';
import type { RunSpec } from '../../core/spec.ts';
import { fetchModelBytes } from '../fetch-model.ts';
import { createSession, runtime } from '../ort-engine.ts';
import { TaskAbortedError, timed, type TaskContext } from './common.ts';
import { sileroInitialState, sileroStep } from './vad-step.ts';

/** Probabilities are stored to 4 decimals: enough to redraw the curve and re-threshold, a fifth of the JSON. */
const round4 = (p: number): number => Math.round(p * 1e4) / 1e4;

export async function runVadTask(spec: RunSpec, { result, onProgress, aborted }: TaskContext): Promise<void> {
  const task = spec.task!;
  const { name, bytes } = task.input;
  // Bad audio (not a WAV, a lying header) throws InvalidInputError naming the file before any model loads.
  const audio = prepareAudio(bytes, name, SILERO_V5.sampleRate);
  result.pipeline = {
    kind: 'vad',
    input: {
      name,
      bytes: bytes.byteLength,
      sampleRate: audio.sampleRate,
      durationMs: audio.durationMs,
      ...(audio.resampledFrom ? { resampledFrom: audio.resampledFrom } : {}),
    },
    stages: [],
    totalMs: 0,
  };
  const stage = task.stages.find((s) => s.name === 'vad');
  if (!stage) throw new Error(`The VAD pipeline needs a "vad" stage; the spec has ${task.stages.map((s) => s.name).join(', ') || 'none'}.`);
  const ref = stage.model;

  const t0 = performance.now();
  const fetched = await timed(() => fetchModelBytes(ref.id, ref.url, onProgress));
  result.model.bytes = fetched.value.byteLength;
  result.timings.fetchMs = fetched.ms;
  onProgress({ phase: 'session' });
  const opened = await timed(() => createSession({ ...spec, model: ref }, fetched.value));
  const session = opened.value;
  result.timings.sessionMs = opened.ms;
  result.timings.loadMs = performance.now() - t0;
  try {
    const modelStep = sileroStep(runtime().Tensor, session);
    // A long file is thousands of frames: the abort is looked at before each one, not only between passes.
    const step: typeof modelStep = (input, state) => {
      if (aborted()) throw new TaskAbortedError('Aborted by the user during a VAD pass.');
      return modelStep(input, state);
    };
    const pass = () => runVad(audio.samples, step, sileroInitialState(runtime().Tensor), () => performance.now());

    // Warm-up passes (0: none, and the first measured pass is also the first run), as the OCR runner has them.
    const warmups = Math.max(0, spec.workload.warmup);
    for (let i = 0; i < warmups; i++) {
      const w = await pass();
      if (i === 0) result.timings.firstRunMs = w.ms;
      onProgress({ phase: 'warmup', done: i + 1, total: warmups });
    }
    result.timings.warmup = { runs: warmups, ms: 0, stop: 'fixed' };
    const iterations = Math.max(1, spec.workload.iterations);
    const totals: number[] = [];
    let probs: number[] = [];
    // Like a model's run: at most `iterations`, stopping once the time budget is spent (one pass at least).
    const budget = spec.workload.timeBudgetMs ?? Infinity;
    const measureStart = performance.now();
    for (let i = 0; i < iterations && (i === 0 || performance.now() - measureStart < budget); i++) {
      if (aborted()) throw new TaskAbortedError(`Aborted by the user after ${i} of ${iterations} iterations.`);
      const p = await pass();
      probs = p.probs;
      totals.push(p.ms);
      if (warmups === 0 && i === 0) result.timings.firstRunMs = p.ms;
      onProgress({ phase: 'measure', done: i + 1, total: iterations });
    }
    const stats = summarize(asSamples(totals)!);
    result.timings.samplesMs = totals;
    result.timings.latency = stats;
    const segments = speechSegments(probs, SILERO_V5.frameSamples, audio.samples.length, SILERO_V5.sampleRate);
    result.pipeline.stages = [{ name: 'vad', model: ref.id, level: ref.dtype, ms: stats }];
    result.pipeline.totalMs = stats.p50Ms;
    result.pipeline.vad = { frameMs: SILERO_FRAME_MS, probs: probs.map(round4), segments, realTimeFactor: realTimeFactor(stats.p50Ms, audio.durationMs) };
    if (task.expectedSegments) result.pipeline.accuracy = { segmentF1: segmentF1(task.expectedSegments, segments).f1 };
  } finally {
    await session.release().catch(() => undefined);
  }
}
