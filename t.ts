import * as ort from 'onnxruntime-web';
import { buildMlp } from './src/onnx/build-mlp.ts';
import { decodeModel, encodeModel } from './src/onnx/model.ts';
import { exposeAllValues } from './src/onnx/inspect.ts';
const m = decodeModel(buildMlp({ input: 256, hidden: [512, 512], output: 64, seed: 7 }));
console.log(m.graph!.node.map(n => `${n.opType}(${n.input}) -> ${n.output}`).join('\n'));
const s = await ort.InferenceSession.create(encodeModel(exposeAllValues(m)));
const out = await s.run({ x: new ort.Tensor('float32', new Float32Array(4*256), [4,256]) });
console.log(Object.entries(out).map(([k, t]) => `${k}:${t.dims}`).join(' '));
