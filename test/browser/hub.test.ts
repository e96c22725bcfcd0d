// The hub code path, offline: a server on 127.0.0.1 serves the bundled models in the Hugging Face Hub's URL
// layout, and the app's hub host points at it. Covers a download with progress, a 404, a 500, a slow response
// and an interrupted download (errored, then the finished files are reused from the cache on the next run).
import { cpSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SuiteEvent } from '../../src/client/suite.ts';
import type { SuitePlan } from '../../src/core/plan.ts';
import { startHubServer, type HubServer } from '../fixtures/hub-server.ts';
import { useApp } from './fixture.ts';

let hub: HubServer;
const events: SuiteEvent[] = [];
beforeAll(async () => {
  // The bundled models, and a copy of tiny-llama with a malformed tokenizer.json, on one host: the app's CSP allows
  // the page its hub host's origin only, so a second server (another port) would be refused.
  const root = mkdtempSync(join(tmpdir(), 'ondevice-hub-'));
  for (const entry of readdirSync('models/bundled')) symlinkSync(resolve('models/bundled', entry), join(root, entry));
  cpSync('models/bundled/tiny-llama', join(root, 'broken-llama'), { recursive: true });
  writeFileSync(join(root, 'broken-llama', 'tokenizer.json'), '{"model": {"type": "BPE", "vocab": ');
  hub = await startHubServer(root);
});
afterAll(async () => hub?.close());
// The app's CSP lets the page fetch from its hub host only: the server is told it (read when the app opens, after the hub started).
const app = useApp({
  onEvent: (e) => events.push(e),
  get hubHost() {
    return hub.url;
  },
});

const plan = (model: string, over: Partial<SuitePlan> = {}): SuitePlan => ({
  models: [model],
  devices: ['wasm'],
  dtypes: ['q8'],
  hubHost: hub.url,
  workload: { iterations: 1, warmup: 1, timeBudgetMs: 0, generation: { prompt: 'From the hub', maxNewTokens: 4 } },
  ...over,
});
const requestsFor = (file: string) => hub.requests.filter((p) => p.endsWith(file)).length;

it('downloads a hub model with progress and runs it on both engines, all on loopback', async () => {
  events.length = 0;
  const results = await app.runSuite(plan('hub:ondevice/tiny-llama'));
  expect(results.map((r) => `${r.engine}:${r.state}`)).toEqual(['ort:completed', 'transformers:completed']);
  for (const r of results) {
    expect(r.model.source).toBe('hub');
    expect(r.model.bytes).toBeGreaterThan(0);
  }
  expect(results[0]!.generation!.tokens).toEqual(results[1]!.generation!.tokens);
  expect(requestsFor('/ondevice/tiny-llama/resolve/main/onnx/model_quantized.onnx')).toBeGreaterThanOrEqual(1);
  // Download progress by file reached the page.
  const downloads = events.flatMap((e) => (e.type === 'run-progress' && (e.progress.phase === 'download' || e.progress.phase === 'fetch') ? [e.progress] : []));
  expect(downloads.length).toBeGreaterThan(0);
  expect(app.requests.every((u) => /^(http:\/\/127\.0\.0\.1[:/]|blob:|data:)/.test(u))).toBe(true);
});

it('a hub id that does not exist is an errored result naming the URL', async () => {
  const results = await app.runSuite(plan('hub:ondevice/no-such-model'));
  for (const r of results) {
    expect(r.state, r.engine).toBe('errored');
    expect(r.error!.message, r.engine).toMatch(/404|not (be )?found|Could not locate/i);
    expect(r.error!.message, r.engine).toMatch(/no-such-model/);
  }
});

it('a server error is an errored result with its status', async () => {
  hub.faults.set('tiny-bert/resolve/main/config.json', { kind: 'status', status: 500 });
  try {
    const results = await app.runSuite(plan('hub:ondevice/tiny-bert', { task: 'feature-extraction', engines: ['transformers', 'ort'] }));
    const tf = results.find((r) => r.engine === 'transformers')!;
    expect(tf.state).toBe('errored');
    expect(tf.error!.message).toMatch(/500|Internal/);
  } finally {
    hub.faults.clear();
  }
});

it('a slow response is waited for, and shows in the load time', async () => {
  hub.faults.set('onnx/model_uint8.onnx', { kind: 'slow', delayMs: 1500 });
  try {
    const results = await app.runSuite(plan('hub:ondevice/tiny-llama', { dtypes: ['uint8'], engines: ['ort'] }));
    expect(results[0]!.state).toBe('completed');
    expect(results[0]!.timings.loadMs).toBeGreaterThanOrEqual(1500);
  } finally {
    hub.faults.clear();
  }
});

it('an interrupted download is an errored result; the next run reuses the files that finished', async () => {
  hub.faults.set('onnx/model_q4.onnx', { kind: 'interrupt', afterBytes: 2048 });
  let results = await app.runSuite(plan('hub:ondevice/tiny-llama', { dtypes: ['q4'] }));
  for (const r of results) {
    expect(r.state, r.engine).toBe('errored');
  }
  expect(results.find((r) => r.engine === 'ort')!.error!.message).toMatch(/interrupted after \d+ of \d+ bytes/);
  hub.faults.clear();
  const tokenizerFetches = requestsFor('tiny-llama/resolve/main/tokenizer.json');
  const q4Fetches = requestsFor('onnx/model_q4.onnx');
  results = await app.runSuite(plan('hub:ondevice/tiny-llama', { dtypes: ['q4'], engines: ['transformers'] }));
  expect(results[0]!.state, results[0]!.error?.message).toBe('completed');
  // transformers.js cached tokenizer.json in the first attempt; only the model file is fetched again.
  expect(requestsFor('tiny-llama/resolve/main/tokenizer.json')).toBe(tokenizerFetches);
  expect(requestsFor('onnx/model_q4.onnx')).toBeGreaterThan(q4Fetches);
  // And a third run takes everything from the cache.
  const before = hub.requests.length;
  results = await app.runSuite(plan('hub:ondevice/tiny-llama', { dtypes: ['q4'], engines: ['transformers'] }));
  expect(results[0]!.state).toBe('completed');
  expect(hub.requests.slice(before).filter((p) => p.endsWith('.onnx'))).toEqual([]);
});

it('a malformed tokenizer.json is an errored result naming the file, on both engines', async () => {
  const results = await app.runSuite(plan('hub:ondevice/broken-llama'));
  for (const r of results) {
    expect(r.state, r.engine).toBe('errored');
    expect(r.error!.message, r.engine).toMatch(/tokenizer\.json|JSON/);
  }
  expect(results.find((r) => r.engine === 'ort')!.error!.message).toMatch(/tokenizer\.json of model "ondevice\/broken-llama" .* is not valid JSON/);
});
