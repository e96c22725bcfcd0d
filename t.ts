import { openApp } from './src/cli/driver.ts';
import { compareOutputs } from './src/core/fidelity.ts';
const s = await openApp();
const models = process.argv.slice(2);
for (const m of models) {
  const [id, shape] = m.split(':');
  const inputs = shape ? { x: { shape: shape.split(',').map(Number) } } : {};
  const rs = await s.runSuite({ models: [id!], devices: ['wasm', 'webgpu'], dtypes: ['fp32'], workload: { iterations: 1, warmup: 1, inputs, captureOutputs: true } });
  const [a, b] = rs;
  console.log(m, a!.state, b!.state, b!.error?.message, JSON.stringify(compareOutputs(a!.outputs!, b!.outputs!)));
  for (const o of a!.outputs!) console.log(' wasm', o.name, o.dims, o.values.slice(0, 6).map(v=>v.toFixed(4)).join(' '));
  for (const o of b!.outputs!) console.log(' gpu ', o.name, o.dims, o.values.slice(0, 6).map(v=>v.toFixed(4)).join(' '));
}
await s.close();
