// Memory probes in real Chromium: GPU buffers and the WASM heap rise with a bigger model and GPU buffers fall
// back after dispose; the CLI's /proc sampler sees the whole browser; the leak check repeats a spec.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bench } from '../../src/cli/bench.ts';
import { memoryGrowth } from '../../src/core/growth.ts';
import { GraphBuilder, tensorInfo } from '../../src/onnx/graph-builder.ts';
import { DataType } from '../../src/onnx/onnx-schema.ts';
import { parseJsonl } from '../../src/store/export.ts';
import { useApp } from './fixture.ts';

const app = useApp({ awaitThreadWorkers: true });

it('GPU buffer and WASM heap figures rise with a bigger model, and GPU buffers fall back after dispose', async () => {
  // ppocr-v2-cls holds 0.53 MB of weights, mlp-1m 5.5 MB.
  const [small, big] = await app.runSuite({
    models: ['ppocr-v2-cls', 'mlp-1m'],
    devices: ['webgpu'],
    dtypes: ['fp32'],
    workload: { iterations: 1, warmup: 1, inputs: {} },
  });
  for (const r of [small!, big!]) {
    expect(r.state).toBe('completed');
    const { afterLoad, afterRun, afterDispose } = r.memory.phases!;
    expect(afterLoad!.gpuLiveBytes).toBeGreaterThan(0);
    expect(r.memory.gpuBufferPeakBytes).toBeGreaterThanOrEqual(afterRun!.gpuLiveBytes!);
    // Released sessions give their buffers back: what is left is a small fraction of the peak.
    expect(afterDispose!.gpuLiveBytes!).toBeLessThan(r.memory.gpuBufferPeakBytes! * 0.1);
    // The WASM heap only grows.
    expect(afterDispose!.wasmHeapBytes).toBeGreaterThanOrEqual(afterLoad!.wasmHeapBytes!);
  }
  // Weights live in GPU buffers: the bigger model's peak is larger by at least most of the weight difference.
  expect(big!.memory.gpuBufferPeakBytes! - small!.memory.gpuBufferPeakBytes!).toBeGreaterThan(0.8 * (5_513_472 - 534_656));
  // Two threads, named: `auto` may calibrate to one here.
  const [smallWasm, bigWasm] = await app.runSuite({
    models: ['ppocr-v2-cls', 'mlp-1m'],
    devices: ['wasm'],
    dtypes: ['fp32'],
    workload: { iterations: 1, warmup: 1, numThreads: 2 },
  });
  expect(bigWasm!.memory.wasmHeapPeakBytes!).toBeGreaterThan(smallWasm!.memory.wasmHeapPeakBytes!);
  // With WASM threads the browser's own measurement is null with the reason, not a hang.
  expect(bigWasm!.memory.uaMemoryBytes).toBeNull();
  expect(bigWasm!.memory.unknown.uaMemoryBytes).toMatch(/WASM threads/);
});

describe('a fresh browser', () => {
  // Once any onnxruntime thread worker has lived in the renderer (even in a terminated run, even after a reload),
  // Chromium no longer answers measureUserAgentSpecificMemory. See src/client/ua-memory.ts.
  const fresh = useApp({ awaitThreadWorkers: true });
  it('measureUserAgentSpecificMemory counts the page and its workers, on single-threaded runs in a fresh browser', async () => {
    const [small, big] = await fresh.runSuite({
      models: ['ppocr-v2-cls', 'mlp-1m'],
      devices: ['wasm'],
      dtypes: ['fp32'],
      workload: { iterations: 1, warmup: 1, numThreads: 1 },
    });
    for (const r of [small!, big!]) {
      expect(r.memory.unknown.uaMemoryBytes, 'measured').toBeUndefined();
      // It covers the worker's WASM heap, and more (JS heaps, the compiled module).
      expect(r.memory.uaMemoryBytes!).toBeGreaterThan(r.memory.wasmHeapPeakBytes!);
    }
    expect(big!.memory.uaMemoryBytes!).toBeGreaterThan(small!.memory.uaMemoryBytes!);
  });
});

it("onnxruntime's thread workers hold the page's lock while they live, and a threaded run's are gone after it", async () => {
  // They idle in Atomics.wait, where Chromium ends a terminated worker only 2 s later: the next run waits on this lock
  // (src/client/thread-workers.ts) instead of piling them up. Polled in the page while the runs go on.
  const held = () =>
    app.page.evaluate(async () => (await navigator.locks.query()).held?.filter((l) => l.name?.startsWith('ondevice-wasm-threads-')).length ?? 0);
  await app.page.evaluate(() => {
    const w = window as unknown as { __maxHeld: number; __poll: ReturnType<typeof setInterval> };
    w.__maxHeld = 0;
    w.__poll = setInterval(async () => {
      const n = (await navigator.locks.query()).held?.filter((l) => l.name?.startsWith('ondevice-wasm-threads-')).length ?? 0;
      w.__maxHeld = Math.max(w.__maxHeld, n);
    }, 20);
  });
  const results = await app.runSuite({
    models: ['ppocr-v2-cls'],
    devices: ['wasm'],
    dtypes: ['fp32'],
    repeat: 2,
    workload: { iterations: 3, warmup: 1, numThreads: 2 },
  });
  const maxHeld = await app.page.evaluate(() => {
    const w = window as unknown as { __maxHeld: number; __poll: ReturnType<typeof setInterval> };
    clearInterval(w.__poll);
    return w.__maxHeld;
  });
  expect(results.map((r) => [r.state, r.env?.numThreads])).toEqual([
    ['completed', 2],
    ['completed', 2],
  ]);
  expect(maxHeld).toBeGreaterThan(0);
  await expect.poll(held, { timeout: 15_000, interval: 250 }).toBe(0);
});

