import { openApp } from './src/cli/driver.ts';
const s = await openApp({ onEvent: (e) => { if (e.type !== 'run-progress') console.log(e.type, e.type === 'run-end' ? JSON.stringify({st: e.result.state, dev: e.result.device, m: e.result.model.id, p50: e.result.timings.latency?.p50Ms, first: e.result.timings.firstRunMs, load: e.result.timings.loadMs, err: e.result.error, mem: e.result.memory, thr: e.result.env?.numThreads}) : ''); } });
s.page.on('console', (m) => console.log('console:', m.text()));
console.log(JSON.stringify(await s.page.evaluate(() => window.ondevice.capabilities())));
const t = Date.now();
await s.runSuite({ models: ['ppocr-v4-rec', 'ppocr-v4-det'], devices: ['webgpu','wasm'], dtypes: ['fp32'], workload: { iterations: 2, warmup: 1 } });
console.log('took', Date.now() - t, 'requests', new Set(s.requests.map(u => new URL(u).host)));
await s.close();
