/**
 * Silero v5's step on onnxruntime-web: a frame and the recurrent state in, the speech probability and the next
 * state out. It takes the runtime's Tensor class as an argument (types only from onnxruntime-web), so the worker
 * passes the build it loaded and the Node tests pass onnxruntime-web's Node entry: one step, both places.
 */
import type * as Ort from 'onnxruntime-web';
import { SILERO_V5, type VadStep } from '../../core/task/vad-silero.ts';

type TensorClass = typeof Ort.Tensor;

/** The zero state Silero starts from (and resets to per clip). */
export const sileroInitialState = (Tensor: TensorClass): Ort.Tensor =>
  new Tensor('float32', new Float32Array(SILERO_V5.stateShape.reduce<number>((a, b) => a * b, 1)), [...SILERO_V5.stateShape]);

/**
 * A step over a Silero v5 session (inputs input/state/sr, outputs output/stateN). The state tensor the model
 * returns is fed back as is: no copy between frames.
 */
export function sileroStep(Tensor: TensorClass, session: Ort.InferenceSession): VadStep<Ort.Tensor> {
  const sr = new Tensor('int64', BigInt64Array.from([BigInt(SILERO_V5.sampleRate)]), []);
  const [probName = 'output', stateName = 'stateN'] = session.outputNames;
  return async (input, state) => {
    const out = await session.run({ input: new Tensor('float32', input, [1, input.length]), state, sr });
    const prob = out[probName]!.data as Float32Array;
    return { prob: prob[0]!, state: out[stateName]! };
  };
}
