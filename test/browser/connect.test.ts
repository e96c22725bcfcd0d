// Remote browsers through --connect: two Playwright browser servers run one suite, one is killed half way, the merged
// log keeps what it finished and records the rest aborted, --resume fills only that in on a fresh server; and the
// endpoints that cannot work (nothing listening, an app URL the browser cannot reach, no WebGPU) say so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { chromium, type BrowserServer } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bench, devicesTable, resultsByDevice, type BenchOptions } from '../../src/cli/bench.ts';
import { CHROMIUM_FLAGS, findChromium } from '../../src/cli/browser.ts';
import { builtCatalog, parseEndpoint, runOnDevices } from '../../src/cli/remote.ts';
import { startAppServer } from '../../src/cli/serve.ts';
import type { SuitePlan } from '../../src/core/plan.ts';
import { runKey } from '../../src/core/plan.ts';
import { RunResultSchema, type RunResult } from '../../src/core/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-connect-'));
const log = join(dir, 'devices.jsonl');

/** A Playwright browser server on loopback, as `npx playwright launch-server` would start one. */
const launchServer = (webgpu = true) =>
  chromium.launchServer({
    executablePath: findChromium()!,
    headless: true,
    host: '127.0.0.1',
    args: CHROMIUM_FLAGS.filter((f) => webgpu || f !== '--enable-unsafe-webgpu'),
  });

/** Every line of a log, each checked against the schema on its own. */
const records = (file: string): RunResult[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => RunResultSchema.parse(JSON.parse(line)));

// Four runs per device: two models at two levels, on wasm, as short as a run can be.
const suite = (over: Partial<BenchOptions>): BenchOptions => ({
  suite: 'default',
  model: ['mlp-1m', 'ppocr-v2-cls'],
  device: 'wasm',
  dtype: 'fp32,q8',
  iterations: 2,
  warmup: 1,
  input: [],
  repeat: 1,
  quiet: true,
  ...over,
});

const servers: BrowserServer[] = [];
let a: BrowserServer;
let b: BrowserServer;
let firstCode: number;
let first: RunResult[];
let killedAfter: number;