it('a run that exhausts the WASM heap is errored, naming that memory, and the next run still completes', async () => {
  // 1 M rows × 1024 hidden units × 4 bytes = 4 GiB for the first activation: more than a wasm32 heap can
  // address. The input itself (1 M × 256 = 2^28 − 2^24 floats) stays under what ondevice synthesizes (2^28).
  const [oom] = await app.runSuite({
    models: ['mlp-1m'],
    devices: ['wasm'],
    dtypes: ['fp32'],
    workload: { iterations: 1, warmup: 1, inputs: { x: { shape: [1_000_000, 256] } } },
  });
  expect(oom).toMatchObject({ state: 'errored', error: { name: 'OutOfMemoryError' } });
  expect(oom!.error!.message).toMatch(/^The WASM heap ran out/);
  expect(oom!.error).toMatchObject({ class: 'out-of-memory', raw: expect.stringMatching(/SafeInt|bad_alloc|raw number/) });
  const [next] = await app.runSuite({ models: ['ppocr-v2-cls'], devices: ['wasm'], dtypes: ['fp32'], workload: { iterations: 1, warmup: 1 } });
  expect(next!.state).toBe('completed');
});

it('a session that cannot be created for want of memory says so, with the heap in use and its limit, keeping the runtime text', async () => {
  // 300 bytes on disk: a ConstantOfShape of 1.2 G floats (4.8 GB) that onnxruntime sizes while creating the session,
  // past what a wasm32 heap can hold (it reports a SafeInt overflow, which read as a parse failure before).
  const g = new GraphBuilder();
  const big = g.op('ConstantOfShape', [g.int64([1_200_000_000])], '/big');
  g.op('ReduceSum', [g.op('Add', [big, g.float(1)], '/add')], '/sum', { keepdims: { int: 0 } }, 'y0');
  g.op('Add', ['x', 'y0'], '/out', {}, 'y');
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-oom-'));
  const file = join(dir, 'huge-constant.onnx');
  writeFileSync(file, g.encode('oom', [tensorInfo('x', DataType.FLOAT, [1])], [tensorInfo('y', DataType.FLOAT, [1])]));
  const out = join(dir, 'out.jsonl');
  expect(
    await bench({ suite: 'default', model: [file, 'ppocr-v2-cls'], device: 'wasm', iterations: 1, warmup: 1, input: [], quiet: true, repeat: 1, out }),
  ).toBe(0);
  const [oom, next] = parseJsonl(readFileSync(out, 'utf8')).results;
  expect(oom).toMatchObject({ state: 'errored', error: { name: 'OutOfMemoryError', class: 'out-of-memory' } });
  expect(oom!.error!.message).toMatch(
    /^Out of memory at session creation for model ".*huge-constant\.onnx" \(\d+ bytes\) on wasm: one allocation larger than the heap can hold \(heap [\d.]+ MiB of 4\.00 GiB in use\)\./,
  );
  expect(oom!.error!.message).not.toMatch(/Expected a complete ONNX model file/);
  expect(oom!.error!.raw).toMatch(/SafeIntOnOverflow/);
  expect(next!.state).toBe('completed');
});

it('the CLI samples the whole browser from /proc, and --repeat reports how memory moves run to run', async () => {
  const out = join(tmpdir(), `ondevice-memory-${Date.now()}.jsonl`);
  const code = await bench({ suite: 'default', model: ['silero-vad-v5'], device: 'wasm', iterations: 20, warmup: 2, input: [], quiet: true, repeat: 3, out });
  expect(code).toBe(0);
  const { results, problems } = parseJsonl(readFileSync(out, 'utf8'));
  expect(problems).toEqual([]);
  expect(results).toHaveLength(3);
  for (const r of results) {
    // A headless Chromium with a page and a worker is well over 50 MB resident, and PSS ≤ RSS.
    expect(r.memory.osPeakRssBytes).toBeGreaterThan(50 * 2 ** 20);
    expect(r.memory.os!.peakPssBytes).toBeGreaterThan(0);
    expect(r.memory.os!.peakPssBytes).toBeLessThanOrEqual(r.memory.osPeakRssBytes!);
    expect(Object.keys(r.memory.os!.byType)).toEqual(expect.arrayContaining(['browser', 'renderer']));
    expect(r.memory.unknown.osPeakRssBytes).toBeUndefined();
  }
  const [g] = memoryGrowth(results);
  expect(g!.runs).toBe(3);
  // A fresh worker per run: each run's WASM heap starts from nothing, so its peak does not climb.
  expect(g!.metrics.wasmHeapPeakBytes!.slopePerRun).toBe(0);
});
