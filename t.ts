import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { buildMlp } from './src/onnx/build-mlp.ts';
import { quantizeModel, QUANTIZE_LEVELS } from './src/onnx/quantize.ts';
import { seededRandom } from './src/core/inputs.ts';
const src = process.argv[2];
const fp32 = src ? new Uint8Array(readFileSync(src)) : buildMlp({ input: 256, hidden: [512, 512], output: 64 });
const shape = src ? JSON.parse(process.argv[3]!) as number[] : [4, 256];
const rnd = seededRandom(3);
const x = new ort.Tensor('float32', Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd()), shape);
const inName = src ? (await ort.InferenceSession.create(fp32)).inputNames[0]! : 'x';
const ref = await (await ort.InferenceSession.create(fp32)).run({ [inName]: x });
const refOut = Object.values(ref)[0]!.data as Float32Array;
console.log('fp32', fp32.length);
for (const level of QUANTIZE_LEVELS) {
  try {
    const { bytes, report } = quantizeModel(fp32, level);
    let msg = '';
    try {
      const s = await ort.InferenceSession.create(bytes);
      const out = Object.values(await s.run({ [inName]: x }))[0]!.data as Float32Array;
      let m = 0; for (let i = 0; i < out.length; i++) m = Math.max(m, Math.abs(out[i]! - refOut[i]!));
      msg = `maxAbsDiff ${m.toExponential(2)}`;
    } catch (e) { msg = 'RUN FAIL ' + String((e as Error).message).slice(0, 200); }
    console.log(level, bytes.length, (bytes.length / fp32.length).toFixed(3), 'q', report.quantized.length, 'skip', report.skipped.length, JSON.stringify(report.untouchedOps), msg);
  } catch (e) { console.log(level, 'QUANT FAIL', (e as Error).stack?.slice(0, 400)); }
}
