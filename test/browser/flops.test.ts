// Every completed run carries its model's parameters and FLOPs, counted after the run in a worker of its own:
// a bundled model's equal the inspector's; a language model's are per generated token, with the weight bytes it reads.
import { expect, it } from 'vitest';
import type { SuiteEvent } from '../../src/client/suite.ts';
import { useApp } from './fixture.ts';

const events: SuiteEvent[] = [];
const app = useApp({ onEvent: (e) => events.push(e) });

it('mlp-1m fp32 on wasm: params = the inspector’s count, FLOPs its count at the run’s input shape', async () => {
  const [r] = await app.runSuite({ models: ['mlp-1m'], devices: ['wasm'], dtypes: ['fp32'], engines: ['ort'], workload: { iterations: 2, warmup: 1 } });
  expect(r!.state, r!.error?.message).toBe('completed');
  const inspected = await app.page.evaluate(() => window.ondevice.inspect('mlp-1m'));
  expect(r!.model.params).toBe(inspected.inspection.params);
  expect(r!.model.flops).toBeGreaterThan(0);
  expect(r!.model.flops).toBe(inspected.flops!.flops);
  expect(r!.model.flopsBasis).toMatch(/^per inference at x\[1,256\]/);
  // The count happens after the run's worker is gone: the CLI's OS sampling window closes first.
  const kinds = events.map((e) => e.type);
  expect(kinds.indexOf('run-measured')).toBeLessThan(kinds.indexOf('run-end'));
  const end = events.find((e) => e.type === 'run-end');
  expect(end?.type === 'run-end' && end.countMs).toBeGreaterThan(0);
}, 120_000);

it('tiny-llama on wasm (ort): FLOPs per generated token and the weight bytes each token reads', async () => {
  const [r] = await app.runSuite({
    models: ['tiny-llama'],
    devices: ['wasm'],
    dtypes: ['fp32'],
    engines: ['ort'],
    workload: { iterations: 1, warmup: 0, generation: { prompt: 'flops', maxNewTokens: 4 } },
  });
  expect(r!.state, r!.error?.message).toBe('completed');
  const inspected = await app.page.evaluate(() => window.ondevice.inspect('tiny-llama'));
  expect(r!.model.params).toBe(inspected.inspection.params);
  expect(r!.model.flops).toBeGreaterThan(0);
  expect(r!.model.flopsBasis).toMatch(/^per generated token at the mean decode context .* \+ attention 4 × 2 layers × 4 heads × 16/);
  // Every weight but the embedding table (one row of it per token).
  expect(r!.model.weightBytesPerToken).toBeGreaterThan(0);
  expect(r!.model.weightBytesPerToken).toBeLessThan(r!.model.bytes!);
}, 120_000);

it('tiny-bert-sst on transformers.js: FLOPs at the tokenizer’s shapes, from the same ONNX file', async () => {
  const [r] = await app.runSuite({
    models: ['tiny-bert-sst'],
    devices: ['wasm'],
    dtypes: ['fp32'],
    engines: ['transformers'],
    workload: { iterations: 2, warmup: 1 },
  });
  expect(r!.state, r!.error?.message).toBe('completed');
  const ids = r!.workload.inputs.find((i) => i.name === 'input_ids')!;
  expect(r!.model.flops).toBeGreaterThan(0);
  expect(r!.model.flopsBasis).toContain(`input_ids[${ids.dims.join(',')}]`);
}, 120_000);