beforeAll(async () => {
  [a, b] = await Promise.all([launchServer(), launchServer()]);
  servers.push(a, b);
  // Kill b as soon as its first run is in the log: the rest of its suite is still to come.
  let stopWatching = false;
  const watch = (async () => {
    while (!stopWatching) {
      const done = (() => {
        try {
          return records(log).filter((r) => r.remote?.label === 'b');
        } catch {
          return [];
        }
      })();
      if (done.length) {
        killedAfter = done.length;
        await b.kill();
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  firstCode = await bench(suite({ connect: [`a=${a.wsEndpoint()}`, `b=${b.wsEndpoint()}`], out: log }));
  stopWatching = true;
  await watch;
  first = records(log);
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
});

describe('a suite on two remote browsers, one dropping out', () => {
  it('the survivor completes every run; every record says which device made it', () => {
    const byDevice = resultsByDevice(log);
    expect([...byDevice.keys()]).toEqual(expect.arrayContaining(['a', 'b']));
    const survivor = byDevice.get('a')!;
    expect(survivor.map((r) => `${r.model.id} ${r.model.dtype} ${r.state}`)).toEqual([
      'mlp-1m fp32 completed',
      'mlp-1m q8 completed',
      'ppocr-v2-cls fp32 completed',
      'ppocr-v2-cls q8 completed',
    ]);
    for (const r of first) expect(r.remote?.endpoint).toBe((r.remote!.label === 'a' ? a : b).wsEndpoint());
    // Measured in the remote browser: its env came back, its OS memory is not ours to sample.
    expect(survivor[0]!.env?.crossOriginIsolated).toBe(true);
    expect(survivor[0]!.memory.unknown.osPeakRssBytes).toMatch(/runs elsewhere/);
  });
  it('the dropped device keeps its finished runs, the rest are aborted with the reason, and the exit code says a device failed', () => {
    const dropped = resultsByDevice(log).get('b')!;
    expect(dropped).toHaveLength(4);
    const completed = dropped.filter((r) => r.state === 'completed');
    const aborted = dropped.filter((r) => r.state === 'aborted');
    expect(completed.length).toBeGreaterThanOrEqual(killedAfter);
    expect(aborted.length).toBeGreaterThan(0);
    expect(completed.length + aborted.length).toBe(4);
    for (const r of aborted) {
      expect(r.error).toEqual({
        name: 'DisconnectedError',
        class: 'aborted',
        message: `browser at ${b.wsEndpoint()} ("b") disconnected after ${completed.length} of 4 runs`,
      });
    }
    expect(firstCode).toBe(1);
  });
  it('--resume runs only what is missing, on a fresh server under the same label, appending to the log', async () => {
    const c = await launchServer(false);
    servers.push(c);
    const missing = first.filter((r) => r.state === 'aborted').map(runKey);
    const code = await bench(suite({ connect: [`a=${a.wsEndpoint()}`, `b=${c.wsEndpoint()}`], resume: log }));
    expect(code).toBe(0);
    const all = records(log);
    const added = all.slice(first.length);
    expect(added.map(runKey)).toEqual(missing);
    expect(added.every((r) => r.state === 'completed' && r.remote?.label === 'b' && r.remote.endpoint === c.wsEndpoint())).toBe(true);
    // Every spec of every device now has a completed record.
    for (const label of ['a', 'b']) {
      const done = all
        .filter((r) => r.remote?.label === label && r.state === 'completed')
        .map(runKey)
        .sort();
      expect(done).toEqual([...new Set(all.map(runKey))].sort());
    }
    const table = devicesTable(resultsByDevice(log))!;
    console.log(table);
    expect(table).toMatch(/mlp-1m\s+q8\s+wasm\s+p50\s+[\d.]+ ms\s+[\d.]+ ms/);

    // A remote browser without WebGPU: webgpu runs end unsupported with the reason, as they do locally.
    const gpuLog = join(dir, 'no-webgpu.jsonl');
    expect(await bench(suite({ model: ['mlp-1m'], dtype: 'fp32', device: 'webgpu', connect: [`c=${c.wsEndpoint()}`], out: gpuLog }))).toBe(0);
    const [gpu] = records(gpuLog);
    expect(gpu).toMatchObject({ state: 'unsupported', device: 'webgpu', remote: { label: 'c' } });
    expect(gpu!.error?.message).toMatch(/WebGPU/);
  }, 90_000);
});

describe('endpoints that cannot work', () => {
  it('nothing listening: every run aborted with what should be there; the command says it in one line and exits 1', async () => {
    const out = join(dir, 'unreachable.jsonl');
    expect(await bench(suite({ model: ['mlp-1m'], dtype: 'fp32', connect: ['ws://127.0.0.1:9/x'], out }))).toBe(1);
    const [r] = records(out);
    expect(r).toMatchObject({ state: 'aborted', remote: { label: 'ws://127.0.0.1:9/x' }, error: { name: 'RemoteConnectError' } });
    expect(r!.error!.message).toMatch(
      /^could not connect to ws:\/\/127\.0\.0\.1:9\/x: .*ECONNREFUSED.*; is a Playwright browser server running there \(npx playwright launch-server/,
    );

    const p = spawnSync(process.execPath, ['bin/ondevice.js', '--connect', 'ws://127.0.0.1:9/x', '--model', 'mlp-1m', '--device', 'wasm'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(p.status).toBe(1);
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
    expect(p.stderr).toMatch(/^ondevice: could not connect to ws:\/\/127\.0\.0\.1:9\/x: /);
  });
  it('a bad endpoint is a usage error naming what would be valid', () => {
    const p = spawnSync(process.execPath, ['bin/ondevice.js', '--connect', 'http://grid:4444'], { encoding: 'utf8', timeout: 60_000 });
    expect(p.status).toBe(2);
    expect(p.stderr.trim()).toMatch(/^ondevice: --connect "http:\/\/grid:4444": expected a Playwright browser server's ws:\/\/ .*cdp:http:\/\/HOST:PORT/);
  });
  it('an app URL the remote browser cannot reach: aborted, naming the URL it tried and the flags that fix it', async () => {
    const out = join(dir, 'no-app.jsonl');
    // A port nothing listens on (and that Chromium does not refuse outright, as it does 9).
    const closed = await new Promise<number>((done) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => done(port));
      });
    });
    const url = `http://127.0.0.1:${closed}/`;
    expect(await bench(suite({ model: ['mlp-1m'], dtype: 'fp32', connect: [`a=${a.wsEndpoint()}`], publicUrl: url, out }))).toBe(1);
    const [r] = records(out);
    expect(r).toMatchObject({ state: 'aborted', error: { name: 'AppLoadError' } });
    expect(r!.error!.message).toContain(`the browser at ${a.wsEndpoint()} ("a") could not load the app from ${url}: net::ERR_CONNECTION_REFUSED`);
    expect(r!.error!.message).toMatch(/--host 0\.0\.0\.0.*--public-url/);
  });
});

describe('a remote run that hangs, and plans that share a spec', () => {
  it('a run that never answers is aborted by the watchdog with the reason, and the next run completes', async () => {
    // A hub mirror that accepts every request and never answers: the run's download waits forever, without a word.
    const sockets = new Set<Socket>();
    const hang = createHttpServer(() => undefined);
    hang.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((done) => hang.listen(0, '127.0.0.1', done));
    const hubHost = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/`;
    const out = join(dir, 'stall.jsonl');
    try {
      const code = await bench(
        suite({
          model: ['hub:ondevice/tiny-llama', 'mlp-1m'],
          dtype: 'fp32',
          engine: 'ort',
          threads: 1,
          timeBudget: 1000,
          hubHost,
          watchdog: 3000,
          connect: [`s=${a.wsEndpoint()}`],
          out,
        }),
      );
      const [stalled, next] = records(out);
      expect(stalled).toMatchObject({ state: 'aborted', model: { id: 'hub:ondevice/tiny-llama' }, remote: { label: 's', plan: 0 } });
      expect(stalled!.error).toMatchObject({ name: 'StalledError', class: 'aborted' });
      expect(stalled!.error!.message).toMatch(/^no word from the run for 4 s \(its time budget 1 s \+ the watchdog's 3 s\) on .*\("s"\)/);
      expect(stalled!.error!.message).toMatch(/the suite went on/);
      expect(next).toMatchObject({ state: 'completed', model: { id: 'mlp-1m' }, remote: { label: 's', plan: 0 } });
      // A stalled run is not a device that failed.
      expect(code).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((done) => hang.close(done));
    }
  }, 120_000);

  it('--resume tells apart two plans of one suite that run the same (model, level, backend, engine) on one device', async () => {
    const server = await startAppServer();
    try {
      const catalog = builtCatalog();
      const endpoints = [parseEndpoint(`p=${a.wsEndpoint()}`)];
      const plan = (iterations: number): SuitePlan => ({
        models: ['mlp-1m'],
        devices: ['wasm'],
        dtypes: ['fp32'],
        engines: ['ort'],
        workload: { iterations, warmup: 1, numThreads: 1 },
      });
      const plans = [plan(2), plan(3)];
      const [first] = await runOnDevices({ plan: plans, catalog, endpoints, server, concurrency: 1 });
      expect(first!.results.map((r) => [r.state, r.remote?.plan, r.workload.iterations])).toEqual([
        ['completed', 0, 2],
        ['completed', 1, 3],
      ]);
      // The first plan's run did not finish (say its device dropped out); the second plan's did.
      const prior = [{ ...first!.results[0]!, state: 'aborted', error: { name: 'DisconnectedError', message: 'gone' } } as RunResult, first!.results[1]!];
      const [resumed] = await runOnDevices({ plan: plans, catalog, endpoints, server, concurrency: 1, prior });
      expect(resumed!.planned).toBe(1);
      expect(resumed!.results.map((r) => [r.state, r.remote?.plan, r.workload.iterations])).toEqual([['completed', 0, 2]]);
      // Nothing left: a second resume over everything runs nothing.
      const [done] = await runOnDevices({ plan: plans, catalog, endpoints, server, concurrency: 1, prior: [...prior, ...resumed!.results] });
      expect(done!.planned).toBe(0);
    } finally {
      await server.close();
    }
  }, 90_000);
});
